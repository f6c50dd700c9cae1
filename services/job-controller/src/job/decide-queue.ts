/**
 * Queue-aware completion for the work-queue pattern (a kjobs extension, docs/kjobs-extensions.md).
 *
 * A Job in work-queue mode (`completions` unset) annotated `kjobs.io/memq-queue: <queue>` names the
 * MemQ queue its pods consume. Kubernetes completes such a Job once any pod succeeded and none is
 * active, and creates no pod after the first success — so an item whose consumer died holding a
 * lease comes back to a queue nobody reads any more. With the annotation the Job also waits for
 * the queue: it may complete only when the queue is empty and no lease is in flight, and while
 * items wait in the queue after a success it keeps up to `parallelism` consumers (one per waiting
 * item at most) instead of none.
 *
 * This file is the pure part: the annotations, and `decideQueue` (facts of one sync + what MemQ
 * said → what to do). The controller asks MemQ (memq/queue-stats.ts) and writes the summary.
 */
import type { Job } from '@kjobs/api';

/** The queue a work-queue Job consumes (opts the Job in). */
export const MEMQ_QUEUE_ANNOTATION = 'kjobs.io/memq-queue';
/** Where that queue lives, as the pods reach it (`http://queue:8080/memq/server`); default: kjobs' memq service. */
export const MEMQ_SERVER_ANNOTATION = 'kjobs.io/memq-server';
/** Kept by the job-controller: what it last saw of the queue (`depth=3 inFlight=1`, or `unknown: <why>`). */
export const MEMQ_STATUS_ANNOTATION = 'kjobs.io/memq-queue-status';

/** What MemQ said about the queue at the last look. */
export type QueueObservation =
  /** The queue's counters: items waiting, and items leased but neither acked nor expired. */
  | { kind: 'stats'; depth: number; inFlight: number }
  /** MemQ answered, but has no such queue. */
  | { kind: 'missing' }
  /** MemQ could not be asked (no backing pod, connection refused, bad answer). */
  | { kind: 'unreachable'; message: string };

/** The facts of one sync the decision needs (JobContext fits). */
export interface QueueJobFacts {
  parallelism: number;
  /** Pods succeeded so far (counted and newly seen). */
  succeeded: number;
  /** Pods active now (before this sync's creates and deletes). */
  active: number;
  suspended: boolean;
  nowMs: number;
  /** When the Job's newest pod was created (epoch ms); undefined without pods. */
  newestPodCreatedMs: number | undefined;
}

/** The longest wait between two rounds of consumers started for a queue after a success. */
export const MAX_QUEUE_RESTART_DELAY_MS = 5 * 60_000;

/** What the queue asks of this sync. */
export interface QueuePlan {
  /** May Kubernetes' work-queue rule (a success, nothing active) complete the Job now? */
  mayComplete: boolean;
  /** Pods wanted active instead of Kubernetes' number; undefined: Kubernetes' number. */
  wantActive?: number;
  /** Look at the queue again after this long (nothing else would wake the sync). */
  requeueAfterMs?: number;
  /** The value of the status annotation. */
  summary: string;
}

/** The queue a Job names, when the extension applies: annotated and in work-queue mode. */
export function jobQueueName(job: Job): string | undefined {
  const q = job.metadata.annotations?.[MEMQ_QUEUE_ANNOTATION];
  if (q === undefined || q === '' || job.spec.completions != null) return undefined;
  return q;
}

/** The status annotation's value for an observation. */
export function queueSummary(obs: QueueObservation, queue: string): string {
  switch (obs.kind) {
    case 'stats':
      return `depth=${obs.depth} inFlight=${obs.inFlight}`;
    case 'missing':
      return `unknown: queue "${queue}" does not exist`;
    case 'unreachable':
      return `unknown: ${obs.message}`;
  }
}

/**
 * Decide for one sync of a Job that names a queue:
 * 1. the Job may complete only when the queue was seen empty with no lease in flight; a queue that
 *    could not be seen, or does not exist, holds the Job (the annotation says why);
 * 2. after the first success (when Kubernetes stops creating pods), items waiting in the queue get
 *    consumers: `min(parallelism, active + depth - idle)` (and never fewer than run), where `idle =
 *    active - inFlight` are consumers holding no lease, which take waiting items themselves (one
 *    started for a redelivered item and not yet dequeuing is not a reason for another) — never
 *    more than one new pod per waiting item, since a consumer exits at its first empty dequeue; leases in flight get none (the consumer may
 *    still ack; if its lease expires the item is waiting again and gets one then). Such a round
 *    starts `pollMs · 2^(succeeded - parallelism)` (at most 5 min) after the newest pod was
 *    created, so consumers that exit 0 without taking the items (a misconfigured queue name) are
 *    not re-created in a tight loop: the first redelivery waits one poll, each more round longer;
 * 3. until the queue is drained, look again every `pollMs`: lease expiry and acks happen in MemQ,
 *    where no pod event announces them.
 * Suspended Jobs keep Kubernetes' rule (no pods), but still wait for the queue to complete.
 */
export function decideQueue(facts: QueueJobFacts, obs: QueueObservation, queue: string, pollMs: number): QueuePlan {
  const summary = queueSummary(obs, queue);
  if (obs.kind !== 'stats') return { mayComplete: false, requeueAfterMs: pollMs, summary };
  const drained = obs.depth === 0 && obs.inFlight === 0;
  const plan: QueuePlan = { mayComplete: drained, summary };
  if (!drained) plan.requeueAfterMs = pollMs;
  if (facts.suspended || facts.succeeded === 0 || obs.depth === 0) return plan;
  // Never below what runs: after a success Kubernetes deletes no consumer either.
  const idle = Math.max(0, facts.active - obs.inFlight);
  const want = Math.max(facts.active, Math.min(facts.parallelism, facts.active + Math.max(0, obs.depth - idle)));
  if (want === facts.active) return plan;
  const delay = Math.min(pollMs * 2 ** Math.max(0, facts.succeeded - facts.parallelism), MAX_QUEUE_RESTART_DELAY_MS);
  const left = facts.newestPodCreatedMs === undefined ? 0 : facts.newestPodCreatedMs + delay - facts.nowMs;
  if (left > 0) plan.requeueAfterMs = Math.min(pollMs, left);
  else plan.wantActive = want;
  return plan;
}
