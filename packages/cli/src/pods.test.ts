import { describe, expect, it } from 'vitest';
import type { Pod } from '@kjobs/api';
import { compareForLogging, defaultContainer, firstPod, podSelectorOf } from './pods.js';

const pod = (name: string, o: { node?: string; phase?: Pod['status'] extends infer S ? S extends { phase?: infer P } ? P : never : never; ready?: boolean; restarts?: number; created?: string; containers?: string[] } = {}): Pod => ({
  metadata: { name, creationTimestamp: o.created ?? '2026-11-27T19:00:00Z' },
  spec: { nodeName: o.node, containers: (o.containers ?? ['c']).map((n) => ({ name: n })) },
  status: {
    phase: o.phase ?? 'Running',
    conditions: [{ type: 'Ready', status: o.ready ? 'True' : 'False' }],
    containerStatuses: [{ name: 'c', ready: !!o.ready, restartCount: o.restarts ?? 0, image: '', imageID: '', state: {}, lastState: {} }],
  },
});

describe('firstPod (kubectl ByLogging)', () => {
  it.each([
    { name: 'assigned before unassigned', pods: [pod('a'), pod('b', { node: 'n' })], want: 'b' },
    { name: 'Running before Pending', pods: [pod('a', { node: 'n', phase: 'Pending' }), pod('b', { node: 'n' })], want: 'b' },
    { name: 'Succeeded ranks like Running (then age decides)', pods: [pod('a', { node: 'n', created: '2026-11-27T19:00:05Z' }), pod('b', { node: 'n', phase: 'Succeeded' })], want: 'b' },
    { name: 'ready before not ready', pods: [pod('a', { node: 'n' }), pod('b', { node: 'n', ready: true })], want: 'b' },
    { name: 'more restarts first', pods: [pod('a', { node: 'n' }), pod('b', { node: 'n', restarts: 3 })], want: 'b' },
    { name: 'older first', pods: [pod('a', { node: 'n', created: '2026-11-27T19:00:09Z' }), pod('b', { node: 'n', created: '2026-11-27T19:00:01Z' })], want: 'b' },
    { name: 'none', pods: [], want: undefined },
  ])('$name', ({ pods, want }) => {
    expect(firstPod(pods)?.metadata.name).toBe(want);
  });
  it('is a consistent order', () => {
    expect(compareForLogging(pod('a', { node: 'n' }), pod('a', { node: 'n' }))).toBe(0);
  });
});

describe('podSelectorOf', () => {
  it.each([
    [{ kind: 'Job', metadata: { name: 'j' }, spec: { selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u' } } } }, 'batch.kubernetes.io/controller-uid=u'],
    [{ kind: 'ReplicaSet', metadata: { name: 'queue' }, spec: { selector: { matchLabels: { app: 'work-queue', component: 'queue' } } } }, 'app=work-queue,component=queue'],
    [{ kind: 'Service', metadata: { name: 'queue' }, spec: { selector: { component: 'queue', app: 'work-queue' } } }, 'app=work-queue,component=queue'],
  ])('%#', (obj, want) => {
    expect(podSelectorOf(obj)).toBe(want);
  });
  it.each([
    [{ kind: 'Job', metadata: { name: 'j' }, spec: {} }, /has no selector/],
    [{ kind: 'Service', metadata: { name: 's' }, spec: {} }, /has no selector/],
  ])('fails %#', (obj, msg) => {
    expect(() => podSelectorOf(obj)).toThrow(msg);
  });
});

describe('defaultContainer', () => {
  it.each([
    { p: pod('a'), want: { name: 'c' } },
    { p: pod('a', { containers: ['x', 'y'] }), want: { name: 'x', note: 'Defaulted container "x" out of: x, y' } },
    { p: { ...pod('a', { containers: ['x', 'y'] }), metadata: { name: 'a', annotations: { 'kubectl.kubernetes.io/default-container': 'y' } } }, want: { name: 'y' } },
  ])('$want.name', ({ p, want }) => {
    expect(defaultContainer(p)).toEqual(want);
  });
});
