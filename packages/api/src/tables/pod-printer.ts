import type { Container, ContainerStatus, Pod, PodStatus } from '../types.js';
import { DESCRIPTIONS as D } from './column-descriptions.js';
import { parseTimestamp, translateTimestampSince } from './human-duration.js';
import { column, type Printer, type PrintedRow, type TableRowCondition } from './table-types.js';

const SUCCEEDED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Succeeded', message: 'The pod has completed successfully.' }];
const FAILED: TableRowCondition[] = [{ type: 'Completed', status: 'True', reason: 'Failed', message: 'The pod failed.' }];

/** A sidecar: an init container with restartPolicy Always. */
function isRestartableInitContainer(c: Container | undefined): boolean {
  return c?.restartPolicy === 'Always';
}

function hasCondition(status: PodStatus, type: string): boolean {
  return (status.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** finishedAt of the container's last termination, in ms, or undefined. */
function lastTerminatedAt(c: ContainerStatus): number | undefined {
  return parseTimestamp(c.lastState?.terminated?.finishedAt);
}

function later(a: number | undefined, b: number | undefined): number | undefined {
  return b !== undefined && (a === undefined || b > a) ? b : a;
}

/** The Init:... status while init containers run, and the sidecar counts (printers.go, first loop). */
function initContainerState(pod: Pod, status: PodStatus) {
  const specs = new Map((pod.spec?.initContainers ?? []).map((c) => [c.name, c] as const));
  const total = pod.spec?.initContainers?.length ?? 0;
  let restarts = 0, sidecarRestarts = 0, ready = 0;
  let lastRestart: number | undefined, lastSidecarRestart: number | undefined;
  let reason: string | undefined;
  const statuses = status.initContainerStatuses ?? [];
  for (let i = 0; i < statuses.length; i++) {
    const c = statuses[i]!;
    const sidecar = isRestartableInitContainer(specs.get(c.name));
    restarts += c.restartCount ?? 0;
    lastRestart = later(lastRestart, lastTerminatedAt(c));
    if (sidecar) {
      sidecarRestarts += c.restartCount ?? 0;
      lastSidecarRestart = later(lastSidecarRestart, lastTerminatedAt(c));
    }
    const terminated = c.state?.terminated;
    const waiting = c.state?.waiting;
    if (terminated && (terminated.exitCode ?? 0) === 0) continue;
    if (sidecar && c.started) {
      if (c.ready) ready++;
      continue;
    }
    if (terminated) {
      reason = terminated.reason ? `Init:${terminated.reason}`
        : terminated.signal ? `Init:Signal:${terminated.signal}` : `Init:ExitCode:${terminated.exitCode ?? 0}`;
    } else if (waiting?.reason && waiting.reason !== 'PodInitializing') {
      reason = `Init:${waiting.reason}`;
    } else {
      reason = `Init:${i}/${total}`;
    }
    break;
  }
  return { restarts, sidecarRestarts, ready, lastRestart, lastSidecarRestart, reason };
}

/**
 * A Pod row as kubectl shows it (Kubernetes printers.go printPod): READY counts ready containers
 * (sidecars included), STATUS is the most telling of init progress (`Init:1/2`, `Init:Error`),
 * container waiting/terminated reasons (`ContainerCreating`, `CrashLoopBackOff`, `Completed`,
 * `Error`, `ExitCode:3`), `SchedulingGated`, `Terminating`/`Unknown` on deletion, else
 * status.reason or the phase; RESTARTS is "2 (5s ago)" once a container restarted.
 */
export function printPod(pod: Pod, now: Date): PrintedRow {
  const status = pod.status ?? {};
  const phase = status.phase ?? '';
  let reason: string = status.reason || phase;
  if ((status.conditions ?? []).some((c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated')) reason = 'SchedulingGated';

  const sidecars = (pod.spec?.initContainers ?? []).filter(isRestartableInitContainer).length;
  const total = (pod.spec?.containers?.length ?? 0) + sidecars;
  const init = initContainerState(pod, status);
  let ready = init.ready;
  let restarts = init.restarts;
  let lastRestart = init.lastRestart;
  if (init.reason) reason = init.reason;

  if (!init.reason || hasCondition(status, 'Initialized')) {
    restarts = init.sidecarRestarts;
    lastRestart = init.lastSidecarRestart;
    let hasRunning = false;
    const statuses = status.containerStatuses ?? [];
    for (let i = statuses.length - 1; i >= 0; i--) {
      const c = statuses[i]!;
      restarts += c.restartCount ?? 0;
      lastRestart = later(lastRestart, lastTerminatedAt(c));
      const { waiting, terminated, running } = c.state ?? {};
      if (waiting?.reason) reason = waiting.reason;
      else if (terminated?.reason) reason = terminated.reason;
      else if (terminated) reason = terminated.signal ? `Signal:${terminated.signal}` : `ExitCode:${terminated.exitCode ?? 0}`;
      else if (c.ready && running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose last container completed while others still run is Running (or NotReady).
    if (reason === 'Completed' && hasRunning) reason = hasCondition(status, 'Ready') ? 'Running' : 'NotReady';
  }

  if (pod.metadata.deletionTimestamp && status.reason === 'NodeLost') reason = 'Unknown';
  else if (pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartsCell = restarts !== 0 && lastRestart !== undefined
    ? `${restarts} (${translateTimestampSince(lastRestart, now)} ago)` : String(restarts);
  // Real servers always fill podIPs from podIP; fall back to podIP for servers that only set that.
  const podIP = status.podIPs?.[0]?.ip || status.podIP || '<none>';
  const nominated = (status as { nominatedNodeName?: string }).nominatedNodeName || '<none>';
  const gates = (pod.spec?.readinessGates ?? []) as { conditionType: string }[];
  const readinessGates = gates.length === 0 ? '<none>'
    : `${gates.filter((g) => (status.conditions ?? []).find((c) => c.type === g.conditionType)?.status === 'True').length}/${gates.length}`;

  const row: PrintedRow = {
    cells: [
      pod.metadata.name ?? '', `${ready}/${total}`, reason, restartsCell, translateTimestampSince(pod.metadata.creationTimestamp, now),
      podIP, pod.spec?.nodeName || '<none>', nominated, readinessGates,
    ],
  };
  if (phase === 'Succeeded') row.conditions = SUCCEEDED;
  if (phase === 'Failed') row.conditions = FAILED;
  return row;
}

/** Pod columns and printer. */
export const POD_PRINTER: Printer<Pod> = {
  columns: [
    column('Name', 'string', D.name, 0, 'name'),
    column('Ready', 'string', D.podReady),
    column('Status', 'string', D.podStatus),
    column('Restarts', 'string', D.podRestarts),
    column('Age', 'string', D.age),
    column('IP', 'string', D.podIP, 1),
    column('Node', 'string', D.nodeName, 1),
    column('Nominated Node', 'string', D.nominatedNodeName, 1),
    column('Readiness Gates', 'string', D.readinessGates, 1),
  ],
  print: printPod,
};
