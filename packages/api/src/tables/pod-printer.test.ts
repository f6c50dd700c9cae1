import { describe, expect, it } from 'vitest';
import type { ContainerState, ContainerStatus, Pod, PodStatus } from '../types.js';
import { printPod } from './pod-printer.js';

const NOW = new Date('2026-11-27T19:00:00Z');
const ago = (s: number): string => new Date(NOW.getTime() - s * 1000).toISOString().replace('.000', '');

function pod(status: PodStatus, extra: { spec?: Partial<Pod['spec']>; deleting?: boolean } = {}): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(60), ...(extra.deleting ? { deletionTimestamp: ago(1) } : {}) },
    spec: { containers: [{ name: 'c', image: 'busybox' }], ...extra.spec },
    status,
  };
}

function cs(state: ContainerState, more: Partial<ContainerStatus> = {}): ContainerStatus {
  return { name: 'c', state, lastState: {}, ready: false, restartCount: 0, image: 'busybox', imageID: '', ...more };
}

const running: ContainerState = { running: { startedAt: ago(30) } };
const twoContainers = { spec: { containers: [{ name: 'c1' }, { name: 'c2' }] } };
const twoInits = { spec: { initContainers: [{ name: 'i1' }, { name: 'i2' }] } };

describe('printPod: READY, STATUS, RESTARTS as kubectl 1.32 prints them', () => {
  it.each<[string, Pod, string, string, string]>([
    ['a new pod is Pending', pod({ phase: 'Pending' }), '0/1', 'Pending', '0'],
    ['a waiting reason wins over the phase', pod({ phase: 'Pending', containerStatuses: [cs({ waiting: { reason: 'ContainerCreating' } })] }), '0/1', 'ContainerCreating', '0'],
    ['a ready running container', pod({ phase: 'Running', containerStatuses: [cs(running, { ready: true })] }), '1/1', 'Running', '0'],
    ['running but not ready is not counted', pod({ phase: 'Running', containerStatuses: [cs(running)] }), '0/1', 'Running', '0'],
    ['a succeeded pod is Completed', pod({ phase: 'Succeeded', containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } })] }), '0/1', 'Completed', '0'],
    ['a failed container shows its reason', pod({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 1, reason: 'Error' } })] }), '0/1', 'Error', '0'],
    ['terminated without a reason shows the exit code', pod({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 3 } })] }), '0/1', 'ExitCode:3', '0'],
    ['terminated by a signal shows it', pod({ phase: 'Failed', containerStatuses: [cs({ terminated: { exitCode: 137, signal: 9 } })] }), '0/1', 'Signal:9', '0'],
    ['CrashLoopBackOff with restarts and when', pod({ phase: 'Running', containerStatuses: [cs({ waiting: { reason: 'CrashLoopBackOff' } }, { restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(5) } } })] }),
      '0/1', 'CrashLoopBackOff', '2 (5s ago)'],
    ['restarts without a known last termination time', pod({ phase: 'Running', containerStatuses: [cs(running, { ready: true, restartCount: 4 })] }), '1/1', 'Running', '4'],
    ['restarts add up over containers; the latest termination counts', pod({ phase: 'Running', containerStatuses: [
      cs(running, { name: 'c1', ready: true, restartCount: 1, lastState: { terminated: { exitCode: 1, finishedAt: ago(300) } } }),
      cs(running, { name: 'c2', ready: true, restartCount: 2, lastState: { terminated: { exitCode: 1, finishedAt: ago(65) } } }),
    ] }, twoContainers), '2/2', 'Running', '3 (65s ago)'],
    ['status.reason replaces the phase', pod({ phase: 'Failed', reason: 'Evicted' }), '0/1', 'Evicted', '0'],
    ['a scheduling-gated pod', pod({ phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] }), '0/1', 'SchedulingGated', '0'],
    ['a deleted running pod is Terminating', pod({ phase: 'Running', containerStatuses: [cs(running, { ready: true })] }, { deleting: true }), '1/1', 'Terminating', '0'],
    ['a deleted finished pod keeps its status', pod({ phase: 'Succeeded', containerStatuses: [cs({ terminated: { exitCode: 0, reason: 'Completed' } })] }, { deleting: true }), '0/1', 'Completed', '0'],
    ['a deleted pod of a lost node is Unknown', pod({ phase: 'Running', reason: 'NodeLost' }, { deleting: true }), '0/1', 'Unknown', '0'],
    ['one container Completed while another runs and the pod is Ready', pod({ phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [
      cs(running, { name: 'c1', ready: true }), cs({ terminated: { exitCode: 0, reason: 'Completed' } }, { name: 'c2' }),
    ] }, twoContainers), '1/2', 'Running', '0'],
    ['... and NotReady when the pod is not Ready', pod({ phase: 'Running', containerStatuses: [
      cs(running, { name: 'c1', ready: true }), cs({ terminated: { exitCode: 0, reason: 'Completed' } }, { name: 'c2' }),
    ] }, twoContainers), '1/2', 'NotReady', '0'],
  ])('%s', (_name, p, ready, status, restarts) => {
    const [, r, s, re] = printPod(p, NOW).cells;
    expect([r, s, re]).toEqual([ready, status, restarts]);
  });
});

