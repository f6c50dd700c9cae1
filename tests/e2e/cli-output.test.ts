/**
 * The kjobs CLI beside kubectl 1.32 on the same cluster: `-o jsonpath` and `-o custom-columns`
 * byte for byte, `kjobs completion bash` sourced by bash and completing commands, types and
 * names, and the packed CLI (`npm pack`) installed in an empty directory running `get jobs`.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '@kjobs/api';
import { parse as parseYaml } from 'yaml';
import { ROOT } from '../../scripts/cluster.js';
import { run, startE2E, waitFor, type E2E } from './harness.js';

let e: E2E;
let dir: string;

function jobOf(name: string, labels: Record<string, string>): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default', labels, annotations: { note: `${name} <b> & "c"` } },
    spec: {
      completions: 2, backoffLimit: 0,
      template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'exit 0'] }, { name: 'd', image: 'busybox:1.35', command: ['true'] }] } },
    },
  };
}

beforeAll(async () => {
  e = await startE2E({ without: ['memq'] });
  dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-cli-output-'));
  await e.apply(jobOf('out-a', { suite: 'out', tier: 'x' }));
  await e.apply(jobOf('out-b', { suite: 'out' }));
  // Compare only settled objects: both Jobs complete, so nothing changes between the two CLIs.
  for (const name of ['out-a', 'out-b']) {
    await waitFor(`${name} complete`, async () => (await e.getJson('job', name))?.status?.conditions?.some((c: { type: string }) => c.type === 'Complete'), 90_000);
  }
}, 150_000);
afterAll(async () => {
  await e?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Run the same arguments through kubectl and kjobs; both results. */
async function both(args: string[]) {
  const [k, j] = await Promise.all([e.kubectl(args), e.kjobs(args)]);
  return { k, j };
}

describe('-o jsonpath and custom-columns as kubectl prints them', () => {
  const templates = [
    '{.items[*].metadata.name}',
    '{range .items[*]}{.metadata.name}{"\\t"}{.status.succeeded}{"\\n"}{end}',
    '{.items[?(@.metadata.name=="out-b")].spec.completions}',
    '{.items[0].metadata.labels}',
    '{.items[0].metadata.annotations.note}|{.items[0].metadata.annotations}',
    '{.items[*].spec.template.spec.containers[*].image}',
    '{.items[-1:].metadata.name} {.kind} {.metadata}',
    '{range .items[*]}{.metadata.name}:{range .spec.template.spec.containers[*]}[{.name}]{end}{"\\n"}{end}',
    "{.items[0].metadata.labels['suite']}{.items[*].status.nothing}",
    '{.items[0].spec.template.spec.containers[0].command}',
    '{.items[1:2].status.conditions[?(@.type=="Complete")].status}',
  ];
  for (const t of templates) {
    it(`get jobs -o jsonpath=${t}`, async () => {
      const { k, j } = await both(['get', 'jobs', '-l', 'suite=out', '-o', `jsonpath=${t}`]);
      expect(k.code).toBe(0);
      expect(k.stdout).not.toBe('');
      expect(j).toEqual(k);
    });
  }

  it('one object, jsonpath-as-json, --template and parse errors', async () => {
    for (const args of [
      ['get', 'job', 'out-a', '-o', 'jsonpath={.metadata.name} {.spec.parallelism} {.status.conditions[*].type}'],
      ['get', 'jobs', '-l', 'suite=out', '-o', 'jsonpath-as-json={.items[*].metadata.name}'],
      ['get', 'jobs', '-l', 'suite=out', '-o', 'jsonpath', '--template={.items[0].metadata.name}'],
      ['get', 'jobs', '-l', 'suite=none', '-o', 'jsonpath={.items[*].metadata.name}'],
      ['get', 'jobs', '-o', 'jsonpath={.items[*}'],
      ['get', 'jobs', '-o', 'jsonpath='],
    ]) {
      const { k, j } = await both(args);
      expect({ args, ...j }).toEqual({ args, ...k });
    }
  });

  it('custom-columns and custom-columns-file', async () => {
    const file = path.join(dir, 'columns.txt');
    writeFileSync(file, 'NAME   DONE               IMAGES\n.metadata.name   {.status.succeeded}   .spec.template.spec.containers[*].image\n');
    for (const args of [
      ['get', 'jobs', '-l', 'suite=out', '-o', 'custom-columns=NAME:.metadata.name,DONE:.status.succeeded,MISSING:.status.nothing,LABELS:.metadata.labels,CMD:.spec.template.spec.containers[0].command'],
      ['get', 'pods', '-l', 'job-name=out-a', '-o', 'custom-columns=POD:metadata.name,PHASE:{.status.phase},JOB:{.metadata.labels.job-name}', '--no-headers'],
      ['get', 'job', 'out-b', '-o', 'custom-columns=NAME:.metadata.name,COMPLETIONS:.spec.completions'],
      ['get', 'jobs', '-l', 'suite=out', '-o', `custom-columns-file=${file}`],
      ['get', 'jobs', '-o', 'custom-columns=NAME'],
    ]) {
      const { k, j } = await both(args);
      expect({ args, ...j }).toEqual({ args, ...k });
    }
  });
});

