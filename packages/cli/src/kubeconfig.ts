import path from 'node:path';
import YAML from 'yaml';
import { CliError } from './errors.js';

/** A kubeconfig cluster entry (the fields kjobs uses). */
export interface KubeconfigCluster {
  server: string;
  'certificate-authority-data'?: string;
  'certificate-authority'?: string;
  'insecure-skip-tls-verify'?: boolean;
}
/** A kubeconfig user entry (bearer token auth). */
export interface KubeconfigUser {
  token?: string;
  tokenFile?: string;
}
/** A kubeconfig context entry. */
export interface KubeconfigContext {
  cluster: string;
  user?: string;
  namespace?: string;
}
/** A parsed kubeconfig (YAML or JSON, kubectl's `Config` kind). */
export interface Kubeconfig {
  clusters: { name: string; cluster: KubeconfigCluster }[];
  users: { name: string; user: KubeconfigUser }[];
  contexts: { name: string; context: KubeconfigContext }[];
  currentContext?: string;
}

/** Parse kubeconfig text (YAML; JSON is valid YAML). `source` names the file in errors. */
export function parseKubeconfig(text: string, source: string): Kubeconfig {
  let doc: unknown;
  try {
    doc = YAML.parse(text);
  } catch (e) {
    throw new CliError(`error loading config file "${source}": ${(e as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new CliError(`error loading config file "${source}": not a kubeconfig`);
  const d = doc as Record<string, unknown>;
  const list = <T>(key: string, inner: string): { name: string; [k: string]: T | string }[] => {
    const v = d[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) throw new CliError(`error loading config file "${source}": "${key}" must be a list`);
    return v.map((item, i) => {
      const o = (item ?? {}) as Record<string, unknown>;
      if (typeof o.name !== 'string') throw new CliError(`error loading config file "${source}": ${key}[${i}] has no name`);
      return { name: o.name, [inner]: (o[inner] ?? {}) as T };
    });
  };
  return {
    clusters: list<KubeconfigCluster>('clusters', 'cluster') as Kubeconfig['clusters'],
    users: list<KubeconfigUser>('users', 'user') as Kubeconfig['users'],
    contexts: list<KubeconfigContext>('contexts', 'context') as Kubeconfig['contexts'],
    currentContext: typeof d['current-context'] === 'string' && d['current-context'] ? d['current-context'] : undefined,
  };
}

/** Where a kubeconfig may be, in the order kjobs looks. */
export interface KubeconfigSearch {
  /** `--kubeconfig` */
  flag?: string;
  /** $KUBECONFIG (a path list separated by ":") */
  kubeconfigEnv?: string;
  /** $KJOBS_HOME */
  kjobsHome?: string;
  cwd: string;
  home: string;
}

/**
 * The kubeconfig file to use: `--kubeconfig`, then the first existing entry of $KUBECONFIG,
 * `$KJOBS_HOME/kubeconfig`, `./.kjobs/kubeconfig`, `~/.kube/config`. An explicit flag must
 * exist; undefined when nothing was found.
 */
export function findKubeconfig(s: KubeconfigSearch, exists: (p: string) => boolean): string | undefined {
  return findKubeconfigs(s, exists)[0];
}

/**
 * The kubeconfig files to load, in priority order: `--kubeconfig` alone (it must exist); else
 * every existing file of $KUBECONFIG (duplicates once), merged as kubectl merges them; else the
 * first existing of `$KJOBS_HOME/kubeconfig`, `./.kjobs/kubeconfig`, `~/.kube/config`.
 */
export function findKubeconfigs(s: KubeconfigSearch, exists: (p: string) => boolean): string[] {
  if (s.flag) {
    const p = path.resolve(s.cwd, s.flag);
    if (!exists(p)) throw new CliError(`stat ${s.flag}: no such file or directory`);
    return [p];
  }
  const listed = [...new Set((s.kubeconfigEnv ?? '').split(path.delimiter).filter(Boolean).map((p) => path.resolve(s.cwd, p)))].filter((p) => exists(p));
  if (listed.length) return listed;
  const fallbacks = [
    ...(s.kjobsHome ? [path.resolve(s.cwd, s.kjobsHome, 'kubeconfig')] : []),
    path.resolve(s.cwd, '.kjobs', 'kubeconfig'),
    path.join(s.home, '.kube', 'config'),
  ];
  const found = fallbacks.find((p) => exists(p));
  return found ? [found] : [];
}

/**
 * Merge kubeconfigs as kubectl merges $KUBECONFIG: for clusters, users and contexts the first
 * file that names an entry wins it whole; `current-context` comes from the first file that sets
 * one. Relative `certificate-authority` and `tokenFile` paths resolve against the file that holds
 * them (kubectl's ResolveLocalPaths), so the result no longer depends on where it came from.
 */
export function mergeKubeconfigs(files: { file: string; config: Kubeconfig }[]): Kubeconfig {
  const merged: Kubeconfig = { clusters: [], users: [], contexts: [], currentContext: undefined };
  for (const { file, config } of files) {
    const dir = path.dirname(file);
    const take = <T extends { name: string }>(into: T[], from: T[], resolve: (e: T) => T) => {
      for (const e of from) if (!into.some((x) => x.name === e.name)) into.push(resolve(e));
    };
    take(merged.clusters, config.clusters, (e) => ({
      ...e, cluster: { ...e.cluster, ...(e.cluster['certificate-authority'] ? { 'certificate-authority': path.resolve(dir, e.cluster['certificate-authority']) } : {}) },
    }));
    take(merged.users, config.users, (e) => ({ ...e, user: { ...e.user, ...(e.user.tokenFile ? { tokenFile: path.resolve(dir, e.user.tokenFile) } : {}) } }));
    take(merged.contexts, config.contexts, (e) => e);
    merged.currentContext ??= config.currentContext;
  }
  return merged;
}

/** Flags that override the kubeconfig. */
export interface ConnectionFlags {
  context?: string;
  server?: string;
  token?: string;
  insecureSkipTlsVerify?: boolean;
  namespace?: string;
}

/** Everything needed to talk to the api-server. */
export interface Connection {
  server: string;
  token?: string;
  /** PEM CA bundle. */
  ca?: Buffer;
  insecureSkipTLSVerify: boolean;
  /** The namespace commands use by default. */
  namespace: string;
  /** Whether the namespace came from `-n` (apply refuses a manifest in another namespace). */
  namespaceExplicit: boolean;
}

/**
 * Combine a kubeconfig (optional) and flags into a connection. `configPath` resolves relative
 * `certificate-authority` and `tokenFile` paths; `readFile` reads them.
 */
export function resolveConnection(
  cfg: Kubeconfig | undefined, flags: ConnectionFlags, configPath: string | undefined, readFile: (p: string) => Buffer,
): Connection {
  const baseDir = configPath ? path.dirname(configPath) : '.';
  let cluster: KubeconfigCluster | undefined;
  let user: KubeconfigUser | undefined;
  let ctx: KubeconfigContext | undefined;
  if (cfg) {
    const ctxName = flags.context ?? cfg.currentContext;
    if (flags.context && !cfg.contexts.some((c) => c.name === flags.context)) throw new CliError(`context "${flags.context}" does not exist`);
    ctx = cfg.contexts.find((c) => c.name === ctxName)?.context;
    if (!ctx && cfg.contexts.length === 0 && cfg.clusters.length === 1) {
      ctx = { cluster: cfg.clusters[0]!.name, user: cfg.users[0]?.name };
    }
    if (ctx) {
      cluster = cfg.clusters.find((c) => c.name === ctx!.cluster)?.cluster;
      if (!cluster && !flags.server) throw new CliError(`cluster "${ctx.cluster}" of context "${ctxName}" is not in the kubeconfig ${configPath ?? ''}`.trim());
      user = ctx.user ? cfg.users.find((u) => u.name === ctx!.user)?.user : undefined;
    }
  }
  const server = flags.server ?? cluster?.server;
  if (!server) {
    throw new CliError('no kjobs api-server configured: start the cluster with `npm start` (it writes .kjobs/kubeconfig), '
      + 'or pass --kubeconfig FILE or --server URL');
  }
  let ca: Buffer | undefined;
  if (!flags.server || flags.server === cluster?.server) {
    if (cluster?.['certificate-authority-data']) ca = Buffer.from(cluster['certificate-authority-data'], 'base64');
    else if (cluster?.['certificate-authority']) ca = readFile(path.resolve(baseDir, cluster['certificate-authority']));
  }
  let token = flags.token ?? user?.token;
  if (!token && user?.tokenFile) token = readFile(path.resolve(baseDir, user.tokenFile)).toString('utf8').trim();
  return {
    server: server.replace(/\/+$/, ''),
    token: token || undefined,
    ca,
    insecureSkipTLSVerify: flags.insecureSkipTlsVerify ?? cluster?.['insecure-skip-tls-verify'] ?? false,
    namespace: flags.namespace || ctx?.namespace || 'default',
    namespaceExplicit: !!flags.namespace,
  };
}
