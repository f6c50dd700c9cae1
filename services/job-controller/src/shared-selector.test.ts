/**
 * The selector lookups of the shared informers: every orphan pod a Job's selector matches is among
 * the pods looked up for it to adopt, and every Job whose selector matches a pod is among the Jobs looked up
 * for that pod — pinned selectors (the generated `batch.kubernetes.io/controller-uid`), manual
 * selectors without it, and other namespaces.
 */
import { labelSelectorToRequirements, matchesLabels, type Job, type KObject, type ListMeta, type Pod, type WatchEvent } from '@kjobs/api';
import type { ApiClient, WatchHandle } from '@kjobs/client';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { createShared, jobsMaySelect, orphansJobMaySelect, podsJobControls } from './shared.js';

/** Just enough of an ApiClient for the informers: empty lists, then watches the test drives. */
function scriptedClient(): { client: ApiClient; send: (kind: string, ev: WatchEvent<KObject>) => void } {
  const deliver = new Map<string, (ev: WatchEvent<KObject>) => void>();
  const client = {
    list: async () => ({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '1' } as ListMeta, items: [] }),
    watch: (kind: string, _opts: unknown, onEvent: (ev: WatchEvent<KObject>) => void): WatchHandle => {
      deliver.set(kind, onEvent);
      return { stop: () => undefined, done: new Promise(() => undefined) };
    },
  } as unknown as ApiClient;
  return { client, send: (kind, ev) => deliver.get(kind)!(ev) };
}

const UID = 'batch.kubernetes.io/controller-uid';
let rv = 1;
const job = (ns: string, name: string, matchLabels?: Record<string, string>): Job => ({
  apiVersion: 'batch/v1', kind: 'Job',
  metadata: { namespace: ns, name, uid: `uid-${name}`, resourceVersion: String(++rv) },
  spec: { ...(matchLabels ? { selector: { matchLabels } } : {}), template: { spec: { containers: [] } } },
} as Job);
const pod = (ns: string, name: string, labels: Record<string, string>, more: { controller?: string; phase?: string; finalizers?: string[]; deleting?: boolean } = {}): Pod => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: {
    namespace: ns, name, labels, resourceVersion: String(++rv),
    ...(more.controller ? { ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: more.controller, controller: true }] } : {}),
    ...(more.finalizers ? { finalizers: more.finalizers } : {}),
    ...(more.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: { containers: [] },
  ...(more.phase ? { status: { phase: more.phase } } : {}),
} as Pod);
const TRACKING = 'batch.kubernetes.io/job-tracking';
const names = (xs: KObject[]) => xs.map((x) => x.metadata.name).sort();

