import type { Command } from 'commander';
import type { CronJob, Event, Job, KList, Pod } from '@kjobs/api';
import { CliError } from '../errors.js';
import { podSelectorOf } from '../pods.js';
import type { ProgramContext } from '../program.js';
import { collectionPath, objectPath, query, resolveResource, type ApiResource } from '../resources.js';
import type { Session } from '../session.js';
import { explainCronJob } from '../why/explain-cronjob.js';
import { explainJob } from '../why/explain-job.js';
import { eventsFor } from './describe.js';

/** Log lines shown for a crash-looping container. */
const LOG_TAIL_LINES = 5;

const EXAMPLES = `
Examples:
  # Why has the Job "render" not completed yet?
  kjobs why job/render

  # Why did the CronJob not run, and when does it run next?
  kjobs why cronjob/nightly

Reads the Job, its pods, their events and the previous log of crash-looping containers, and
says in sentences what holds it: suspended, pod-recreation backoff, pods Pending (the
scheduler's reasons), image pull failures, CrashLoopBackOff, the active deadline, the backoff
budget; for a CronJob, suspension, the last skipped run and why, and the next run.`;

/** Register `kjobs why` (kjobs extension). */
export function registerWhy(program: Command, ctx: ProgramContext): void {
  program
    .command('why')
    .description('Explain in sentences what holds a Job or CronJob now (kjobs extension)')
    .argument('<object>', 'job/NAME or cronjob/NAME')
    .addHelpText('after', EXAMPLES)
    .action(async (arg: string, _o: unknown, cmd: Command) => ctx.run(cmd, (s) => runWhy(s, arg)));
}

async function resource(s: Session, type: string): Promise<ApiResource> {
  const r = resolveResource(type, await s.discovery());
  if (!r || (r.kind !== 'Job' && r.kind !== 'CronJob')) throw new CliError(`why works on Jobs and CronJobs, not "${type}"`);
  return r;
}

/** `kjobs why TYPE/NAME`: gather the objects (I/O), explain them (pure), print one paragraph per sentence. */
export async function runWhy(s: Session, arg: string): Promise<number> {
  if (!arg.includes('/')) throw new CliError('name the object as job/NAME or cronjob/NAME');
  const [type, name] = arg.split('/', 2) as [string, string];
  const r = await resource(s, type);
  const obj = await s.rest.request<Job | CronJob>('GET', objectPath(r, s.namespace, name));
  const sentences = r.kind === 'CronJob'
    ? explainCronJob({ cronJob: obj as CronJob, events: (await eventsFor(s, r, obj)) ?? [], now: s.io.now() })
    : await explainJobNow(s, obj as Job);
  s.io.out(`${r.kind === 'Job' ? 'job.batch' : 'cronjob.batch'}/${name}:\n${sentences.map((t) => `- ${t}\n`).join('')}`);
  return 0;
}

/**
 * Does: 1. list the Job's pods by its selector; 2. list the namespace's events about the Job and
 * those pods; 3. read the previous log tail of each CrashLoopBackOff container; 4. explain.
 */
async function explainJobNow(s: Session, job: Job): Promise<string[]> {
  const resources = await s.discovery();
  const ns = job.metadata.namespace ?? s.namespace;
  const pods = resolveResource('pods', resources)!;
  const podList = (await s.rest.request<KList<Pod>>('GET', collectionPath(pods, ns) + query({ labelSelector: podSelectorOf({ ...job, kind: 'Job' }) }))).items;
  const uids = new Set([job.metadata.uid, ...podList.map((p) => p.metadata.uid)]);
  const eventsR = resolveResource('events', resources);
  const events = eventsR
    ? (await s.rest.request<KList<Event>>('GET', collectionPath(eventsR, ns) + query({ limit: 500 })).catch(() => ({ items: [] as Event[] }))).items
      .filter((e) => uids.has(e.involvedObject.uid))
    : [];
  const previousLogs: Record<string, string> = {};
  for (const p of podList) {
    for (const c of p.status?.containerStatuses ?? []) {
      if (c.state?.waiting?.reason !== 'CrashLoopBackOff') continue;
      const path = `${objectPath(pods, ns, p.metadata.name ?? '')}/log${query({ container: c.name, previous: true, tailLines: LOG_TAIL_LINES })}`;
      previousLogs[`${p.metadata.name}/${c.name}`] = await s.rest.requestText('GET', path, { accept: '*/*' }).catch(() => '');
    }
  }
  return explainJob({ job, pods: podList, events, previousLogs, now: s.io.now() });
}
