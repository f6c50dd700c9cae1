import { describe, expect, it } from 'vitest';
import type { PodSpec } from '@kjobs/api';
import { computePodActions, shouldRestart } from './pod-actions.js';
import { T0, crec, fixturePod, precord, run } from '../testing/fixtures.js';

const B = { initialMs: 10_000, maxMs: 300_000 };

describe('shouldRestart', () => {
  it.each<[PodSpec['restartPolicy'], number, boolean, boolean]>([
    ['Always', 0, false, true],
    ['Always', 1, false, true],
    [undefined, 0, false, true],
    ['OnFailure', 0, false, false],
    ['OnFailure', 2, false, true],
    ['Never', 2, false, false],
    ['Always', 0, true, false],
    ['Always', 1, true, true],
    ['OnFailure', 1, true, true],
    ['Never', 1, true, false],
  ])('%s exit %d init=%s → %s', (policy, code, init, want) => {
    expect(shouldRestart(policy, code, init)).toBe(want);
  });
});

describe('computePodActions', () => {
  it('starts every regular container of a new pod', () => {
    const pod = fixturePod({ names: ['a', 'b'], restartPolicy: 'Never' });
    expect(computePodActions(precord(pod), T0, B)).toEqual({ start: ['a', 'b'], backoff: [], stop: [], deadlineExceeded: false, done: false });
  });

  it('runs init containers one at a time, in order', () => {
    const pod = fixturePod({ init: ['i1', 'i2'], names: ['a'] });
    expect(computePodActions(precord(pod), T0, B).start).toEqual(['i1']);
    const running = precord(pod, [crec('i1', { current: run(0, T0) }, true)]);
    expect(computePodActions(running, T0, B).start).toEqual([]);
    const i1done = precord(pod, [crec('i1', { current: run(0, T0, 0) }, true)]);
    expect(computePodActions(i1done, T0 + 2000, B).start).toEqual(['i2']);
    const alldone = precord(pod, [crec('i1', { current: run(0, T0, 0) }, true), crec('i2', { current: run(0, T0, 0) }, true)]);
    expect(computePodActions(alldone, T0 + 2000, B).start).toEqual(['a']);
  });

  it('a failed init container under Never ends the pod', () => {
    const pod = fixturePod({ init: ['i1'], names: ['a'], restartPolicy: 'Never' });
    const r = precord(pod, [crec('i1', { current: run(0, T0, 1) }, true)]);
    expect(computePodActions(r, T0 + 2000, B)).toMatchObject({ start: [], done: true });
  });

  it('a failed init container under OnFailure restarts (first at once)', () => {
    const pod = fixturePod({ init: ['i1'], names: ['a'], restartPolicy: 'OnFailure' });
    const r = precord(pod, [crec('i1', { current: run(0, T0, 1) }, true)]);
    expect(computePodActions(r, T0 + 2000, B).start).toEqual(['i1']);
  });

  it.each<[PodSpec['restartPolicy'], number, string[], boolean]>([
    ['Never', 0, [], true],
    ['Never', 3, [], true],
    ['OnFailure', 0, [], true],
    ['OnFailure', 3, ['c'], false],
    ['Always', 0, ['c'], false],
    ['Always', 3, ['c'], false],
  ])('%s, exit %d, no backoff yet → start %j, done %s', (restartPolicy, code, start, done) => {
    const r = precord(fixturePod({ restartPolicy }), [crec('c', { current: run(0, T0, code) })]);
    expect(computePodActions(r, T0 + 1500, B)).toMatchObject({ start, done });
  });

  it('waits out the crash-loop window with the kubelet message, and wakes at its end', () => {
    const finished = T0 + 1000;
    const c = crec('c', { restartCount: 1, current: run(1, T0, 1, finished), backoff: { backoffMs: 10_000, lastUpdateMs: T0 } });
    const r = precord(fixturePod({ restartPolicy: 'OnFailure' }), [c]);
    const a = computePodActions(r, finished + 4000, B);
    expect(a.start).toEqual([]);
    expect(a.backoff).toEqual([{ name: 'c', untilMs: finished + 10_000, message: 'back-off 10s restarting failed container=c pod=p_ns(u1)' }]);
    expect(a.wakeAtMs).toBe(finished + 10_000);
    expect(computePodActions(r, finished + 10_000, B).start).toEqual(['c']);
  });

  it('does nothing while containers run, and is not done', () => {
    const r = precord(fixturePod({ restartPolicy: 'Never' }), [crec('c', { current: run(0, T0) })]);
    expect(computePodActions(r, T0 + 5, B)).toEqual({ start: [], backoff: [], stop: [], deadlineExceeded: false, done: false });
  });

  it('reports the deadline once passed, and wakes for it before', () => {
    const r = precord(fixturePod({ activeDeadlineSeconds: 5 }), [crec('c', { current: run(0, T0) })]);
    expect(computePodActions(r, T0 + 4999, B)).toMatchObject({ deadlineExceeded: false, wakeAtMs: T0 + 5000 });
    expect(computePodActions(r, T0 + 5000, B)).toMatchObject({ deadlineExceeded: true, start: [] });
  });

  it('retries a config error at its retry time only', () => {
    const c = crec('c', { waiting: { reason: 'CreateContainerConfigError', message: 'm', retryAtMs: T0 + 10_000 } });
    const r = precord(fixturePod(), [c]);
    expect(computePodActions(r, T0, B)).toMatchObject({ start: [], wakeAtMs: T0 + 10_000, done: false });
    expect(computePodActions(r, T0 + 10_000, B).start).toEqual(['c']);
  });

  it('a stopped pod starts nothing; done once nothing runs', () => {
    const r = precord(fixturePod(), [crec('c', { current: run(0, T0, 1) })], { stopped: true });
    expect(computePodActions(r, T0 + 9999, B)).toEqual({ start: [], backoff: [], stop: [], deadlineExceeded: false, done: true });
    const running = precord(fixturePod(), [crec('c', { current: run(0, T0) })], { stopped: true });
    expect(computePodActions(running, T0, B).done).toBe(false);
  });
});
