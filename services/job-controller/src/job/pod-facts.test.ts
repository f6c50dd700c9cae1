import { describe, expect, it } from 'vitest';
import { compareActivePods, isPodFailed, podFinishedTimeMs } from './pod-facts.js';
import { at, makeJob, makePod } from './test-fixtures.js';

const job = makeJob();

describe('isPodFailed', () => {
  it.each([
    ['phase Failed', makePod(job, 'a', { phase: 'Failed' }), 'TerminatingOrFailed', true],
    ['running and deleted, TerminatingOrFailed', makePod(job, 'b', { deletedAt: 5 }), 'TerminatingOrFailed', true],
    ['running and deleted, Failed policy', makePod(job, 'c', { deletedAt: 5 }), 'Failed', false],
    ['succeeded and deleted', makePod(job, 'd', { phase: 'Succeeded', deletedAt: 5 }), 'TerminatingOrFailed', false],
    ['running', makePod(job, 'e'), 'TerminatingOrFailed', false],
  ] as const)('%s → %s', (_n, pod, policy, want) => {
    expect(isPodFailed(pod, makeJob({ podReplacementPolicy: policy }))).toBe(want);
  });
});

describe('podFinishedTimeMs', () => {
  it('prefers the latest container finish time', () => {
    expect(podFinishedTimeMs(makePod(job, 'a', { phase: 'Failed', finishedAt: 42 }))).toBe(at(42).getTime());
  });
  it('falls back to creationTimestamp', () => {
    const p = makePod(job, 'b', { phase: 'Pending', createdAt: 7 });
    expect(podFinishedTimeMs(p)).toBe(at(7).getTime());
  });
});

describe('compareActivePods (deletion order, least advanced first)', () => {
  it.each([
    ['unscheduled before scheduled', makePod(job, 'a', { phase: 'Pending' }), makePod(job, 'b', { phase: 'Pending', node: 'n' })],
    ['Pending before Running', makePod(job, 'a', { phase: 'Pending', node: 'n' }), makePod(job, 'b', { node: 'n' })],
    ['not ready before ready', makePod(job, 'a', { node: 'n' }), makePod(job, 'b', { node: 'n', ready: true })],
    ['ready for less time first', makePod(job, 'a', { node: 'n', ready: true, createdAt: 50 }), makePod(job, 'b', { node: 'n', ready: true, createdAt: 10 })],
    ['more restarts first', makePod(job, 'a', { node: 'n', restartCount: 3 }), makePod(job, 'b', { node: 'n', restartCount: 1 })],
    ['newer first', makePod(job, 'a', { node: 'n', createdAt: 9 }), makePod(job, 'b', { node: 'n', createdAt: 1 })],
  ])('%s', (_n, first, second) => {
    expect(compareActivePods(first, second)).toBeLessThan(0);
    expect(compareActivePods(second, first)).toBeGreaterThan(0);
  });
});
