import type { Command } from 'commander';
import type { Job, KObject, Pod } from '@kjobs/api';
import { CliError, formatError } from '../errors.js';
import { goJson } from '../go-json.js';
import { podSelectorOf } from '../pods.js';
import type { ProgramContext } from '../program.js';
import { collectionPath, objectPath, query, resolveResource, typeName, type ApiResource } from '../resources.js';
import { interruptSignal, type Session } from '../session.js';
import { parseDuration } from '../print/time.js';
import { watchUntil } from '../watch.js';
import { followLog } from './logs.js';

/** Flags of `kjobs run`. */
export interface RunOptions {
  image?: string;
  restart?: string;
  stdin?: boolean;
  tty?: boolean;
  rm?: boolean;
  command?: boolean;
  env?: string[];
  labels?: string;
  podRunningTimeout?: string;
  quiet?: boolean;
}

/**
 * The Job `kjobs run` creates — the book's `kubectl run --restart=OnFailure` behaviour: one
 * container named like the Job, labels `run=NAME` (or `--labels`), the restart policy, and the
 * arguments as the container's command (`--command`) or args.
 */
export function buildRunJob(name: string, o: { image: string; restart: 'OnFailure' | 'Never'; args: string[]; command?: boolean; env?: string[]; labels?: Record<string, string> }): Job {
  const labels = o.labels ?? { run: name };
  const env = (o.env ?? []).map((kv) => {
    const i = kv.indexOf('=');
    if (i <= 0) throw new CliError(`invalid env: ${kv} (want KEY=VALUE)`);
    return { name: kv.slice(0, i), value: kv.slice(i + 1) };
  });
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels: { ...labels } },
    spec: {
      template: {
        metadata: { labels: { ...labels } },
        spec: {
          containers: [{
            name, image: o.image,
            ...(o.args.length ? (o.command ? { command: o.args } : { args: o.args }) : {}),
            ...(env.length ? { env } : {}),
            resources: {},
          }],
          restartPolicy: o.restart,
        },
      },
    },
  };
}

/** Parse `--labels a=b,c=d`. */
export function parseLabels(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const i = part.indexOf('=');
    if (i <= 0) throw new CliError(`invalid label spec: ${part}`);
    out[part.slice(0, i)] = part.slice(i + 1);
  }
  return out;
}

const EXAMPLES = `
Examples:
  # The chapter's one-shot Job: generate 10 keys and show the log as it runs
  kjobs run -i oneshot --image=gcr.io/kuar-demo/kuard-amd64:blue --restart=OnFailure \\
    --command /kuard -- --keygen-enable --keygen-exit-on-complete --keygen-num-to-gen 10

  # A Job that runs a host command once, removed when done
  kjobs run -i --rm hello --image=busybox --restart=Never --command -- sh -c 'echo hello'`;

const collect = (v: string, prev: string[] = []) => [...prev, v];

/** Register `kjobs run`. */
export function registerRun(program: Command, ctx: ProgramContext): void {
  program
    .command('run')
    .description('Create a Job running one container; with -i wait for it and stream its log (the book\'s kubectl run)')
    .argument('<name>', 'name of the Job (and its container)')
    .argument('[args...]', 'arguments (after --); the command itself with --command')
    .requiredOption('--image <image>', 'the container image')
    .option('--restart <policy>', 'the pod restart policy: OnFailure or Never', 'OnFailure')
    .option('-i, --stdin', 'wait for the Job\'s pod and stream its log until the Job ends; exit with the container\'s exit code')
    .option('-t, --tty', 'accepted for kubectl compatibility (ignored)')
    .option('--rm', 'delete the Job when it ended (with -i)')
    .option('--command', 'use the arguments as the command instead of the image\'s args')
    .option('--env <KEY=VALUE>', 'environment variable of the container (repeatable)', collect)
    .option('-l, --labels <labels>', 'labels of the Job and its pods (default run=NAME)')
    .option('--pod-running-timeout <duration>', 'how long to wait for the pod to start', '1m')
    .option('-q, --quiet', 'print nothing but the log')
    .addHelpText('after', EXAMPLES)
    .action(async (name: string, args: string[], opts: RunOptions, cmd: Command) => ctx.run(cmd, (s) => runRun(s, name, args, opts)));
}

async function resource(s: Session, type: string): Promise<ApiResource> {
  const r = resolveResource(type, await s.discovery());
  if (!r) throw new CliError(`the server doesn't have a resource type "${type}"`);
  return r;
}

function containerInstance(pod: Pod, container: string): { key: string; exitCode?: number } | undefined {
  const cs = pod.status?.containerStatuses?.find((c) => c.name === container);
  if (!cs || (!cs.state?.running && !cs.state?.terminated)) return undefined;
  return { key: `${pod.metadata.uid ?? pod.metadata.name}/${cs.restartCount ?? 0}`, exitCode: cs.state.terminated?.exitCode };
}

function finished(job: KObject | undefined): 'Complete' | 'Failed' | undefined {
  const conds = ((job?.status as Job['status'])?.conditions) ?? [];
  if (conds.some((c) => c.type === 'Complete' && c.status === 'True')) return 'Complete';
  if (conds.some((c) => c.type === 'Failed' && c.status === 'True')) return 'Failed';
  return undefined;
}

