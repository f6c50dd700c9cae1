import type { Command } from 'commander';
import { isApiError, type KObject, type Pod } from '@kjobs/api';
import { CliError } from '../errors.js';
import { defaultContainer, firstPod, podSelectorOf } from '../pods.js';
import type { ProgramContext } from '../program.js';
import { objectPath, query, resolveResource, type ApiResource } from '../resources.js';
import { interruptSignal, type Session } from '../session.js';
import { parseDuration } from '../print/time.js';
import { watchUntil } from '../watch.js';

/** Flags of `kjobs logs`. */
export interface LogsOptions {
  follow?: boolean;
  previous?: boolean;
  container?: string;
  tail?: string;
  timestamps?: boolean;
  podRunningTimeout?: string;
}

const EXAMPLES = `
Examples:
  # The log of the chapter's one-shot Job (its first pod)
  kjobs logs job/oneshot

  # Follow a pod's log until its container ends
  kjobs logs -f oneshot-4kfdt

  # The log of the previous (crashed) container instance, last 20 lines
  kjobs logs oneshot-4kfdt --previous --tail 20`;

/** Register `kjobs logs`. */
export function registerLogs(program: Command, ctx: ProgramContext): void {
  program
    .command('logs')
    .description('Print the logs of a container in a pod, or of the first pod of a Job / ReplicaSet / Service')
    .argument('<target>', 'POD, pod/NAME, job/NAME, rs/NAME or svc/NAME')
    .argument('[container]', 'container name (same as -c)')
    .option('-f, --follow', 'stream the log until the container ends')
    .option('-p, --previous', 'the log of the previous terminated container instance')
    .option('-c, --container <name>', 'container to read (default: the only one, or the first)')
    .option('--tail <lines>', 'lines of recent log to show (-1: all)')
    .option('--timestamps', 'prefix each line with its RFC3339 timestamp')
    .option('--pod-running-timeout <duration>', 'how long to wait for a pod of a Job to appear', '20s')
    .addHelpText('after', EXAMPLES)
    .action(async (target: string, container: string | undefined, opts: LogsOptions, cmd: Command) =>
      ctx.run(cmd, (s) => runLogs(s, target, { ...opts, container: opts.container ?? container })));
}

async function resourceOf(s: Session, type: string): Promise<ApiResource> {
  const r = resolveResource(type, await s.discovery());
  if (!r) throw new CliError(`the server doesn't have a resource type "${type}"`);
  return r;
}

/**
 * The pod a logs/port-forward target means: `POD`, `pod/NAME`, or the first pod (kubectl's
 * order) selected by a Job's, ReplicaSet's or Service's selector, waiting up to `waitMs` for one
 * to appear.
 */
export async function resolvePod(s: Session, target: string, waitMs: number, accept?: (p: Pod) => boolean): Promise<Pod> {
  const [type, name] = target.includes('/') ? target.split('/', 2) as [string, string] : ['pods', target];
  const pods = await resourceOf(s, 'pods');
  const r = await resourceOf(s, type);
  if (r === pods) {
    try {
      return await s.rest.request<Pod>('GET', objectPath(pods, s.namespace, name));
    } catch (e) {
      if (isApiError(e, 404)) throw new CliError(`error from server (NotFound): pods "${name}" not found in namespace "${s.namespace}"`);
      throw e;
    }
  }
  const owner = await s.rest.request<KObject>('GET', objectPath(r, s.namespace, name));
  const labelSelector = podSelectorOf({ ...owner, kind: owner.kind ?? r.kind });
  return watchUntil(s.rest, pods, { namespace: s.namespace, labelSelector }, (objects) => {
    const candidates = [...objects.values()].map((p) => p as Pod).filter((p) => !p.metadata.deletionTimestamp && (!accept || accept(p)));
    return firstPod(candidates);
  }, waitMs);
}

/** `kjobs logs`: print (or follow) one container's log. */
export async function runLogs(s: Session, target: string, o: LogsOptions): Promise<number> {
  const waitMs = parseDuration(o.podRunningTimeout ?? '20s');
  if (waitMs === undefined) throw new CliError(`invalid --pod-running-timeout: ${o.podRunningTimeout}`);
  const pod = await resolvePod(s, target, waitMs);
  let container = o.container;
  if (!container) {
    const d = defaultContainer(pod);
    if (d.note) s.io.err(`${d.note}\n`);
    container = d.name;
  }
  const tail = o.tail === undefined || o.tail === '-1' ? undefined : Number(o.tail);
  if (tail !== undefined && (!Number.isInteger(tail) || tail < 0)) throw new CliError(`invalid --tail: ${o.tail}`);
  const pods = await resourceOf(s, 'pods');
  const path = objectPath(pods, s.namespace, pod.metadata.name ?? '', 'log') + query({
    container, follow: o.follow || undefined, previous: o.previous || undefined, tailLines: tail, timestamps: o.timestamps || undefined,
  });
  if (!o.follow) {
    s.io.out(await s.rest.requestText('GET', path, { accept: '*/*' }));
    return 0;
  }
  await followLog(s, path);
  return 0;
}

/** Stream a `follow=true` log path to stdout until the server ends it or Ctrl-C. */
export async function followLog(s: Session, path: string, signal?: AbortSignal): Promise<void> {
  const own = signal ? undefined : interruptSignal(s.io);
  const sig = signal ?? own!.signal;
  try {
    const res = await s.rest.stream(path, '*/*', sig);
    res.setEncoding('utf8');
    const onAbort = () => res.destroy();
    sig.addEventListener('abort', onAbort, { once: true });
    try {
      for await (const chunk of res as AsyncIterable<string>) s.io.out(chunk);
    } catch (e) {
      if (!sig.aborted && (e as { code?: string }).code !== 'ECONNRESET') throw e;
    } finally {
      sig.removeEventListener('abort', onAbort);
    }
  } catch (e) {
    if (!sig.aborted) throw e;
  } finally {
    own?.dispose();
  }
}
