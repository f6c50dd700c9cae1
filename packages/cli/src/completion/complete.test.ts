import { describe, expect, it } from 'vitest';
import { buildProgram } from '../program.js';
import type { CliIO } from '../session.js';
import { commandSpec } from '../commands/completion.js';
import { complete, FILES, type CompletionSource, type NameScope } from './complete.js';
import { completionScript } from './scripts.js';

const io: CliIO = {
  out: () => undefined, err: () => undefined, isTTY: false, color: false, env: {}, cwd: '/', home: '/',
  readStdin: async () => '', now: () => new Date(0), onInterrupt: () => () => undefined,
};
const root = commandSpec(buildProgram(io).program);

/** A cluster of two namespaces; every names() call is recorded. */
function source(): CompletionSource & { calls: [string, NameScope][] } {
  const objects: Record<string, Record<string, string[]>> = {
    default: { jobs: ['pi', 'parallel'], cronjobs: ['nightly'], pods: ['pi-x1', 'parallel-a'] },
    batch: { jobs: ['render'], cronjobs: [], pods: [] },
  };
  const canonical = (t: string) => ({ job: 'jobs', jobs: 'jobs', cronjob: 'cronjobs', cj: 'cronjobs', pod: 'pods', pods: 'pods', po: 'pods' })[t];
  const calls: [string, NameScope][] = [];
  return {
    calls,
    types: async () => ['pods', 'jobs', 'cronjobs', 'nodes'],
    names: async (type, scope) => {
      calls.push([type, scope]);
      const t = canonical(type);
      if (!t) return [];
      return scope.allNamespaces ? Object.values(objects).flatMap((o) => o[t]!) : objects[scope.namespace ?? 'default']![t]!;
    },
    namespaces: async () => ['batch', 'default'],
    contexts: async () => ['kjobs', 'other'],
  };
}

describe('kjobs __complete', () => {
  it.each([
    [['ge'], ['get']],
    [[''], expect.arrayContaining(['apply', 'completion', 'get', 'logs', 'why'])],
    [['get', ''], ['cronjobs', 'jobs', 'nodes', 'pods']],
    [['get', 'j'], ['jobs']],
    [['get', 'jobs', 'p'], ['parallel', 'pi']],
    [['get', 'jobs', 'pi', ''], ['parallel', 'pi']],
    [['get', '-n', 'batch', 'jobs', ''], ['render']],
    [['-n', 'batch', 'get', 'job', ''], ['render']],
    [['get', 'jobs', '--namespace=batch', ''], ['render']],
    [['get', '-A', 'jobs', ''], ['parallel', 'pi', 'render']],
    [['describe', 'job/p'], ['job/parallel', 'job/pi']],
    [['get', 'jobs,pods', ''], []],
    [['logs', ''], ['parallel-a', 'pi-x1']],
    [['logs', 'job/'], ['job/parallel', 'job/pi']],
    [['progress', ''], ['parallel', 'pi']],
    [['why', ''], ['cronjob/', 'job/']],
    [['schedule', 'n'], ['nightly']],
    [['completion', ''], ['bash', 'fish', 'zsh']],
    [['create', ''], ['job']],
    [['version', ''], []],
    [['get', '--sh'], ['--show-all', '--show-labels']],
    [['--kube'], ['--kubeconfig']],
    [['get', 'jobs', '-o', 'j'], ['json', 'jsonpath-as-json=', 'jsonpath-file=', 'jsonpath=']],
    [['get', 'jobs', '--output=y'], ['--output=yaml']],
    [['get', '-n', ''], ['batch', 'default']],
    [['--context', ''], ['kjobs', 'other']],
    [['apply', '-f', ''], [FILES]],
    [['get', 'jobs', '-o', 'custom-columns-file='], [FILES]],
  ])('%j → %j', async (words, want) => {
    expect(await complete(root, words, source())).toEqual(want);
  });

  it('a failing cluster completes nothing', async () => {
    const broken = { ...source(), names: () => Promise.reject(new Error('refused')), types: () => Promise.reject(new Error('refused')) };
    expect(await complete(root, ['get', ''], broken)).toEqual([]);
    expect(await complete(root, ['get', 'jobs', ''], broken)).toEqual([]);
  });

  it('scripts name the __complete protocol for each shell', () => {
    expect(completionScript('bash')).toContain('complete -o default -F __kjobs_complete kjobs');
    expect(completionScript('zsh')).toContain('compdef _kjobs kjobs');
    expect(completionScript('fish')).toContain("complete -c kjobs -f -a '(__kjobs_complete)'");
    for (const s of ['bash', 'zsh', 'fish'] as const) expect(completionScript(s)).toContain('kjobs __complete');
  });
});
