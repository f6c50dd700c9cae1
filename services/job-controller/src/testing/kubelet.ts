/** Pod statuses as the kubelet writes them, for the scripted kubelet of the test cluster. */
import type { Pod, PodStatus } from '@kjobs/api';
import { rfc3339 } from '../job/conditions.js';

/** The status a kubelet reports for a pod that started (Running, Ready) or ended with `exitCode`. */
export function kubeletStatus(pod: Pod, phase: 'Running' | 'Succeeded' | 'Failed', now: Date, exitCode?: number): PodStatus {
  const t = rfc3339(now);
  if (phase === 'Running') {
    return {
      phase: 'Running',
      startTime: t,
      conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }],
      containerStatuses: [{ name: 'main', image: 'x', imageID: '', ready: true, restartCount: 0, lastState: {}, state: { running: { startedAt: t } } }],
    };
  }
  if (exitCode === undefined) return { ...pod.status, phase };
  return {
    ...pod.status,
    phase,
    conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: t }],
    containerStatuses: [
      { name: 'main', image: 'x', imageID: '', ready: false, restartCount: 0, lastState: {}, state: { terminated: { exitCode, reason: exitCode === 0 ? 'Completed' : 'Error', finishedAt: t } } },
    ],
  };
}
