import type { Container } from '@kjobs/api';
import { kuardCommand } from '@kjobs/kuard';
import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';

/** A program on this host: the executable and the arguments that always come first. */
export interface Program {
  command: string;
  args: string[];
}

/** Resolves a program lazily (the built-in kuard bundle is located only when first needed). */
export type ProgramSource = Program | (() => Promise<Program>);

/**
 * One image → program mapping. The program stands for the image's ENTRYPOINT; `defaultArgs` for
 * its CMD. Kubernetes rules then apply: a container `command` replaces the ENTRYPOINT and `args`
 * replace the CMD.
 */
export interface CatalogEntry {
  /**
   * Image pattern: an exact reference (`my-batch-image`, `repo/x:1.2`) or `name:*` for any tag
   * or digest of that name. A pattern without a tag means `:latest`; `docker.io/library/` is
   * implied for bare names, as Docker does.
   */
  image: string;
  /** The program that runs in place of the image's ENTRYPOINT. */
  program: ProgramSource;
  /**
   * Values of `command[0]` that name the entrypoint itself inside the image (kuard's `/kuard`):
   * such a command runs the program, with `command[1..]` and `args` after it.
   */
  entrypointAliases?: string[];
  /** The image's CMD: arguments used when the container sets neither `command` nor `args`. */
  defaultArgs?: string[];
}

/** An ordered list of entries; the first matching entry wins. */
export interface Catalog {
  entries: CatalogEntry[];
}

/** The image pattern the built-in kuard serves: every tag of the book's kuard image. */
export const KUARD_IMAGE_PATTERN = 'gcr.io/kuar-demo/kuard-amd64:*';

/**
 * The built-in kuard program from `@kjobs/kuard` (a declared dependency): `kuardCommand()` builds
 * its bundle on first use, so the cost is paid only when a kuard pod first starts.
 */
export async function builtinKuardProgram(): Promise<Program> {
  return kuardCommand();
}

/** The built-in kuard entry: ENTRYPOINT `/kuard`, no CMD. `program` may be overridden. */
export function kuardCatalogEntry(program: ProgramSource = builtinKuardProgram): CatalogEntry {
  return { image: KUARD_IMAGE_PATTERN, program, entrypointAliases: ['/kuard'], defaultArgs: [] };
}

/**
 * Build the catalog: user entries first (so they can shadow the built-in), then the built-in
 * kuard entry.
 */
export function createCatalog(opts: { entries?: CatalogEntry[]; kuardProgram?: ProgramSource } = {}): Catalog {
  return { entries: [...(opts.entries ?? []), kuardCatalogEntry(opts.kuardProgram)] };
}

interface ImageRef {
  name: string;
  tag?: string;
  digest?: string;
}

/** Split `name[:tag][@digest]` and normalise Docker Hub names (`busybox` ≡ `docker.io/library/busybox`). */
export function parseImageRef(ref: string): ImageRef {
  let rest = ref.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const out: ImageRef = { name: normaliseName(rest) };
  if (tag !== undefined) out.tag = tag;
  if (digest !== undefined) out.digest = digest;
  return out;
}

function normaliseName(name: string): string {
  for (const prefix of ['docker.io/library/', 'index.docker.io/library/', 'docker.io/', 'index.docker.io/']) {
    if (name.startsWith(prefix)) return name.slice(prefix.length);
  }
  return name;
}

/**
 * True when `image` matches `pattern`. `name:*` matches every tag and digest of name (and the
 * bare name); a pattern without a tag matches the image's `:latest`; a digest pattern matches
 * that digest only.
 */
export function matchImage(pattern: string, image: string): boolean {
  const p = parseImageRef(pattern);
  const i = parseImageRef(image);
  if (p.name !== i.name) return false;
  if (p.tag === '*') return true;
  if (p.digest !== undefined) return i.digest === p.digest;
  if (i.digest !== undefined && i.tag === undefined) return false;
  return (p.tag ?? 'latest') === (i.tag ?? 'latest');
}

/** The first entry whose pattern matches `image`. */
export function findCatalogEntry(catalog: Catalog, image: string | undefined): CatalogEntry | undefined {
  if (!image) return undefined;
  return catalog.entries.find((e) => matchImage(e.image, image));
}

/** How a container's process is launched, or why it cannot be. */
export type LaunchPlan =
  | { kind: 'run'; argv: [string, ...string[]]; imageID: string }
  | { kind: 'error'; reason: 'CreateContainerConfigError' | 'RunContainerError'; message: string };

/** What `planLaunch` needs to know about the catalog entry (its program already resolved). */
export interface ResolvedEntry {
  entry: CatalogEntry;
  program: Program;
}

/**
 * Decide the argv of a container by Kubernetes rules (pure):
 * - catalog image, no command: program + (args ?? CMD);
 * - catalog image, command[0] is an entrypoint alias: program + command[1..] + args;
 * - any other command: command + args, run as a host program (raw_exec);
 * - no catalog entry and no command: CreateContainerConfigError saying what to do.
 * `$(VAR)` expansion happens later, with the container's environment.
 */
