import { describe, expect, it } from 'vitest';
import type { Pod, PodSpec } from '@kjobs/api';
import { computePodStatus, containerStatusOf, podPhase } from './pod-status.js';
import { T0, crec, fixturePod, iso, precord, run } from '../testing/fixtures.js';
import type { ContainerRecord } from './state.js';

const NOW = T0 + 60_000;

function phaseOf(spec: Partial<PodSpec> & { names?: string[]; init?: string[] }, recs: ContainerRecord[], over = {}): string | undefined {
  const pod = fixturePod(spec);
  return computePodStatus(pod, precord(pod, recs, over), NOW).phase;
}

describe('pod phase', () => {
  it.each<[string, Partial<PodSpec> & { names?: string[]; init?: string[] }, ContainerRecord[], object, string]>([
    ['nothing started', { restartPolicy: 'Never' }, [], {}, 'Pending'],
    ['running', { restartPolicy: 'Never' }, [crec('c', { current: run(0, T0) })], {}, 'Running'],
    ['Never, exit 0', { restartPolicy: 'Never' }, [crec('c', { current: run(0, T0, 0) })], {}, 'Succeeded'],
    ['Never, exit 3', { restartPolicy: 'Never' }, [crec('c', { current: run(0, T0, 3) })], {}, 'Failed'],
    ['Never, one failed one running', { restartPolicy: 'Never', names: ['a', 'b'] }, [crec('a', { current: run(0, T0, 1) }), crec('b', { current: run(0, T0) })], {}, 'Running'],
    ['OnFailure, all exited 0', { restartPolicy: 'OnFailure' }, [crec('c', { restartCount: 2, current: run(2, T0, 0) })], {}, 'Succeeded'],
    ['OnFailure, in CrashLoopBackOff', { restartPolicy: 'OnFailure' }, [crec('c', { restartCount: 1, current: run(1, T0, 1), waiting: { reason: 'CrashLoopBackOff' } })], {}, 'Running'],
    ['OnFailure, exited 1, about to restart', { restartPolicy: 'OnFailure' }, [crec('c', { current: run(0, T0, 1) })], {}, 'Running'],
    ['Always, exited 0 (restarting)', { restartPolicy: 'Always' }, [crec('c', { current: run(0, T0, 0) })], {}, 'Running'],
    ['Always, stopped by the kubelet after exit 0', { restartPolicy: 'Always' }, [crec('c', { current: run(0, T0, 0) })], { stopped: true }, 'Succeeded'],
    ['killed while running → 143', { restartPolicy: 'Always' }, [crec('c', { current: run(0, T0, 143) })], { stopped: true }, 'Failed'],
    ['stopped before anything ran', { restartPolicy: 'Never' }, [], { stopped: true }, 'Failed'],
    ['init running', { init: ['i'], restartPolicy: 'Never' }, [crec('i', { current: run(0, T0) }, true)], {}, 'Pending'],
    ['init failed, Never', { init: ['i'], restartPolicy: 'Never' }, [crec('i', { current: run(0, T0, 1) }, true)], {}, 'Failed'],
    ['init failed, OnFailure (restarting)', { init: ['i'], restartPolicy: 'OnFailure' }, [crec('i', { current: run(0, T0, 1) }, true)], {}, 'Pending'],
    ['init done, container waiting', { init: ['i'], restartPolicy: 'Never' }, [crec('i', { current: run(0, T0, 0) }, true)], {}, 'Pending'],
    ['config error waiting', { restartPolicy: 'Never' }, [crec('c', { waiting: { reason: 'CreateContainerConfigError' } })], {}, 'Pending'],
    ['deadline exceeded', { restartPolicy: 'OnFailure' }, [crec('c', { current: run(0, T0, 137) })], { stopped: true, failure: { reason: 'DeadlineExceeded', message: 'm' } }, 'Failed'],
  ])('%s → %s', (_n, spec, recs, over, want) => {
    expect(phaseOf(spec, recs, over)).toBe(want);
  });

  it('a terminal phase already reported never changes', () => {
    const pod = fixturePod({ restartPolicy: 'Always' });
    pod.status = { phase: 'Succeeded' };
    expect(computePodStatus(pod, precord(pod, [crec('c', { current: run(1, T0) })]), NOW).phase).toBe('Succeeded');
  });

  it('podPhase with no statuses is Pending', () => {
    expect(podPhase(fixturePod(), [], [], false)).toBe('Pending');
  });
});

