import { existsSync, readFileSync } from 'node:fs';
import { findKubeconfigs, mergeKubeconfigs, parseKubeconfig, resolveConnection, type Connection, type Kubeconfig } from './kubeconfig.js';
import { parseApiGroupList, parseApiResourceList, type ApiResource } from './resources.js';
import { klogLine, parseRequestTimeout, parseVerbosity } from './request-options.js';
import { RestClient } from './rest.js';

/** The outside world of one CLI run (process streams and environment, or a test's fakes). */
export interface CliIO {
  /** Write to stdout. */
  out(text: string): void;
  /** Write to stderr. */
  err(text: string): void;
  /** Whether stdout is a terminal (progress bars, colour). */
  isTTY: boolean;
  /** Terminal width when `isTTY`. */
  columns?: number;
  /** Colour status words (TTY and NO_COLOR unset). */
  color: boolean;
  env: Record<string, string | undefined>;
  cwd: string;
  home: string;
  /** Read all of stdin (`-f -`). */
  readStdin(): Promise<string>;
  now(): Date;
  /** The process id klog lines carry (`-v`). */
  pid?: number;
  /**
   * Run `handler` on Ctrl-C instead of exiting at once (streaming commands stop cleanly);
   * returns the function that removes it.
   */
  onInterrupt(handler: () => void): () => void;
}

/** An AbortSignal that fires on Ctrl-C; call `dispose` when the command is done. */
export function interruptSignal(io: CliIO): { signal: AbortSignal; dispose: () => void } {
  const ac = new AbortController();
  const off = io.onInterrupt(() => ac.abort());
  return { signal: ac.signal, dispose: off };
}

/** The global flags, as commander parses them. */
export interface GlobalOptions {
  kubeconfig?: string;
  namespace?: string;
  context?: string;
  server?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  /** `--request-timeout` (a Go duration; a bare integer is seconds; 0 = none). */
  requestTimeout?: string;
  /** `-v`: klog verbosity; 6 and more trace every request. */
  v?: string;
}

/**
 * One connected run: the connection (kubeconfig + flags), the REST client and discovery
 * (fetched once, on first use).
 */
export class Session {
  private resources?: Promise<ApiResource[]>;

  constructor(readonly io: CliIO, readonly rest: RestClient, readonly conn: Connection) {}

  /** The namespace commands act in by default (`-n`, the context's, or "default"). */
  get namespace(): string {
    return this.conn.namespace;
  }

  /** Every resource type the server serves (`/api/v1` and each group's preferred version). */
  discovery(): Promise<ApiResource[]> {
    this.resources ??= (async () => {
      const [core, groups] = await Promise.all([
        this.rest.request('GET', '/api/v1'),
        this.rest.request('GET', '/apis'),
      ]);
      const lists = await Promise.all(parseApiGroupList(groups).map((gv) => this.rest.request('GET', `/apis/${gv}`).catch(() => undefined)));
      return [...parseApiResourceList(core), ...lists.flatMap((l) => (l ? parseApiResourceList(l) : []))];
    })();
    return this.resources;
  }

  /** Release connections. */
  close(): void {
    this.rest.close();
  }
}

/** The kubeconfig the flags and environment select: its files, merged (undefined when none). */
export function loadKubeconfig(io: CliIO, g: GlobalOptions): { files: string[]; config?: Kubeconfig } {
  const files = findKubeconfigs({ flag: g.kubeconfig, kubeconfigEnv: io.env.KUBECONFIG, kjobsHome: io.env.KJOBS_HOME, cwd: io.cwd, home: io.home }, existsSync);
  return { files, config: files.length ? mergeKubeconfigs(files.map((file) => ({ file, config: parseKubeconfig(readFileSync(file, 'utf8'), file) }))) : undefined };
}

/** Resolve the kubeconfig and flags into a session. */
export function openSession(io: CliIO, g: GlobalOptions): Session {
  const timeoutMs = parseRequestTimeout(g.requestTimeout);
  const verbosity = parseVerbosity(g.v);
  const { files, config: cfg } = loadKubeconfig(io, g);
  const file = files.length === 1 ? files[0] : undefined;
  if (verbosity >= 6) for (const f of files) io.err(klogLine(io.now(), io.pid ?? 0, 'loader.go:402', `Config loaded from file:  ${f}`));
  const conn = resolveConnection(cfg, {
    context: g.context, server: g.server, token: g.token, namespace: g.namespace,
    insecureSkipTlsVerify: g.insecureSkipTlsVerify ? true : undefined,
  }, file, (p) => readFileSync(p));
  return new Session(io, new RestClient(conn, { timeoutMs, verbosity, log: (line) => io.err(line), pid: io.pid }), conn);
}