describe('kubeconfig and request flags', () => {
  it('$KUBECONFIG files merge as kubectl merges them; -v=6 prints the files and each request', async () => {
    const kc = parseYaml(readFileSync(e.kubeconfig, 'utf8'));
    // The first file sets current-context and a context naming the second file's cluster and user.
    const first = path.join(dir, 'first.yaml');
    writeFileSync(first, JSON.stringify({
      apiVersion: 'v1', kind: 'Config', 'current-context': 'merged',
      contexts: [{ name: 'merged', context: { cluster: kc.clusters[0].name, user: kc.users[0].name, namespace: 'default' } }],
    }));
    const env = { ...process.env, KUBECONFIG: `${first}:${e.kubeconfig}`, NO_COLOR: '1' };
    const args = ['get', 'jobs', '-l', 'suite=out', '-o', 'name'];
    const [k, j] = await Promise.all([run('kubectl', args, env), run(process.execPath, [path.join(ROOT, 'packages/cli/bin/kjobs.mjs'), ...args], env)]);
    expect(k).toEqual({ code: 0, stdout: 'job.batch/out-a\njob.batch/out-b\n', stderr: '' });
    expect(j).toEqual(k);
    const v = await run(process.execPath, [path.join(ROOT, 'packages/cli/bin/kjobs.mjs'), '-v=6', ...args], env);
    expect(v.stdout).toBe(k.stdout);
    const lines = v.stderr.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual([first, e.kubeconfig].map((f) => expect.stringMatching(new RegExp(`^I\\d{4} \\d\\d:\\d\\d:\\d\\d\\.\\d{6} +\\d+ loader\\.go:402\\] Config loaded from file:  ${f}$`))));
    expect(lines).toContainEqual(expect.stringMatching(/ round_trippers\.go:560\] GET https:\/\/127\.0\.0\.1:\d+\/apis\/batch\/v1\/namespaces\/default\/jobs\?labelSelector=suite%3Dout 200 OK in \d+ milliseconds$/));
    const slow = await run(process.execPath, [path.join(ROOT, 'packages/cli/bin/kjobs.mjs'), '--request-timeout=abc', ...args], env);
    expect(slow).toEqual({ code: 1, stdout: '', stderr: 'error: Invalid timeout value. Timeout must be a single integer in seconds, or an integer followed by a corresponding time unit (e.g. 1s | 2m | 3h)\n' });
  });
});

describe('shell completion', () => {
  it('bash sources the script and completes commands, resource types and object names', async () => {
    const bin = path.join(dir, 'bin');
    mkdirSync(bin, { recursive: true });
    writeFileSync(path.join(bin, 'kjobs'), `#!/bin/sh\nexec "${process.execPath}" "${path.join(ROOT, 'packages/cli/bin/kjobs.mjs')}" "$@"\n`);
    chmodSync(path.join(bin, 'kjobs'), 0o755);
    const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, KUBECONFIG: e.kubeconfig };
    // Complete the way bash does on <Tab>: COMP_WORDS/COMP_CWORD set, the registered function run.
    const complete = async (line: string) => {
      const words = line.split(' ');
      const script = `source <(kjobs completion bash) || exit 3
COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; COMP_LINE='${line}'; COMP_POINT=${line.length}
$(complete -p kjobs | sed -E 's/.* -F ([^ ]+) .*/\\1/') kjobs '${words[words.length - 1]}' '${words[words.length - 2]}'
printf '%s\\n' "\${COMPREPLY[@]}"`;
      const r = await run('bash', ['-c', script], env);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      return r.stdout.split('\n').filter(Boolean).sort();
    };
    const sourced = await run('bash', ['-c', 'source <(kjobs completion bash) && complete -p kjobs'], env);
    expect(sourced).toMatchObject({ code: 0, stderr: '' });
    expect(sourced.stdout).toMatch(/-F \S+ kjobs\n$/);
    expect(await complete('kjobs ge')).toEqual(['get']);
    expect(await complete('kjobs get cronj')).toEqual(['cronjobs']);
    expect(await complete('kjobs get jobs out-')).toEqual(['out-a', 'out-b']);
    expect(await complete('kjobs logs job/out-')).toEqual(['job/out-a', 'job/out-b']);
    expect(await complete('kjobs get jobs --all-n')).toEqual(['--all-namespaces']);
  });
});

describe('the packed CLI', () => {
  it('npm pack, installed in an empty directory, runs get jobs against the cluster', async () => {
    const packDir = path.join(dir, 'pack');
    const empty = path.join(dir, 'empty');
    mkdirSync(packDir);
    mkdirSync(empty);
    const npmEnv = { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false' };
    const packed = await run('npm', ['pack', '-w', '@kjobs/cli', '--pack-destination', packDir], npmEnv, { timeoutMs: 120_000 });
    expect(packed.code).toBe(0);
    const tarball = path.join(packDir, packed.stdout.trim().split('\n').pop()!);
    const installed = await run('npm', ['install', '--offline', tarball], npmEnv, { cwd: empty, timeoutMs: 120_000 });
    expect(installed.code).toBe(0);
    const r = await run(path.join(empty, 'node_modules', '.bin', 'kjobs'), ['get', 'jobs', '-l', 'suite=out', '-o', 'custom-columns=NAME:.metadata.name'], { ...process.env, KUBECONFIG: e.kubeconfig }, { cwd: empty });
    expect(r).toEqual({ code: 0, stdout: 'NAME\nout-a\nout-b\n', stderr: '' });
    const table = await run(path.join(empty, 'node_modules', '.bin', 'kjobs'), ['get', 'jobs'], { ...process.env, KUBECONFIG: e.kubeconfig }, { cwd: empty });
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME +STATUS +COMPLETIONS +DURATION +AGE/);
    expect(table.stdout).toMatch(/\nout-a +Complete +2\/2 /);
  }, 240_000);
});
