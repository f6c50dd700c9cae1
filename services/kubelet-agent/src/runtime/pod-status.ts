import { type Container, type ContainerState, type ContainerStateTerminated, type ContainerStatus, type Pod, type PodCondition, type PodStatus, qosClass } from '@kjobs/api';
import { type ContainerInstance, type ContainerRecord, type PodRecord, isRunning } from './state.js';

type Phase = NonNullable<PodStatus['phase']>;

/** The containerID the runtime reports for a run: the OCI container's (`runc://<id>`), else `kjobs://<shim pid>`. */
export function containerIDOf(inst: ContainerInstance): string | undefined {
  if (inst.containerID) return inst.containerID;
  return inst.pid > 0 ? `kjobs://${inst.pid}` : undefined;
}

function terminatedOf(inst: ContainerInstance): ContainerStateTerminated {
  const t: ContainerStateTerminated = { exitCode: inst.exitCode ?? 0, reason: inst.reason ?? (inst.exitCode ? 'Error' : 'Completed') };
  if (inst.message) t.message = inst.message;
  t.startedAt = inst.startedAt;
  if (inst.finishedAt) t.finishedAt = inst.finishedAt;
  const id = containerIDOf(inst);
  if (id) t.containerID = id;
  return t;
}

/**
 * One container's status (kubelet convertToAPIContainerStatuses): waiting with the recorded
 * reason (CrashLoopBackOff, CreateContainerConfigError, …) or the default one, running, or
 * terminated; lastState is the run before. Init containers are ready once they succeeded.
 */
export function containerStatusOf(spec: Container, rec: ContainerRecord | undefined, defaultWaiting: string): ContainerStatus {
  const status: ContainerStatus = {
    name: spec.name,
    state: { waiting: { reason: defaultWaiting } },
    lastState: {},
    ready: false,
    restartCount: rec?.restartCount ?? 0,
    image: spec.image ?? '',
    imageID: '',
    started: false,
  };
  if (!rec) return status;
  const cur = rec.current;
  if (cur) {
    status.imageID = cur.imageID;
    const id = containerIDOf(cur);
    if (id) status.containerID = id;
  }
  const lastRun = (inst: ContainerInstance | undefined): ContainerState => (inst && !isRunning(inst) ? { terminated: terminatedOf(inst) } : {});
  if (rec.waiting && !isRunning(cur)) {
    const waiting: ContainerState['waiting'] = { reason: rec.waiting.reason };
    if (rec.waiting.message) waiting.message = rec.waiting.message;
    status.state = { waiting };
    status.lastState = lastRun(cur ?? rec.previous);
  } else if (isRunning(cur)) {
    status.state = { running: { startedAt: cur.startedAt } };
    status.lastState = lastRun(rec.previous);
    // A sidecar (restartable init container) reports readiness and startup like a main container.
    const restartable = rec.init && spec.restartPolicy === 'Always';
    status.ready = rec.init && !restartable ? false : rec.ready;
    status.started = rec.init && !restartable ? true : rec.started;
  } else if (cur) {
    status.state = { terminated: terminatedOf(cur) };
    status.lastState = lastRun(rec.previous);
    status.ready = rec.init && cur.exitCode === 0;
  } else {
    // Being restarted: waiting for the new run, the one before as lastState.
    status.lastState = lastRun(rec.previous);
  }
  return status;
}

/**
 * The pod phase (kubelet getPhase): Pending while init containers run or any container waits
 * for its first start; Running while something runs or will be restarted; with no container
 * left running — Succeeded when all exited 0, Failed when one failed and will not restart.
 * An init container failure under Never fails the pod. Sidecars count only until they started.
 */
export function podPhase(pod: Pod, init: ContainerStatus[], regular: ContainerStatus[], podIsTerminal: boolean): Phase {
  const policy = pod.spec.restartPolicy ?? 'Always';
  const sidecars = sidecarNames(pod);
  let pendingInit = 0;
  let failedInit = 0;
  let sidecarsRunning = 0;
  for (const s of init) {
    if (sidecars.has(s.name) && s.state.running) sidecarsRunning++;
    // A sidecar is pending until it first started; its exits (it restarts, or is stopped when the
    // main containers are done) never fail the pod.
    if (sidecars.has(s.name)) {
      if (!s.started && !s.state.terminated && !s.lastState.terminated) pendingInit++;
      continue;
    }
    if (s.state.running) pendingInit++;
    else if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.lastState.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of regular) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.lastState.terminated) stopped++;
    else waiting++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  let phase: Phase = 'Pending';
  if (pendingInit > 0 || waiting > 0) phase = 'Pending';
  else if (running > 0) phase = 'Running';
  else if (stopped > 0) {
    if (podIsTerminal) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') phase = 'Running';
    else if (stopped === succeeded) phase = 'Succeeded';
    else if (policy === 'Never') phase = 'Failed';
    else phase = 'Running';
  }
  // The kubelet reports a terminal phase only once every container stopped: main containers that
  // are done wait for their sidecars to be stopped.
  if (!podIsTerminal && sidecarsRunning > 0 && (phase === 'Succeeded' || phase === 'Failed')) phase = 'Running';
  // A pod the kubelet finished (killed, deleted) never stays Pending/Running.
  return podIsTerminal && (phase === 'Pending' || phase === 'Running') ? 'Failed' : phase;
}

