import { Counter, Histogram, type Registry } from 'prom-client';

/** Buckets of the kubelet's pod start histogram (0.5 s … 10 min), with sub-second steps added for process pods. */
const POD_START_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 3, 4, 5, 6, 8, 10, 20, 30, 45, 60, 120, 180, 240, 300, 360, 480, 600];

/**
 * The kubelet's pod metrics for one node, named as the kubelet names them:
 * `kubelet_started_pods_total`, `kubelet_pod_start_duration_seconds` (from the agent first seeing
 * a pod to the pod first running), and `kubelet_image_pulls_total{result}` (kjobs' own: the
 * kubelet has no pull counter). No per-pod labels: a pod costs one map entry until it runs.
 */
export class KubeletMetrics {
  private readonly started: Counter;
  private readonly startDuration: Histogram;
  private readonly pulls: Counter<'result'>;
  /** pod uid → when this agent first saw it (performance.now()), until it runs or goes. */
  private readonly firstSeen = new Map<string, number>();

  constructor(registry: Registry, private readonly now: () => number = () => performance.now()) {
    this.started = new Counter({ name: 'kubelet_started_pods_total', help: 'Cumulative number of pods started', registers: [registry] });
    this.startDuration = new Histogram({
      name: 'kubelet_pod_start_duration_seconds', help: 'Duration in seconds from kubelet seeing a pod for the first time to the pod starting to run',
      buckets: POD_START_BUCKETS, registers: [registry],
    });
    this.pulls = new Counter({ name: 'kubelet_image_pulls_total', help: 'Image pulls by result (success, failure); images already present are not pulls', labelNames: ['result'], registers: [registry] });
    this.pulls.inc({ result: 'success' }, 0);
    this.pulls.inc({ result: 'failure' }, 0);
  }

  /** The agent took a new pod (its sandbox is set up), first seen at `seenAt`. */
  podStarted(uid: string, seenAt: number): void {
    this.started.inc();
    if (!this.firstSeen.has(uid)) this.firstSeen.set(uid, seenAt);
  }

  /** The pod's status shows it running (or already done): its start duration, once. */
  podRunning(uid: string): void {
    const at = this.firstSeen.get(uid);
    if (at === undefined) return;
    this.firstSeen.delete(uid);
    this.startDuration.observe((this.now() - at) / 1000);
  }

  /** The pod is gone or failed before it ran: nothing to observe. */
  forget(uid: string): void {
    this.firstSeen.delete(uid);
  }

  /** A runtime event: a `Pulled` after a pull, or a `Failed` pull, counts. */
  observeEvent(reason: string, message: string): void {
    if (reason === 'Pulled' && message.startsWith('Successfully pulled')) this.pulls.inc({ result: 'success' });
    else if (reason === 'Failed' && message.startsWith('Failed to pull image')) this.pulls.inc({ result: 'failure' });
  }

  /** The current time on the clock podStarted expects. */
  clock(): number {
    return this.now();
  }
}
