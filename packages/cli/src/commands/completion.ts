import type { Command } from 'commander';
import type { KList } from '@kjobs/api';
import { complete, type CommandSpec, type CompletionSource, type PositionalKind } from '../completion/complete.js';
import { completionScript, SHELLS } from '../completion/scripts.js';
import { CliError } from '../errors.js';
import type { ProgramContext } from '../program.js';
import { collectionPath, resolveResource } from '../resources.js';
import { loadKubeconfig, openSession, type CliIO, type GlobalOptions, type Session } from '../session.js';

/** Register `kjobs completion bash|zsh|fish`. */
export function registerCompletion(program: Command, ctx: ProgramContext): void {
  program
    .command('completion')
    .description('Print the shell completion script for bash, zsh or fish (commands, flags, resource types, object names)')
    .argument('<shell>', SHELLS.join(', '))
    .addHelpText('after', `
Examples:
  # Load completion into this bash (bash-completion not required), or into every new one
  source <(kjobs completion bash)
  kjobs completion bash > /etc/bash_completion.d/kjobs

  # zsh (after compinit) and fish
  source <(kjobs completion zsh)
  kjobs completion fish | source`)
    .action((shell: string) => {
      if (!(SHELLS as readonly string[]).includes(shell)) throw new CliError(`Unsupported shell type "${shell}".`);
      ctx.io.out(completionScript(shell as (typeof SHELLS)[number]));
    });
}

/** What each command's positional arguments name (the rest take none worth completing). */
const POSITIONALS: Record<string, PositionalKind> = {
  get: { kind: 'type-then-names' },
  describe: { kind: 'type-then-names' },
  delete: { kind: 'type-then-names' },
  wait: { kind: 'type-then-names' },
  logs: { kind: 'pod-or-typed' },
  'port-forward': { kind: 'pod-or-typed' },
  progress: { kind: 'typed', types: ['job'] },
  rerun: { kind: 'typed', types: ['job'] },
  why: { kind: 'typed', types: ['job', 'cronjob'] },
  schedule: { kind: 'typed', types: ['cronjob'] },
  completion: { kind: 'words', words: [...SHELLS] },
};

/** The commander program as completion sees it (hidden commands left out). */
export function commandSpec(cmd: Command): CommandSpec {
  return {
    name: cmd.name(),
    flags: [
      ...cmd.options.map((o) => ({ names: [o.long, o.short].filter((n): n is string => !!n), takesValue: o.required || o.optional })),
      { names: ['--help', '-h'], takesValue: false },
    ],
    positional: POSITIONALS[cmd.name()] ?? { kind: 'none' },
    subcommands: cmd.commands.filter((c) => !(c as unknown as { _hidden?: boolean })._hidden).map(commandSpec),
  };
}

/** The global flags among the words typed so far (the session completion lists names with). */
function globalsOf(root: CommandSpec, words: string[]): GlobalOptions {
  const keys: Record<string, keyof GlobalOptions> = {
    '--kubeconfig': 'kubeconfig', '--context': 'context', '--server': 'server', '--token': 'token', '--namespace': 'namespace',
  };
  const g: GlobalOptions = {};
  for (let i = 0; i < words.length - 1; i++) {
    const [name, value] = words[i]!.includes('=') ? [words[i]!.slice(0, words[i]!.indexOf('=')), words[i]!.slice(words[i]!.indexOf('=') + 1)] : [words[i]!, undefined];
    const flag = root.flags.find((f) => f.names.includes(name));
    const key = flag && keys[flag.names.find((n) => n.startsWith('--'))!];
    if (flag?.names.includes('--insecure-skip-tls-verify')) g.insecureSkipTlsVerify = true;
    if (!key) continue;
    (g as Record<string, string | undefined>)[key] = value ?? words[++i];
  }
  // A hung server must not hang the shell.
  return { ...g, requestTimeout: '5s' };
}

/** The cluster behind completion: one session, opened on first use. */
function sessionSource(io: CliIO, g: GlobalOptions): CompletionSource & { close(): void } {
  let session: Session | undefined;
  const open = () => (session ??= openSession(io, g));
  const namesOf = (list: KList) => list.items.map((o) => o.metadata.name ?? '').filter(Boolean);
  return {
    async types() {
      return (await open().discovery()).map((r) => r.name);
    },
    async names(type, scope) {
      const s = open();
      const r = resolveResource(type, await s.discovery());
      if (!r) return [];
      const ns = !r.namespaced || scope.allNamespaces ? undefined : scope.namespace ?? s.namespace;
      return namesOf(await s.rest.request<KList>('GET', collectionPath(r, ns)));
    },
    async namespaces() {
      return namesOf(await open().rest.request<KList>('GET', '/api/v1/namespaces'));
    },
    async contexts() {
      return (loadKubeconfig(io, g).config?.contexts ?? []).map((c) => c.name);
    },
    close() {
      session?.close();
    },
  };
}

/** `kjobs __complete WORDS… CUR`: the candidates, one per line (nothing on any failure). */
export async function runComplete(program: Command, io: CliIO, words: string[]): Promise<number> {
  const root = commandSpec(program);
  const source = sessionSource(io, globalsOf(root, words));
  try {
    const out = await complete(root, words.length ? words : [''], source);
    if (out.length) io.out(`${out.join('\n')}\n`);
  } catch {
    // Completion never prints errors into the user's command line.
  } finally {
    source.close();
  }
  return 0;
}