describe('orphansJobMaySelect and jobsMaySelect', () => {
  it('find every match, pinned or manual, and leave out what cannot match', async () => {
    const { client, send } = scriptedClient();
    const s = createShared(client, pino({ level: 'silent' }));
    await Promise.all([s.pods.start(), s.jobs.start()]);
    const jobs = [
      job('a', 'pinned', { [UID]: 'uid-pinned' }),
      job('a', 'pinned-too', { [UID]: 'uid-pinned', app: 'x' }),
      job('a', 'manual', { app: 'x' }),
      job('a', 'none'),
      job('b', 'other-ns', { [UID]: 'uid-pinned' }),
    ];
    const pods = [
      pod('a', 'p1', { [UID]: 'uid-pinned', app: 'x' }),
      pod('a', 'p2', { [UID]: 'uid-pinned' }),
      pod('a', 'p3', { app: 'x' }),
      pod('a', 'p4', { [UID]: 'uid-else', app: 'x' }),
      pod('b', 'p5', { [UID]: 'uid-pinned' }),
    ];
    for (const j of jobs) send('Job', { type: 'ADDED', object: j });
    for (const p of pods) send('Pod', { type: 'ADDED', object: p });
    const matches = (j: Job, p: Pod) => p.metadata.namespace === j.metadata.namespace && matchesLabels(labelSelectorToRequirements(j.spec.selector), p.metadata.labels);

    for (const j of jobs) {
      const got = orphansJobMaySelect(s.pods, j);
      expect(got.every((p) => p.metadata.namespace === j.metadata.namespace)).toBe(true);
      for (const p of pods.filter((x) => matches(j, x))) expect(names(got)).toContain(p.metadata.name);
    }
    for (const p of pods) {
      const got = jobsMaySelect(s.jobs, p);
      for (const j of jobs.filter((x) => matches(x, p))) expect(names(got)).toContain(j.metadata.name);
    }
    // What the lookups save: a pinned Job sees only the pods with its value; a pod only the Jobs that pin its value or pin nothing.
    expect(names(orphansJobMaySelect(s.pods, jobs[0]!))).toEqual(['p1', 'p2']);
    expect(names(orphansJobMaySelect(s.pods, jobs[2]!))).toEqual(['p1', 'p2', 'p3', 'p4']);
    expect(names(jobsMaySelect(s.jobs, pods[3]!))).toEqual(['manual', 'none']);
    expect(names(jobsMaySelect(s.jobs, pods[0]!))).toEqual(['manual', 'none', 'pinned', 'pinned-too']);

    // A pod relabelled moves with its label; one that gets a controller is no orphan any more.
    send('Pod', { type: 'MODIFIED', object: pod('a', 'p2', { [UID]: 'uid-else' }) });
    expect(names(orphansJobMaySelect(s.pods, jobs[0]!))).toEqual(['p1']);
    send('Pod', { type: 'MODIFIED', object: pod('a', 'p1', { [UID]: 'uid-pinned', app: 'x' }, { controller: 'uid-pinned' }) });
    expect(names(orphansJobMaySelect(s.pods, jobs[0]!))).toEqual([]);
    expect(names(orphansJobMaySelect(s.pods, jobs[2]!))).toEqual(['p2', 'p3', 'p4']);
  });

  it('a Job with the generated selector looks past its finished, counted pods that keep its label; any other selector sees every pod it controls', async () => {
    const { client, send } = scriptedClient();
    const s = createShared(client, pino({ level: 'silent' }));
    await Promise.all([s.pods.start(), s.jobs.start()]);
    const generated = job('a', 'gen', { [UID]: 'uid-gen' });
    const manual = job('a', 'man', { app: 'x' });
    const pods = [
      pod('a', 'running', { [UID]: 'uid-gen' }, { controller: 'uid-gen', phase: 'Running', finalizers: [TRACKING] }),
      pod('a', 'done-uncounted', { [UID]: 'uid-gen' }, { controller: 'uid-gen', phase: 'Succeeded', finalizers: [TRACKING] }),
      pod('a', 'done-counted', { [UID]: 'uid-gen' }, { controller: 'uid-gen', phase: 'Succeeded' }),
      pod('a', 'failed-counted', { [UID]: 'uid-gen' }, { controller: 'uid-gen', phase: 'Failed' }),
      pod('a', 'done-relabelled', { [UID]: 'uid-other' }, { controller: 'uid-gen', phase: 'Succeeded' }),
      pod('a', 'done-deleting', { [UID]: 'uid-gen' }, { controller: 'uid-gen', phase: 'Failed', deleting: true, finalizers: ['x/keep'] }),
      pod('a', 'man-counted', { app: 'x' }, { controller: 'uid-man', phase: 'Succeeded' }),
      pod('a', 'man-running', { app: 'x' }, { controller: 'uid-man', phase: 'Running' }),
    ];
    for (const j of [generated, manual]) send('Job', { type: 'ADDED', object: j });
    for (const p of pods) send('Pod', { type: 'ADDED', object: p });
    expect(names(podsJobControls(s.pods, generated))).toEqual(['done-deleting', 'done-relabelled', 'done-uncounted', 'running']);
    expect(names(podsJobControls(s.pods, manual))).toEqual(['man-counted', 'man-running']);
    // Counted (its finalizer removed): out; relabelled back to the Job's uid while counted: out too.
    send('Pod', { type: 'MODIFIED', object: pod('a', 'done-uncounted', { [UID]: 'uid-gen' }, { controller: 'uid-gen', phase: 'Succeeded' }) });
    send('Pod', { type: 'MODIFIED', object: pod('a', 'done-relabelled', { [UID]: 'uid-gen' }, { controller: 'uid-gen', phase: 'Succeeded' }) });
    expect(names(podsJobControls(s.pods, generated))).toEqual(['done-deleting', 'running']);
    // A selector with more than the generated label: every pod it controls.
    const wider = job('a', 'gen', { [UID]: 'uid-gen', app: 'y' });
    expect(names(podsJobControls(s.pods, wider))).toHaveLength(6);
  });
});