/** The names of the pod's sidecars (init containers with restartPolicy Always). */
function sidecarNames(pod: Pod): Set<string> {
  return new Set((pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always').map((c) => c.name));
}

function condition(pod: Pod, type: string, status: PodCondition['status'], nowIso: string, reason?: string, message?: string): PodCondition {
  const prev = pod.status?.conditions?.find((c) => c.type === type);
  const c: PodCondition = { type, status, lastProbeTime: null, lastTransitionTime: prev && prev.status === status ? (prev.lastTransitionTime ?? nowIso) : nowIso };
  if (reason) c.reason = reason;
  if (message) c.message = message;
  return c;
}

function readiness(pod: Pod, type: string, phase: Phase, regular: ContainerStatus[], nowIso: string): PodCondition {
  if (phase === 'Succeeded') return condition(pod, type, 'False', nowIso, 'PodCompleted');
  if (phase === 'Failed') return condition(pod, type, 'False', nowIso, 'PodFailed');
  const unready = regular.filter((s) => !s.ready).map((s) => s.name);
  if (unready.length === 0) return condition(pod, type, 'True', nowIso);
  return condition(pod, type, 'False', nowIso, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`);
}

/** The pod conditions the kubelet owns (kubetypes.PodConditionByKubelet); it keeps every other one as it finds it. */
const KUBELET_CONDITIONS = new Set(['PodScheduled', 'Ready', 'Initialized', 'ContainersReady', 'PodReadyToStartContainers']);

/**
 * The pod's `status` as the kubelet would report it (pure). `pod.status` supplies the previous
 * conditions (a condition keeps its lastTransitionTime while its status is unchanged) and a
 * terminal phase already reported, which never changes again. Without a record (the runtime
 * has not accepted the pod yet) the containers wait in ContainerCreating / PodInitializing.
 */
export function computePodStatus(pod: Pod, record: PodRecord | undefined, nowMs: number): PodStatus {
  const nowIso = new Date(nowMs).toISOString();
  const hasInit = (pod.spec.initContainers ?? []).length > 0;
  const defaultWaiting = hasInit ? 'PodInitializing' : 'ContainerCreating';
  const init = (pod.spec.initContainers ?? []).map((c) => containerStatusOf(c, record?.containers[c.name], defaultWaiting));
  const regular = pod.spec.containers.map((c) => containerStatusOf(c, record?.containers[c.name], defaultWaiting));
  const anyRunning = record ? Object.values(record.containers).some((c) => isRunning(c.current)) : false;
  const podIsTerminal = record?.stopped === true && !anyRunning;
  const previous = pod.status?.phase;
  let phase: Phase = podPhase(pod, init, regular, podIsTerminal);
  if (record?.failure && !anyRunning) phase = 'Failed';
  if (previous === 'Succeeded' || previous === 'Failed') phase = previous;

  const sidecars = sidecarNames(pod);
  const initIncomplete = init
    .filter((s) => !(s.state.terminated && s.state.terminated.exitCode === 0) && !(sidecars.has(s.name) && (s.started || s.state.terminated || s.lastState.terminated)))
    .map((s) => s.name);
  const initialized =
    initIncomplete.length === 0 || phase === 'Succeeded'
      ? condition(pod, 'Initialized', 'True', nowIso, initIncomplete.length && phase === 'Succeeded' ? 'PodCompleted' : undefined)
      : condition(pod, 'Initialized', 'False', nowIso, 'ContainersNotInitialized', `containers with incomplete status: [${initIncomplete.join(' ')}]`);
  const sandboxReady = record !== undefined && record.podIP !== undefined && !(podIsTerminal && (phase === 'Succeeded' || phase === 'Failed'));
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled') ?? condition(pod, 'PodScheduled', 'True', nowIso);

  const status: PodStatus = {
    phase,
    conditions: [
      // Conditions others own (DisruptionTarget from an eviction or the taint manager, readiness
      // gates) stay, ahead of the kubelet's own, as the kubelet's mergePodStatus keeps them: a Job's
      // podFailurePolicy reads DisruptionTarget after the kubelet has reported the pod Failed.
      ...(pod.status?.conditions ?? []).filter((c) => !KUBELET_CONDITIONS.has(c.type)),
      condition(pod, 'PodReadyToStartContainers', sandboxReady ? 'True' : 'False', nowIso),
      initialized,
      readiness(pod, 'Ready', phase, regular, nowIso),
      readiness(pod, 'ContainersReady', phase, regular, nowIso),
      scheduled,
    ],
  };
  const hostIP = record?.hostIP ?? pod.status?.hostIP;
  if (hostIP) Object.assign(status, { hostIP, hostIPs: [{ ip: hostIP }] });
  if (record?.podIP) Object.assign(status, { podIP: record.podIP, podIPs: [{ ip: record.podIP }] });
  if (record) status.startTime = record.startTime;
  if (hasInit) status.initContainerStatuses = init;
  status.containerStatuses = regular;
  status.qosClass = qosClass(pod.spec);
  if (record?.failure) {
    status.reason = record.failure.reason;
    status.message = record.failure.message;
  } else if (pod.status?.reason && (previous === 'Succeeded' || previous === 'Failed')) {
    status.reason = pod.status.reason;
    if (pod.status.message) status.message = pod.status.message;
  }
  return status;
}
