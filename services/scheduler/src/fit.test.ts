import { describe, expect, it } from 'vitest';
import type { Node, Pod } from '@kjobs/api';
import { misfits, score, tolerates, unschedulableMessage } from './fit.js';

const node = (name: string, cpu = '2', extra: Partial<Node> = {}): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  spec: {},
  status: { allocatable: { cpu, memory: '4Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  ...extra,
});
const pod = (cpu?: string, extra: Partial<Pod['spec']> = {}): Pod => ({
  metadata: { name: 'p', namespace: 'default' },
  spec: { containers: [{ name: 'c', image: 'x', resources: cpu ? { requests: { cpu } } : {} }], ...extra },
});
const none = { cpu: 0, memory: 0, pods: 0 };

describe('misfits', () => {
  it.each([
    ['a pod that fits', pod('500m'), node('n1'), none, []],
    ['more cpu than allocatable', pod('3'), node('n1'), none, ['Insufficient cpu']],
    ['cpu already used up', pod('1'), node('n1'), { cpu: 1.5, memory: 0, pods: 3 }, ['Insufficient cpu']],
    ['unschedulable node', pod(), node('n1', '2', { spec: { unschedulable: true } }), none, ['node(s) were unschedulable']],
    ['nodeSelector mismatch', pod(undefined, { nodeSelector: { disk: 'ssd' } }), node('n1'), none, ["node(s) didn't match Pod's node affinity/selector"]],
    ['pods limit', pod(), node('n1'), { cpu: 0, memory: 0, pods: 110 }, ['Too many pods']],
  ] as const)('%s', (_name, p, n, used, want) => {
    expect(misfits(p as Pod, n as Node, used)).toEqual(want);
  });

  it('an untolerated NoSchedule taint misfits; a matching toleration fits', () => {
    const tainted = node('n1', '2', { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' }] } });
    expect(misfits(pod(), tainted, none)).toEqual(['node(s) had untolerated taint {node.kubernetes.io/unreachable: }']);
    expect(misfits(pod(undefined, { tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }] }), tainted, none)).toEqual([]);
  });

  it('a node that is not Ready misfits', () => {
    const n = node('n1');
    n.status!.conditions = [{ type: 'Ready', status: 'Unknown' }];
    expect(misfits(pod(), n, none)).toEqual(['node(s) were not ready']);
  });
});

describe('tolerates', () => {
  it.each([
    [{ operator: 'Exists' as const }, true],
    [{ key: 'k', operator: 'Equal' as const, value: 'v' }, true],
    [{ key: 'k', operator: 'Equal' as const, value: 'x' }, false],
    [{ key: 'k', operator: 'Exists' as const, effect: 'NoExecute' as const }, false],
  ])('%j', (t, want) => {
    expect(tolerates(t, { key: 'k', value: 'v', effect: 'NoSchedule' })).toBe(want);
  });
});

describe('unschedulableMessage', () => {
  it('counts reasons over nodes like kube-scheduler', () => {
    expect(unschedulableMessage(2, [['Insufficient cpu'], ['Insufficient cpu']])).toBe('0/2 nodes are available: 2 Insufficient cpu.');
    expect(unschedulableMessage(3, [['Insufficient cpu'], ['node(s) were unschedulable'], ['Insufficient cpu', 'Insufficient memory']]))
      .toBe('0/3 nodes are available: 1 Insufficient memory, 1 node(s) were unschedulable, 2 Insufficient cpu.');
  });
});

describe('score', () => {
  it('prefers the emptier node and spreads pods of one owner', () => {
    const p = pod('100m');
    expect(score(p, node('a'), { cpu: 1, memory: 0, pods: 5 }, 0)).toBeLessThan(score(p, node('b'), none, 0));
    expect(score(p, node('a'), none, 3)).toBeLessThan(score(p, node('a'), none, 0));
  });
});
