import { execFile } from 'node:child_process';
import { readdir } from 'node:fs/promises';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where `ip netns` keeps its named namespaces. */
export const NETNS_DIR = '/run/netns';

/** A failed `ip` command: its arguments and what it printed. */
export class IpCommandError extends Error {
  constructor(readonly args: string[], readonly stderr: string) {
    super(`ip ${args.join(' ')}: ${stderr.trim()}`);
    this.name = 'IpCommandError';
  }
}

/** Run `ip <args>` (iproute2); throws IpCommandError with its stderr. */
export async function ip(...args: string[]): Promise<string> {
  try {
    return (await run('ip', args, { timeout: 30_000 })).stdout;
  } catch (e) {
    throw new IpCommandError(args, (e as { stderr?: string }).stderr ?? (e as Error).message);
  }
}

/** `ip` that may fail because the thing already exists (or is already gone): true when it did something. */
export async function ipTolerant(...args: string[]): Promise<boolean> {
  try {
    await ip(...args);
    return true;
  } catch (e) {
    if (e instanceof IpCommandError && /File exists|Cannot find|No such|does not exist|not found/i.test(e.stderr)) return false;
    throw e;
  }
}

/** Names of the named network namespaces (`ip netns list`, read from /run/netns). */
export async function listNetns(): Promise<string[]> {
  return readdir(NETNS_DIR).catch(() => [] as string[]);
}

/** The path of a named namespace. */
export function netnsPath(name: string): string {
  return `${NETNS_DIR}/${name}`;
}

/**
 * Create a named namespace with its loopback up (nothing when it exists). `loopbackUp: false`
 * when the CNI loopback plugin runs next anyway (a pod's namespace: one `ip` exec less per pod).
 */
export async function ensureNetns(name: string, o: { loopbackUp?: boolean } = {}): Promise<void> {
  if ((await listNetns()).includes(name)) return;
  await ipTolerant('netns', 'add', name);
  if (o.loopbackUp !== false) await ip('-n', name, 'link', 'set', 'lo', 'up');
}

/** Delete a named namespace (nothing when it is gone). */
export async function deleteNetns(name: string): Promise<void> {
  await ipTolerant('netns', 'del', name);
}

/** Set sysctls inside a namespace only (never the host's): `ip netns exec NS sysctl -qw k=v…`. */
export async function nsSysctl(ns: string, settings: Record<string, string | number>): Promise<void> {
  await ip('netns', 'exec', ns, 'sysctl', '-qw', ...Object.entries(settings).map(([k, v]) => `${k}=${v}`));
}

/** Names of the links in a namespace. */
export async function linkNames(ns: string): Promise<string[]> {
  const out = await ip('-n', ns, '-o', 'link', 'show').catch(() => '');
  return out.split('\n').map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1]).filter((x): x is string => !!x);
}
