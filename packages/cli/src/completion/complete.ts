/**
 * What `kjobs __complete WORDS… CURRENT` answers, which the shell scripts of `kjobs completion`
 * call on <Tab> (cobra's design, as kubectl's completion works): command names, flags, flag
 * values, resource types and object names, one per line. The line `:files` alone asks the shell
 * to complete file names instead. Pure: the cluster is behind a CompletionSource.
 */

/** One flag of a command, as completion needs it. */
export interface FlagSpec {
  /** `--output`, `-o`. */
  names: string[];
  takesValue: boolean;
}

/** What a command's positional arguments are. */
export type PositionalKind =
  | { kind: 'none' }
  | { kind: 'words'; words: string[] }
  /** get, describe, delete, wait: TYPE then names of that type, or TYPE/NAME. */
  | { kind: 'type-then-names' }
  /** logs, port-forward: a pod name, or TYPE/NAME. */
  | { kind: 'pod-or-typed' }
  /** progress, rerun, why, schedule: NAME or TYPE/NAME of these types. */
  | { kind: 'typed'; types: string[] };

/** A command (or sub-command) of the program. */
export interface CommandSpec {
  name: string;
  flags: FlagSpec[];
  positional: PositionalKind;
  subcommands: CommandSpec[];
}

/** Where object names are listed: `-n NAME` (undefined: the context's namespace), or `-A`. */
export interface NameScope {
  namespace?: string;
  allNamespaces: boolean;
}

/** The cluster, for names; every method may fail (completion then offers nothing). */
export interface CompletionSource {
  /** Resource type names (plural), e.g. jobs, cronjobs, pods. */
  types(): Promise<string[]>;
  /** Object names of a type (any name kubectl takes: job, jobs, cj) in a namespace (`-n`, else the context's) or all. */
  names(type: string, scope: NameScope): Promise<string[]>;
  namespaces(): Promise<string[]>;
  contexts(): Promise<string[]>;
}

/** The first line that asks the shell for file-name completion. */
export const FILES = ':files';

const FILE_FLAGS = new Set(['--filename', '-f', '--kubeconfig', '--template']);

/** Candidates for the last word of `words` (the words after `kjobs`; the last may be ""). */
export async function complete(root: CommandSpec, words: string[], source: CompletionSource): Promise<string[]> {
  const cur = words[words.length - 1] ?? '';
  let cmd: CommandSpec | undefined;
  let namespace: string | undefined;
  let allNamespaces = false;
  const positionals: string[] = [];
  let pendingFlag: string | undefined;
  for (const w of words.slice(0, -1)) {
    if (pendingFlag) {
      if (pendingFlag === '--namespace') namespace = w;
      pendingFlag = undefined;
      continue;
    }
    if (w.startsWith('-') && w !== '-') {
      const [name, value] = splitFlag(w);
      const flag = findFlag(root, cmd, name);
      if (flag?.names.includes('--namespace')) namespace = value ?? namespace;
      if (flag?.names.includes('--all-namespaces')) allNamespaces = true;
      if (flag?.takesValue && value === undefined) pendingFlag = longName(flag);
      continue;
    }
    const sub = (cmd ?? root).subcommands.find((c) => c.name === w);
    if (sub && positionals.length === 0) cmd = sub;
    else positionals.push(w);
  }
  const ns: NameScope = { namespace, allNamespaces };
  const match = (list: string[]) => [...new Set(list)].filter((x) => x.startsWith(cur)).sort();

  if (pendingFlag) return flagValues(pendingFlag, cur, source, match);
  if (cur.startsWith('-')) {
    const [name, value] = splitFlag(cur);
    if (value !== undefined) {
      const flag = findFlag(root, cmd, name);
      if (!flag?.takesValue) return [];
      const values = await flagValues(longName(flag), value, source, (l) => l.filter((x) => x.startsWith(value)));
      return values[0] === FILES ? values : values.map((v) => `${name}=${v}`);
    }
    return match([...(cmd?.flags ?? []), ...root.flags].flatMap((f) => f.names.filter((n) => n.startsWith('--'))));
  }
  if (!cmd) return match(root.subcommands.map((c) => c.name));
  if (cmd.subcommands.length && positionals.length === 0) return match(cmd.subcommands.map((c) => c.name));
  const p = cmd.positional;
  const typed = async (type: string) => (await source.names(type, ns)).map((n) => `${type}/${n}`);
  try {
    if (p.kind === 'words') return positionals.length === 0 ? match(p.words) : [];
    if (cur.includes('/') && p.kind !== 'none') return match(await typed(cur.slice(0, cur.indexOf('/'))));
    switch (p.kind) {
      case 'type-then-names': {
        if (positionals.length === 0) return match(await source.types());
        const first = positionals[0]!;
        if (first.includes('/') || first.includes(',')) return [];
        return match(await source.names(first, ns));
      }
      case 'pod-or-typed':
        return positionals.length === 0 ? match(await source.names('pods', ns)) : [];
      case 'typed':
        if (positionals.length > 0) return [];
        if (p.types.length === 1) return match(await source.names(p.types[0]!, ns));
        return match(p.types.map((t) => `${t}/`));
      default:
        return [];
    }
  } catch {
    return [];
  }
}

async function flagValues(flag: string, cur: string, source: CompletionSource, match: (l: string[]) => string[]): Promise<string[]> {
  if (FILE_FLAGS.has(flag)) return [FILES];
  try {
    switch (flag) {
      case '--namespace':
        return match(await source.namespaces());
      case '--context':
        return match(await source.contexts());
      case '--output':
        if (/^(jsonpath-file|custom-columns-file)=/.test(cur)) return [FILES];
        return match(['json', 'yaml', 'wide', 'name', 'jsonpath=', 'jsonpath-file=', 'jsonpath-as-json=', 'custom-columns=', 'custom-columns-file=']);
      default:
        return [];
    }
  } catch {
    return [];
  }
}

function splitFlag(w: string): [string, string | undefined] {
  const eq = w.indexOf('=');
  return eq < 0 ? [w, undefined] : [w.slice(0, eq), w.slice(eq + 1)];
}

function findFlag(root: CommandSpec, cmd: CommandSpec | undefined, name: string): FlagSpec | undefined {
  return [...(cmd?.flags ?? []), ...root.flags].find((f) => f.names.includes(name));
}

function longName(f: FlagSpec): string {
  return f.names.find((n) => n.startsWith('--')) ?? f.names[0]!;
}
