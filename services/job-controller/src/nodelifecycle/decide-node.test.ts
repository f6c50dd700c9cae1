import { describe, expect, it } from 'vitest';
import type { Lease, Node, Pod } from '@kjobs/api';
import { decideNode, lostPodStatus, unknownReadyConditions, unreachableTaints } from './decide-node.js';

const t0 = Date.parse('2026-01-01T00:00:00Z');
const timing = { gracePeriodMs: 50_000, podEvictionDelayMs: 10_000 };
const node: Node = { metadata: { name: 'n1', creationTimestamp: '2025-12-31T00:00:00Z' }, status: { conditions: [{ type: 'Ready', status: 'True' }] } };
const lease = (at: number): Lease => ({ metadata: { name: 'n1' }, spec: { renewTime: new Date(at).toISOString() } });
const pod = (name: string, phase: string): Pod => ({ metadata: { name, namespace: 'default' }, spec: { containers: [], nodeName: 'n1' }, status: { phase: phase as never } });

describe('decideNode', () => {
  it('leaves a node with a recent heartbeat alone and rechecks when the grace period would end', () => {
    const d = decideNode(node, lease(t0), [], t0 + 20_000, timing);
    expect(d).toMatchObject({ markUnknown: false, failPods: [] });
    expect(d.recheckMs).toBe(30_100);
  });
  it('marks a silent node Unknown after the grace period, before failing pods', () => {
    const d = decideNode(node, lease(t0), [pod('a', 'Running')], t0 + 51_000, timing);
    expect(d.markUnknown).toBe(true);
    expect(d.failPods).toEqual([]);
  });
  it('fails the non-terminal pods once the eviction delay has passed too', () => {
    const d = decideNode(node, lease(t0), [pod('a', 'Running'), pod('b', 'Succeeded'), pod('c', 'Pending')], t0 + 61_000, timing);
    expect(d.failPods.map((p) => p.metadata.name)).toEqual(['a', 'c']);
  });
});

describe('unreachableTaints', () => {
  it('adds NoSchedule and NoExecute once', () => {
    const once = unreachableTaints([], 'x');
    expect(unreachableTaints(once, 'y').map((x) => x.effect)).toEqual(['NoSchedule', 'NoExecute']);
  });
});

describe('unknownReadyConditions', () => {
  it.each([
    ['Ready True becomes Unknown now', 'True', 'old', 'now'],
    ['already Unknown keeps its transition time', 'Unknown', 'old', 'old'],
  ])('%s', (_n, status, before, transition) => {
    const n: Node = { metadata: { name: 'n1' }, status: { conditions: [{ type: 'Ready', status: status as 'True', lastTransitionTime: before }, { type: 'MemoryPressure', status: 'False' }] } };
    expect(unknownReadyConditions(n, 'now')).toEqual([
      { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: transition },
      { type: 'MemoryPressure', status: 'False' },
    ]);
  });
});

describe('lostPodStatus', () => {
  it('fails the pod with DisruptionTarget, replaces Ready, and terminates only running containers', () => {
    const p: Pod = {
      metadata: { name: 'a', namespace: 'default' },
      spec: { containers: [], nodeName: 'n1' },
      status: {
        phase: 'Running',
        conditions: [{ type: 'Ready', status: 'True' }, { type: 'PodScheduled', status: 'True' }],
        containerStatuses: [
          { name: 'done', image: 'i', imageID: '', ready: false, restartCount: 0, lastState: {}, state: { terminated: { exitCode: 0 } } },
          { name: 'run', image: 'i', imageID: '', ready: true, restartCount: 0, lastState: {}, state: { running: {} } },
        ],
      },
    };
    const s = lostPodStatus(p, 'n1', 'now');
    expect(s).toMatchObject({ phase: 'Failed', reason: 'NodeLost', message: 'Node n1 which was running pod a is unresponsive' });
    expect(s.conditions?.map((c) => `${c.type}=${c.status}`)).toEqual(['PodScheduled=True', 'DisruptionTarget=True', 'Ready=False']);
    expect(s.containerStatuses?.map((c) => [c.name, c.ready, c.state.terminated?.exitCode, c.state.terminated?.reason])).toEqual([['done', false, 0, undefined], ['run', false, 137, 'ContainerStatusUnknown']]);
  });
});