describe('printPod: init containers and sidecars', () => {
  const init = (name: string, state: ContainerState, more: Partial<ContainerStatus> = {}) => cs(state, { name, ...more });
  it.each<[string, Pod, string, string]>([
    ['the first init container is running', pod({ phase: 'Pending', initContainerStatuses: [init('i1', running), init('i2', { waiting: { reason: 'PodInitializing' } })] }, twoInits), '0/1', 'Init:0/2'],
    ['the second init container is running', pod({ phase: 'Pending', initContainerStatuses: [init('i1', { terminated: { exitCode: 0, reason: 'Completed' } }), init('i2', running)] }, twoInits), '0/1', 'Init:1/2'],
    ['an init container cannot pull its image', pod({ phase: 'Pending', initContainerStatuses: [init('i1', { waiting: { reason: 'ErrImagePull' } })] }, twoInits), '0/1', 'Init:ErrImagePull'],
    ['an init container failed', pod({ phase: 'Pending', initContainerStatuses: [init('i1', { terminated: { exitCode: 1, reason: 'Error' } })] }, twoInits), '0/1', 'Init:Error'],
    ['an init container failed without a reason', pod({ phase: 'Pending', initContainerStatuses: [init('i1', { terminated: { exitCode: 2 } })] }, twoInits), '0/1', 'Init:ExitCode:2'],
    ['an init container was killed', pod({ phase: 'Pending', initContainerStatuses: [init('i1', { terminated: { exitCode: 137, signal: 9 } })] }, twoInits), '0/1', 'Init:Signal:9'],
    ['init done: the main containers decide', pod({ phase: 'Running', initContainerStatuses: [init('i1', { terminated: { exitCode: 0 } }), init('i2', { terminated: { exitCode: 0 } })], containerStatuses: [cs(running, { ready: true })] }, twoInits), '1/1', 'Running'],
    ['a started sidecar counts towards READY', pod({ phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [init('side', running, { started: true, ready: true, restartCount: 1 })], containerStatuses: [cs(running, { ready: true })] },
      { spec: { initContainers: [{ name: 'side', restartPolicy: 'Always' }] } }), '2/2', 'Running'],
  ])('%s', (_name, p, ready, status) => {
    const [, r, s] = printPod(p, NOW).cells;
    expect([r, s]).toEqual([ready, status]);
  });

  it('counts sidecar restarts but not finished init containers\' restarts once initialized', () => {
    const p = pod({ phase: 'Running', conditions: [{ type: 'Initialized', status: 'True' }],
      initContainerStatuses: [init('i1', { terminated: { exitCode: 0 } }, { restartCount: 5 }), init('side', running, { started: true, ready: true, restartCount: 1 })],
      containerStatuses: [cs(running, { ready: true, restartCount: 2 })] },
    { spec: { initContainers: [{ name: 'i1' }, { name: 'side', restartPolicy: 'Always' }] } });
    expect(printPod(p, NOW).cells[3]).toBe('3');
  });
});

describe('printPod: the whole row', () => {
  it('fills every column, wide ones included', () => {
    const p = pod({ phase: 'Running', podIP: '10.244.0.5', podIPs: [{ ip: '10.244.0.5' }], conditions: [{ type: 'gate/a', status: 'True' }, { type: 'gate/b', status: 'False' }],
      containerStatuses: [cs(running, { ready: true })] }, { spec: { nodeName: 'node-1', readinessGates: [{ conditionType: 'gate/a' }, { conditionType: 'gate/b' }] } });
    expect(printPod(p, NOW)).toStrictEqual({ cells: ['p', '1/1', 'Running', '0', '60s', '10.244.0.5', 'node-1', '<none>', '1/2'] });
  });

  it('shows <none> for what is not known yet, and marks finished pods Completed', () => {
    expect(printPod(pod({ phase: 'Succeeded' }), NOW)).toStrictEqual({
      cells: ['p', '0/1', 'Succeeded', '0', '60s', '<none>', '<none>', '<none>', '<none>'],
      conditions: [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }],
    });
    expect(printPod(pod({ phase: 'Failed' }), NOW).conditions).toStrictEqual([{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }]);
  });

  it('falls back to status.podIP when podIPs is not filled', () => {
    expect(printPod(pod({ phase: 'Running', podIP: '10.0.0.9' }), NOW).cells[5]).toBe('10.0.0.9');
  });
});
