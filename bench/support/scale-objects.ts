/** The scale benchmark's objects (finished pods, suspended Jobs, the timed Jobs and CronJobs) and how it writes them in bulk. (part of bench/scale.ts) */
import type { CronJob, Job, KObject, Pod } from '@kjobs/api';
import { NatsClient } from '@kjobs/client';
import { inFlight } from './util.js';

export const GHOST_NODE = 'scale-ghost';
export const NS = 'default';
export const WATCHERS = [1, 10, 100];
export const WATCH_RATE = 1000;
export const WATCH_SECONDS = 3;
export const WATCH_BATCH = 50;
export const PARALLELISM = 200;
export const SCHEDULED = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

/** A finished pod as a Job leaves it (labels of a Job's pod, a terminated container), minus the ownerReference (the GC would delete it). */
export function finishedPod(name: string, i: number): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: NS, labels: { 'batch.kubernetes.io/job-name': 'scale', 'job-name': 'scale', 'batch.kubernetes.io/controller-uid': '00000000-0000-4000-8000-000000000000', 'batch.kubernetes.io/job-completion-index': String(i) } },
    spec: {
      nodeName: GHOST_NODE, restartPolicy: 'Never', terminationGracePeriodSeconds: 1,
      containers: [{ name: 'c', image: 'busybox', command: ['true'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  };
}

export function finishedStatus(i: number): Pod['status'] {
  const t = new Date(Date.UTC(2026, 11, 7, 12, 0, i % 60)).toISOString().replace('.000', '');
  return {
    phase: 'Succeeded', hostIP: '127.0.0.1', podIP: `127.99.${(i >> 8) & 255}.${i & 255}`, startTime: t, qosClass: 'Burstable',
    conditions: ['PodScheduled', 'Initialized', 'ContainersReady', 'Ready'].map((type) => ({ type, status: type === 'PodScheduled' || type === 'Initialized' ? 'True' : 'False', lastTransitionTime: t, ...(type.endsWith('Ready') ? { reason: 'PodCompleted' } : {}) })),
    containerStatuses: [{ name: 'c', image: 'busybox', imageID: '', ready: false, restartCount: 0, started: false, state: { terminated: { exitCode: 0, reason: 'Completed', startedAt: t, finishedAt: t, containerID: `process://${i}` } } }],
  } as Pod['status'];
}

export function suspendedJob(name: string): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: NS },
    spec: { suspend: true, completions: 1, parallelism: 1, template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'] }], restartPolicy: 'Never' } } },
  };
}

export function benchJob(name: string, completions: number, indexed: boolean): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      completions, parallelism: PARALLELISM, backoffLimit: 1000, ...(indexed ? { completionMode: 'Indexed' } : {}),
      template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'] }], restartPolicy: 'Never', terminationGracePeriodSeconds: 1 } },
    },
  };
}

export function cronJob(i: number): CronJob {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob',
    metadata: { name: `cron-${i}`, namespace: NS },
    spec: {
      schedule: '*/1 * * * *',
      jobTemplate: { spec: { suspend: true, template: { spec: { containers: [{ name: 'c', image: 'busybox', command: ['true'] }], restartPolicy: 'Never' } } } },
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, Math.max(0, ms)));
export const nowMs = (): number => performance.timeOrigin + performance.now();
export const mib = (b: number) => b / 1024 / 1024;
export const log = (size: number, line: string) => process.stderr.write(`[scale ${size}] ${line}\n`);

/** Create `objs` over NATS in batches of 100, `concurrency` batches in flight; throws on the first refused one. */
export async function createAll(client: NatsClient, kind: string, count: number, make: (i: number) => KObject, concurrency = 8): Promise<number> {
  const batches = Math.ceil(count / 100);
  return inFlight(batches, concurrency, async (b) => {
    const objs = Array.from({ length: Math.min(100, count - b * 100) }, (_, k) => make(b * 100 + k));
    const res = await client.createMany(kind, objs);
    const bad = res.find((r) => r instanceof Error);
    if (bad) throw bad;
  });
}
