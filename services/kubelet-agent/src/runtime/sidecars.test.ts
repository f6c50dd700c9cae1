import { describe, expect, it } from 'vitest';
import type { Pod } from '@kjobs/api';
import { computePodActions, mainContainersDone } from './pod-actions.js';
import { computePodStatus } from './pod-status.js';
import { T0, crec, fixturePod, precord, run } from '../testing/fixtures.js';
import type { ContainerRecord } from './state.js';

const B = { initialMs: 10_000, maxMs: 300_000 };

/** init "setup" (plain), sidecar "proxy" (restartPolicy Always), main "c". */
function pod(restartPolicy: 'Never' | 'OnFailure' | 'Always' = 'Never'): Pod {
  const p = fixturePod({ restartPolicy, init: ['setup', 'proxy'] });
  p.spec.initContainers![1]!.restartPolicy = 'Always';
  return p;
}

const setupDone = crec('setup', { current: run(0, T0, 0) }, true);
const proxyUp = crec('proxy', { current: run(0, T0 + 10), started: true, ready: true }, true);

describe('sidecars (restartPolicy Always init containers)', () => {
  it.each<[string, ContainerRecord[], { start: string[]; stop: string[]; done: boolean }]>([
    ['the plain init container first', [], { start: ['setup'], stop: [], done: false }],
    ['then the sidecar', [setupDone], { start: ['proxy'], stop: [], done: false }],
    ['the main container once the sidecar started', [setupDone, proxyUp], { start: ['c'], stop: [], done: false }],
    ['a sidecar that exits is restarted while the main container runs (under Never too)', [
      setupDone, crec('proxy', { current: run(0, T0 + 10, 1, T0 + 20), started: false }, true), crec('c', { current: run(0, T0 + 30) }),
    ], { start: ['proxy'], stop: [], done: false }],
    ['the main container finished: the running sidecar is stopped', [setupDone, proxyUp, crec('c', { current: run(0, T0 + 30, 0) })], { start: [], stop: ['proxy'], done: false }],
    ['the stopped sidecar is not restarted; the pod is done', [
      setupDone, crec('proxy', { current: run(0, T0 + 10, 143, T0 + 40) }, true), crec('c', { current: run(0, T0 + 30, 0) }),
    ], { start: [], stop: [], done: true }],
  ])('%s', (_n, recs, want) => {
    expect(computePodActions(precord(pod(), recs), T0 + 1_000_000, B)).toMatchObject(want);
  });

  it('mainContainersDone: never under Always; under OnFailure only after success', () => {
    expect(mainContainersDone(precord(pod('Always'), [crec('c', { current: run(0, T0, 0) })]))).toBe(false);
    expect(mainContainersDone(precord(pod('OnFailure'), [crec('c', { current: run(0, T0, 1) })]))).toBe(false);
    expect(mainContainersDone(precord(pod('OnFailure'), [crec('c', { current: run(0, T0, 0) })]))).toBe(true);
  });

  it('status: a running sidecar is started and ready, the pod Initialized and Running; its exit 143 after the main container does not fail the pod', () => {
    const p = pod();
    const running = computePodStatus(p, precord(p, [setupDone, proxyUp, crec('c', { current: run(0, T0 + 30), started: true, ready: true })]), T0 + 50);
    expect(running.phase).toBe('Running');
    expect(running.initContainerStatuses?.[1]).toMatchObject({ name: 'proxy', started: true, ready: true, state: { running: {} } });
    expect(running.conditions?.find((c) => c.type === 'Initialized')?.status).toBe('True');
    const stopping = computePodStatus(p, precord(p, [setupDone, proxyUp, crec('c', { current: run(0, T0 + 30, 0) })]), T0 + 50);
    expect(stopping.phase).toBe('Running');
    const done = computePodStatus(p, precord(p, [setupDone, crec('proxy', { current: run(0, T0 + 10, 143, T0 + 40) }, true), crec('c', { current: run(0, T0 + 30, 0) })], { stopped: true }), T0 + 50);
    expect(done.phase).toBe('Succeeded');
  });

  it('status: Pending until the sidecar started', () => {
    const p = pod();
    const s = computePodStatus(p, precord(p, [setupDone]), T0 + 50);
    expect(s.phase).toBe('Pending');
    expect(s.conditions?.find((c) => c.type === 'Initialized')).toMatchObject({ status: 'False', message: 'containers with incomplete status: [proxy]' });
  });
});
