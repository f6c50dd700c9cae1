import type { Job } from '@kjobs/api';

/** The queue a work-queue Job consumes (queue-aware completion, docs/kjobs-extensions.md). */
export const MEMQ_QUEUE_ANNOTATION = 'kjobs.io/memq-queue';
/** Where that queue lives, as the Job's pods reach it; unset: kjobs' memq service. */
export const MEMQ_SERVER_ANNOTATION = 'kjobs.io/memq-server';
/** What the job-controller last saw of the queue: `depth=3 inFlight=1`, or `unknown: <why>`. */
export const MEMQ_STATUS_ANNOTATION = 'kjobs.io/memq-queue-status';

/**
 * The `MemQ Queue:` line of `kjobs describe job` for a Job that names its queue, e.g.
 * `keygen at http://queue:8080/memq/server: 0 waiting, 1 lease in flight`; undefined for any other Job.
 */
export function describeMemqQueue(job: Job): string | undefined {
  const a = job.metadata.annotations ?? {};
  const queue = a[MEMQ_QUEUE_ANNOTATION];
  if (!queue) return undefined;
  const where = `${queue} at ${a[MEMQ_SERVER_ANNOTATION] || 'the kjobs memq service'}`;
  if (job.spec.completions != null) return `${where}: not watched (completions is set; only work-queue Jobs wait for their queue)`;
  const status = a[MEMQ_STATUS_ANNOTATION];
  if (status === undefined) return `${where}: not looked at yet`;
  const m = /^depth=(\d+) inFlight=(\d+)$/.exec(status);
  if (!m) return `${where}: ${status}`;
  const inFlight = Number(m[2]);
  return `${where}: ${m[1]} waiting, ${inFlight} ${inFlight === 1 ? 'lease' : 'leases'} in flight`;
}

/**
 * `kjobs why`'s sentence for a work-queue Job held by its MemQ queue (items waiting, leases in
 * flight, or a queue the job-controller cannot see); undefined when the queue does not hold it.
 */
export function explainMemqQueue(job: Job): string | undefined {
  const a = job.metadata.annotations ?? {};
  const queue = a[MEMQ_QUEUE_ANNOTATION];
  const status = a[MEMQ_STATUS_ANNOTATION];
  if (!queue || job.spec.completions != null || status === undefined) return undefined;
  const m = /^depth=(\d+) inFlight=(\d+)$/.exec(status);
  if (!m) return `The Job waits for its MemQ queue ${queue} (kjobs.io/memq-queue), which the job-controller cannot see: ${status.replace(/^unknown: /, '')}.`;
  const depth = Number(m[1]);
  const inFlight = Number(m[2]);
  if (depth === 0 && inFlight === 0) return undefined;
  const parts = [
    ...(depth > 0 ? [`${depth} ${depth === 1 ? 'item' : 'items'} waiting`] : []),
    ...(inFlight > 0 ? [`${inFlight} ${inFlight === 1 ? 'lease' : 'leases'} in flight (an item whose consumer died comes back when its lease expires, and gets a new consumer)`] : []),
  ];
  return `The Job waits for its MemQ queue ${queue} (kjobs.io/memq-queue): ${parts.join(', ')}; it completes once the queue is empty and no lease is in flight.`;
}