/** `kjobs run NAME --image=IMG [-i] [--rm] [-- ARGS…]`. */
export async function runRun(s: Session, name: string, args: string[], o: RunOptions): Promise<number> {
  const restart = o.restart ?? 'OnFailure';
  if (restart !== 'OnFailure' && restart !== 'Never') {
    throw new CliError(`invalid restart policy: ${restart}: kjobs run creates a Job, whose pods restart OnFailure or Never`);
  }
  if (o.rm && !o.stdin) throw new CliError('--rm should only be used for attached containers (with -i)');
  const waitMs = parseDuration(o.podRunningTimeout ?? '1m');
  if (waitMs === undefined) throw new CliError(`invalid --pod-running-timeout: ${o.podRunningTimeout}`);
  const jobs = await resource(s, 'jobs');
  const pods = await resource(s, 'pods');
  const job = buildRunJob(name, { image: o.image!, restart, args, command: o.command, env: o.env, labels: o.labels ? parseLabels(o.labels) : undefined });
  job.metadata.namespace = s.namespace;
  const created = await s.rest.request<Job>('POST', collectionPath(jobs, s.namespace) + query({ fieldManager: 'kubectl-run' }), { body: goJson(job) });
  if (!o.stdin) {
    if (!o.quiet) s.io.out(`${typeName(jobs)}/${name} created\n`);
    return 0;
  }
  const { signal, dispose } = interruptSignal(s.io);
  try {
    return await attachByLogs(s, jobs, pods, created, name, restart, waitMs, signal);
  } catch (e) {
    if (signal.aborted) return 130;
    throw e;
  } finally {
    dispose();
    if (o.rm) {
      try {
        await s.rest.request('DELETE', objectPath(jobs, s.namespace, name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' } });
        if (!o.quiet) s.io.out(`${typeName(jobs)} "${name}" deleted\n`);
      } catch (e) {
        s.io.err(`${formatError(e)}\n`);
      }
    }
  }
}

/**
 * Stream each container instance's log in turn until the Job ends: with OnFailure the container
 * restarts in place and its new logs follow, until the Job completes (exit 0) or fails (the
 * last exit code, at least 1); with Never the first failed container's exit code is returned
 * at once, as `kubectl run -i --restart=Never` does (the Job may still retry in the background).
 */
async function attachByLogs(
  s: Session, jobs: ApiResource, pods: ApiResource, job: Job, name: string, restart: 'OnFailure' | 'Never', waitMs: number, signal: AbortSignal,
): Promise<number> {
  const labelSelector = job.spec?.selector ? podSelectorOf({ ...job, kind: 'Job' }) : `job-name=${name}`;
  const streamed = new Set<string>();
  const exitCodes = new Map<string, number>();
  let lastKey: string | undefined;
  const record = (p: Pod) => {
    const cs = p.status?.containerStatuses?.find((c) => c.name === name);
    const id = p.metadata.uid ?? p.metadata.name;
    if (cs?.state?.terminated) exitCodes.set(`${id}/${cs.restartCount ?? 0}`, cs.state.terminated.exitCode);
    if (cs?.lastState?.terminated) exitCodes.set(`${id}/${Math.max(0, (cs.restartCount ?? 1) - 1)}`, cs.lastState.terminated.exitCode);
  };
  for (;;) {
    const ac = new AbortController();
    const stop = () => ac.abort();
    signal.addEventListener('abort', stop, { once: true });
    type Next = { kind: 'done'; state: 'Complete' | 'Failed' } | { kind: 'pod'; pod: Pod } | { kind: 'exited'; code: number };
    const ended = watchUntil<Next>(s.rest, jobs, { namespace: s.namespace, fieldSelector: `metadata.name=${name}` }, (objects) => {
      const j = objects.get(`${s.namespace}/${name}`);
      if (!j) throw new CliError(`job.batch "${name}" was deleted`);
      const state = finished(j);
      return state ? { kind: 'done', state } : undefined;
    }, undefined, ac.signal);
    const started = watchUntil<Next>(s.rest, pods, { namespace: s.namespace, labelSelector }, (objects) => {
      for (const p of [...objects.values()] as Pod[]) record(p);
      const code = lastKey ? exitCodes.get(lastKey) : undefined;
      if (restart === 'Never' && code !== undefined && code !== 0) return { kind: 'exited', code };
      for (const p of [...objects.values()] as Pod[]) {
        const inst = containerInstance(p, name);
        if (inst && !streamed.has(inst.key)) return { kind: 'pod', pod: p };
      }
      return undefined;
    }, streamed.size === 0 ? waitMs : undefined, ac.signal);
    let next: Next;
    try {
      next = await Promise.race([ended, started]);
    } finally {
      ac.abort();
      signal.removeEventListener('abort', stop);
      ended.catch(() => undefined);
      started.catch(() => undefined);
    }
    if (next.kind === 'exited') return next.code;
    if (next.kind === 'done') return next.state === 'Complete' ? 0 : Math.max(1, (lastKey && exitCodes.get(lastKey)) || 1);
    const podName = next.pod.metadata.name ?? '';
    lastKey = containerInstance(next.pod, name)!.key;
    streamed.add(lastKey);
    await followLog(s, objectPath(pods, s.namespace, podName, 'log') + query({ container: name, follow: true }), signal);
    if (signal.aborted) throw new CliError('interrupted');
  }
}