describe('container status', () => {
  const spec = { name: 'c', image: 'busybox' };

  it('waits in ContainerCreating, or PodInitializing when the pod has init containers', () => {
    expect(containerStatusOf(spec, undefined, 'ContainerCreating').state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    const pod = fixturePod({ init: ['i'] });
    const s = computePodStatus(pod, precord(pod), NOW);
    expect(s.containerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(s.initContainerStatuses?.[0]?.state).toEqual({ waiting: { reason: 'PodInitializing' } });
  });

  it('running, with the previous run as lastState', () => {
    const s = containerStatusOf(spec, crec('c', { restartCount: 1, previous: run(0, T0, 2, T0 + 500), current: run(1, T0 + 1000), ready: true, started: true }), 'ContainerCreating');
    expect(s).toEqual({
      name: 'c',
      state: { running: { startedAt: iso(T0 + 1000) } },
      lastState: { terminated: { exitCode: 2, reason: 'Error', startedAt: iso(T0), finishedAt: iso(T0 + 500), containerID: 'kjobs://100' } },
      ready: true,
      restartCount: 1,
      image: 'busybox',
      imageID: 'kjobs-host://sh',
      containerID: 'kjobs://101',
      started: true,
    });
  });

  it('CrashLoopBackOff shows the last run as lastState', () => {
    const s = containerStatusOf(spec, crec('c', { restartCount: 1, previous: run(0, T0, 1), current: run(1, T0 + 2000, 1, T0 + 2500), waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s …' } }), 'ContainerCreating');
    expect(s.state).toEqual({ waiting: { reason: 'CrashLoopBackOff', message: 'back-off 10s …' } });
    expect(s.lastState.terminated?.finishedAt).toBe(iso(T0 + 2500));
    expect(s.containerID).toBe('kjobs://101');
    expect(s.ready).toBe(false);
  });

  it('terminated: Completed / Error / StartError 128 without a containerID', () => {
    expect(containerStatusOf(spec, crec('c', { current: run(0, T0, 0) }), '').state.terminated?.reason).toBe('Completed');
    expect(containerStatusOf(spec, crec('c', { current: run(0, T0, 3) }), '').state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    const startError = { attempt: 0, pid: 0, pgid: 0, startedAt: iso(0), finishedAt: iso(T0), exitCode: 128, reason: 'StartError', message: 'exec: "x": executable file not found in $PATH', imageID: '' };
    const s = containerStatusOf(spec, crec('c', { current: startError }), '');
    expect(s.state.terminated).toEqual({ exitCode: 128, reason: 'StartError', message: startError.message, startedAt: iso(0), finishedAt: iso(T0) });
    expect(s.containerID).toBeUndefined();
  });

  it('init containers are ready once they succeeded', () => {
    expect(containerStatusOf(spec, crec('i', { current: run(0, T0, 0) }, true), '').ready).toBe(true);
    expect(containerStatusOf(spec, crec('i', { current: run(0, T0) }, true), '')).toMatchObject({ ready: false, started: true });
  });
});

describe('conditions and pod fields', () => {
  const types = (p: Pod, recs: ContainerRecord[], over = {}) =>
    Object.fromEntries((computePodStatus(p, precord(p, recs, over), NOW).conditions ?? []).map((c) => [c.type, [c.status, c.reason ?? '', c.message ?? '']]));

  it('running and ready', () => {
    const p = fixturePod({ restartPolicy: 'Never' });
    expect(types(p, [crec('c', { current: run(0, T0), ready: true, started: true })])).toEqual({
      PodReadyToStartContainers: ['True', '', ''],
      Initialized: ['True', '', ''],
      Ready: ['True', '', ''],
      ContainersReady: ['True', '', ''],
      PodScheduled: ['True', '', ''],
    });
  });

  it('not ready names the containers', () => {
    const p = fixturePod({ names: ['a', 'b'] });
    expect(types(p, [crec('a', { current: run(0, T0), ready: true }), crec('b', { current: run(0, T0) })]).Ready).toEqual(['False', 'ContainersNotReady', 'containers with unready status: [b]']);
  });

  it('init incomplete', () => {
    const p = fixturePod({ init: ['i1', 'i2'] });
    expect(types(p, [crec('i1', { current: run(0, T0, 0) }, true)]).Initialized).toEqual(['False', 'ContainersNotInitialized', 'containers with incomplete status: [i2]']);
  });

  it('completed and failed pods', () => {
    const p = fixturePod({ restartPolicy: 'Never' });
    const done = types(p, [crec('c', { current: run(0, T0, 0) })], { stopped: true });
    expect(done.Ready).toEqual(['False', 'PodCompleted', '']);
    expect(done.ContainersReady).toEqual(['False', 'PodCompleted', '']);
    expect(done.PodReadyToStartContainers).toEqual(['False', '', '']);
    expect(types(p, [crec('c', { current: run(0, T0, 1) })], { stopped: true }).Ready).toEqual(['False', 'PodFailed', '']);
  });

  it('keeps lastTransitionTime while a condition keeps its status, and the scheduler\'s PodScheduled', () => {
    const p = fixturePod();
    const earlier = iso(T0 - 5000);
    p.status = {
      conditions: [
        { type: 'Ready', status: 'False', lastTransitionTime: earlier },
        { type: 'Initialized', status: 'True', lastTransitionTime: earlier },
        { type: 'PodScheduled', status: 'True', lastTransitionTime: iso(T0 - 9000) },
      ],
    };
    const s = computePodStatus(p, precord(p, [crec('c', { current: run(0, T0), ready: true })]), NOW);
    const byType = Object.fromEntries((s.conditions ?? []).map((c) => [c.type, c.lastTransitionTime]));
    expect(byType.Ready).toBe(iso(NOW));
    expect(byType.Initialized).toBe(earlier);
    expect(byType.PodScheduled).toBe(iso(T0 - 9000));
  });

  it('reports IPs, startTime, qosClass and the deadline reason', () => {
    const p = fixturePod({ restartPolicy: 'Never' });
    const s = computePodStatus(p, precord(p, [crec('c', { current: run(0, T0, 137) })], { stopped: true, failure: { reason: 'DeadlineExceeded', message: 'Pod was active on the node longer than the specified deadline' } }), NOW);
    expect(s).toMatchObject({
      phase: 'Failed',
      reason: 'DeadlineExceeded',
      message: 'Pod was active on the node longer than the specified deadline',
      hostIP: '127.0.0.1',
      hostIPs: [{ ip: '127.0.0.1' }],
      podIP: '127.1.0.2',
      podIPs: [{ ip: '127.1.0.2' }],
      startTime: iso(T0),
      qosClass: 'BestEffort',
    });
  });

  it('keeps the conditions it does not own (an eviction\'s DisruptionTarget) ahead of its own, and replaces its own', () => {
    const p = fixturePod({ restartPolicy: 'Never' });
    const disruption = { type: 'DisruptionTarget', status: 'True' as const, reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: iso(T0) };
    p.status = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(T0) }, disruption] };
    const s = computePodStatus(p, precord(p, [crec('c', { current: run(0, T0, 143) })], { stopped: true }), NOW);
    expect(s.phase).toBe('Failed');
    expect(s.conditions?.[0]).toEqual(disruption);
    expect(s.conditions?.filter((c) => c.type === 'Ready')).toHaveLength(1);
    expect(s.conditions?.find((c) => c.type === 'Ready')?.status).toBe('False');
  });

  it('without a record: Pending, no IPs', () => {
    const s = computePodStatus(fixturePod(), undefined, NOW);
    expect(s.phase).toBe('Pending');
    expect(s.podIP).toBeUndefined();
    expect(s.containerStatuses?.[0]?.state.waiting?.reason).toBe('ContainerCreating');
  });
});
