import type { Job } from '@kjobs/api';
import { describe, expect, it } from 'vitest';
import { type QueueJobFacts, type QueueObservation, type QueuePlan, decideQueue, jobQueueName } from './decide-queue.js';

const POLL = 2000;
const NOW = 1_000_000;
/** Facts at NOW; the newest pod was created `createdAgoMs` before (default: long ago). */
const facts = (parallelism: number, succeeded: number, active: number, suspended = false, createdAgoMs = 60_000): QueueJobFacts => ({
  parallelism, succeeded, active, suspended, nowMs: NOW, newestPodCreatedMs: NOW - createdAgoMs,
});
const stats = (depth: number, inFlight: number): QueueObservation => ({ kind: 'stats', depth, inFlight });

describe('decideQueue', () => {
  it.each<[string, QueueJobFacts, QueueObservation, QueuePlan]>([
    ['drained, a success, nothing active: Kubernetes may complete it', facts(5, 5, 0), stats(0, 0), { mayComplete: true, summary: 'depth=0 inFlight=0' }],
    ['drained while consumers still run: may complete once they end', facts(5, 2, 3), stats(0, 0), { mayComplete: true, summary: 'depth=0 inFlight=0' }],
    ['a lease in flight holds the Job, without new pods (its consumer may still ack)', facts(5, 4, 1), stats(0, 1), { mayComplete: false, requeueAfterMs: POLL, summary: 'depth=0 inFlight=1' }],
    ['a lease in flight, every consumer gone (killed): wait for it to expire', facts(5, 4, 0), stats(0, 1), { mayComplete: false, requeueAfterMs: POLL, summary: 'depth=0 inFlight=1' }],
    ['a redelivered item after the last consumer exited: one new consumer', facts(5, 5, 0), stats(1, 0), { mayComplete: false, wantActive: 1, requeueAfterMs: POLL, summary: 'depth=1 inFlight=0' }],
    ['many waiting items after a success: back to parallelism', facts(5, 1, 2), stats(40, 2), { mayComplete: false, wantActive: 5, requeueAfterMs: POLL, summary: 'depth=40 inFlight=2' }],
    ['two waiting items, one consumer running: one more', facts(5, 3, 1), stats(2, 1), { mayComplete: false, wantActive: 3, requeueAfterMs: POLL, summary: 'depth=2 inFlight=1' }],
    ['one item waiting, its new consumer started but not yet dequeuing: no second one', facts(5, 5, 1), stats(1, 0), { mayComplete: false, requeueAfterMs: POLL, summary: 'depth=1 inFlight=0' }],
    ['three waiting, two consumers of which one holds a lease: one more', facts(5, 5, 2), stats(3, 1), { mayComplete: false, wantActive: 4, requeueAfterMs: POLL, summary: 'depth=3 inFlight=1' }],
    ['parallelism lowered after a success: no more, none deleted (Kubernetes keeps what runs)', facts(2, 1, 4), stats(9, 4), { mayComplete: false, requeueAfterMs: POLL, summary: 'depth=9 inFlight=4' }],
    ['no success yet: Kubernetes already runs parallelism pods', facts(5, 0, 5), stats(100, 0), { mayComplete: false, requeueAfterMs: POLL, summary: 'depth=100 inFlight=0' }],
    ['a redelivered item one second after the last consumer started: wait out the first poll', facts(5, 5, 0, false, 1000), stats(1, 0), { mayComplete: false, requeueAfterMs: 1000, summary: 'depth=1 inFlight=0' }],
    ['consumers that exit 0 without taking items: each round waits twice as long (3 extra: 8 polls)', facts(1, 4, 0, false, 10_000), stats(2, 0), { mayComplete: false, requeueAfterMs: POLL, summary: 'depth=2 inFlight=0' }],
    ['... and runs once that wait is over', facts(1, 4, 0, false, 16_000), stats(2, 0), { mayComplete: false, wantActive: 1, requeueAfterMs: POLL, summary: 'depth=2 inFlight=0' }],
    ['the wait between rounds is at most 5 minutes', facts(1, 40, 0, false, 300_000), stats(2, 0), { mayComplete: false, wantActive: 1, requeueAfterMs: POLL, summary: 'depth=2 inFlight=0' }],
    ['no pods yet and items waiting after a success (pods deleted): start at once', { ...facts(5, 5, 0), newestPodCreatedMs: undefined }, stats(3, 0), { mayComplete: false, wantActive: 3, requeueAfterMs: POLL, summary: 'depth=3 inFlight=0' }],
    ['suspended: no pods, still waits for the queue', facts(5, 2, 0, true), stats(3, 0), { mayComplete: false, requeueAfterMs: POLL, summary: 'depth=3 inFlight=0' }],
    ['a queue that does not exist holds the Job', facts(5, 5, 0), { kind: 'missing' }, { mayComplete: false, requeueAfterMs: POLL, summary: 'unknown: queue "keygen" does not exist' }],
    ['MemQ unreachable holds the Job and says why', facts(5, 5, 0), { kind: 'unreachable', message: 'no running pod backs service "queue"' }, { mayComplete: false, requeueAfterMs: POLL, summary: 'unknown: no running pod backs service "queue"' }],
  ])('%s', (_name, f, obs, want) => {
    expect(decideQueue(f, obs, 'keygen', POLL)).toEqual(want);
  });
});

describe('jobQueueName', () => {
  const job = (annotations: Record<string, string> | undefined, completions?: number): Job => ({
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'consumers', ...(annotations ? { annotations } : {}) },
    spec: { template: { spec: { containers: [] } }, ...(completions === undefined ? {} : { completions }) },
  } as Job);

  it.each<[string, Job, string | undefined]>([
    ['work-queue Job with the annotation', job({ 'kjobs.io/memq-queue': 'keygen' }), 'keygen'],
    ['no annotation: Kubernetes rules', job(undefined), undefined],
    ['empty annotation: Kubernetes rules', job({ 'kjobs.io/memq-queue': '' }), undefined],
    ['fixed completions: the queue does not decide (completions do)', job({ 'kjobs.io/memq-queue': 'keygen' }, 3), undefined],
  ])('%s', (_name, j, want) => {
    expect(jobQueueName(j)).toBe(want);
  });
});
