import type { PodRecord } from './state.js';
import type { PodEventFn, WorkerContext } from './worker-context.js';

/**
 * Give the pod its sandbox once: on the pod network its own namespace and address (hostNetwork
 * pods keep the node's), otherwise a loopback IP from the allocator. On failure the record keeps
 * `sandboxError` (a FailedCreatePodSandBox event when the message is new) and the pod has no IP,
 * so nothing starts until a later try succeeds.
 */
export async function ensureSandbox(ctx: WorkerContext, r: PodRecord, event: PodEventFn): Promise<void> {
  if (r.podIP) return;
  const net = ctx.network;
  if (net && r.pod.spec.hostNetwork !== true) {
    try {
      const s = await net.setUp(r.pod);
      r.podIP = s.podIP;
      r.netns = s.netnsPath;
      delete r.sandboxError;
    } catch (err) {
      const msg = `Failed to create pod sandbox: failed to set up the pod network: ${(err as Error).message}`;
      if (r.sandboxError !== msg) event('Warning', 'FailedCreatePodSandBox', msg);
      r.sandboxError = msg;
    }
    return;
  }
  const ip = ctx.ipam.allocate(r.uid);
  if (ip) {
    r.podIP = ip;
    delete r.sandboxError;
    return;
  }
  const msg = `Failed to create pod sandbox: no free pod IP in ${ctx.opts.podIPRange}`;
  if (r.sandboxError !== msg) event('Warning', 'FailedCreatePodSandBox', msg);
  r.sandboxError = msg;
}

/**
 * A pod that is done gives its sandbox back, as the kubelet stops a finished pod's sandbox (CNI
 * DEL) long before the pod object is deleted: its loopback IP returns to the allocator (the status
 * keeps showing it, as Kubernetes' does) and its pod network namespace is torn down. Without this
 * a node could only ever run as many pods as its range has addresses (a /16: ~64,000) until their
 * objects were deleted — a Job of 100,000 completions stalled there. Idempotent.
 */
export async function releaseSandbox(ctx: WorkerContext, r: PodRecord): Promise<void> {
  if (r.sandboxReleased || !r.podIP) return;
  if (r.netns) await ctx.network?.tearDown(r.uid);
  else ctx.ipam.release(r.uid);
  r.sandboxReleased = true;
}