export function planLaunch(container: Container, resolved: ResolvedEntry | undefined): LaunchPlan {
  const command = container.command ?? [];
  const args = container.args ?? [];
  const image = container.image ?? '';
  const [first, ...restCommand] = command;
  if (resolved) {
    const { entry, program } = resolved;
    const imageID = `kjobs-catalog://${entry.image}`;
    if (first === undefined) {
      const tail = container.args !== undefined ? args : (entry.defaultArgs ?? []);
      return { kind: 'run', argv: [program.command, ...program.args, ...tail], imageID };
    }
    if (entry.entrypointAliases?.includes(first)) {
      return { kind: 'run', argv: [program.command, ...program.args, ...restCommand, ...args], imageID };
    }
    return { kind: 'run', argv: [first, ...restCommand, ...args], imageID };
  }
  if (first === undefined) {
    return {
      kind: 'error',
      reason: 'CreateContainerConfigError',
      message:
        `image "${image}" is not in the kjobs image catalog and container "${container.name}" has no command: ` +
        'set the container\'s command (it runs as a host program), or map the image to a program in the agent\'s catalog file (catalogFile)',
    };
  }
  return { kind: 'run', argv: [first, ...restCommand, ...args], imageID: `kjobs-host://${first}` };
}

/**
 * Parse a catalog file (YAML or JSON):
 * ```yaml
 * images:
 *   - image: my-batch-image          # pattern, see CatalogEntry.image
 *     command: /usr/local/bin/batch  # the program standing for the ENTRYPOINT
 *     args: []                       # arguments always passed first (optional)
 *     entrypointAliases: [/batch]    # command[0] values that mean the entrypoint (optional)
 *     defaultArgs: []                # the image's CMD (optional)
 * ```
 * Throws an Error naming the bad field; a config error should stop the agent at start.
 */
export function parseCatalogFile(text: string, source = 'catalog'): CatalogEntry[] {
  const doc = parseYaml(text) as unknown;
  if (doc === null || doc === undefined) return [];
  const images = (doc as { images?: unknown }).images;
  if (!Array.isArray(images)) throw new Error(`${source}: expected a top-level "images" list`);
  return images.map((raw, i) => {
    const at = `${source}: images[${i}]`;
    if (typeof raw !== 'object' || raw === null) throw new Error(`${at}: expected an object`);
    const r = raw as Record<string, unknown>;
    if (typeof r.image !== 'string' || r.image === '') throw new Error(`${at}.image: required string`);
    if (typeof r.command !== 'string' || r.command === '') throw new Error(`${at}.command: required string`);
    const entry: CatalogEntry = { image: r.image, program: { command: r.command, args: stringList(r.args, `${at}.args`) ?? [] } };
    const aliases = stringList(r.entrypointAliases, `${at}.entrypointAliases`);
    if (aliases) entry.entrypointAliases = aliases;
    const defaultArgs = stringList(r.defaultArgs, `${at}.defaultArgs`);
    if (defaultArgs) entry.defaultArgs = defaultArgs;
    return entry;
  });
}

function stringList(v: unknown, at: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) throw new Error(`${at}: expected a list of strings`);
  return v as string[];
}

/**
 * Load the catalog: the entries of `catalogFile` (when given) ahead of the built-in kuard entry.
 * Throws when the file is missing or malformed.
 */
export async function loadCatalog(opts: { catalogFile?: string; kuardProgram?: ProgramSource } = {}): Promise<Catalog> {
  const entries = opts.catalogFile ? parseCatalogFile(await readFile(opts.catalogFile, 'utf8'), opts.catalogFile) : [];
  const catalogOpts: { entries: CatalogEntry[]; kuardProgram?: ProgramSource } = { entries };
  if (opts.kuardProgram) catalogOpts.kuardProgram = opts.kuardProgram;
  return createCatalog(catalogOpts);
}

const resolvedPrograms = new WeakMap<CatalogEntry, Promise<Program>>();

/**
 * The launch plan of a container against a catalog. Never throws: a lazy program that cannot be
 * resolved (e.g. the kuard bundle is missing) becomes a RunContainerError plan; a failed lazy
 * resolution is retried on the next call.
 */
export async function resolveLaunch(catalog: Catalog, container: Container): Promise<LaunchPlan> {
  const entry = findCatalogEntry(catalog, container.image);
  if (!entry) return planLaunch(container, undefined);
  const first = container.command?.[0];
  if (first !== undefined && !entry.entrypointAliases?.includes(first)) {
    // The command replaces the entrypoint: the entry's program is not needed.
    return planLaunch(container, { entry, program: { command: first, args: [] } });
  }
  try {
    return planLaunch(container, { entry, program: await programOf(entry) });
  } catch (err) {
    return {
      kind: 'error',
      reason: 'RunContainerError',
      message: `image "${container.image ?? ''}": the catalog program for "${entry.image}" is not available: ${(err as Error).message}`,
    };
  }
}

function programOf(entry: CatalogEntry): Promise<Program> {
  const source = entry.program;
  if (typeof source !== 'function') return Promise.resolve(source);
  let p = resolvedPrograms.get(entry);
  if (!p) {
    p = source();
    resolvedPrograms.set(entry, p);
    p.catch(() => resolvedPrograms.delete(entry));
  }
  return p;
}
