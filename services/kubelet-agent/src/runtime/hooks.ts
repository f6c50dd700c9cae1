import type { Probe } from '@kjobs/api';
import { type ProbeOutcome, type ProbeTarget, runProbe } from './probes.js';

/** A lifecycle handler (postStart / preStop): exec, httpGet, tcpSocket (deprecated) or sleep. */
export interface LifecycleHandler {
  exec?: { command?: string[] };
  httpGet?: Probe['httpGet'];
  tcpSocket?: Probe['tcpSocket'];
  sleep?: { seconds: number };
}

/** The container's lifecycle hooks, if any. */
export function lifecycleOf(spec: { [k: string]: unknown } | undefined): { postStart?: LifecycleHandler; preStop?: LifecycleHandler } {
  return ((spec?.lifecycle as object | undefined) ?? {}) as { postStart?: LifecycleHandler; preStop?: LifecycleHandler };
}

/**
 * Run a hook as the kubelet does (pkg/kubelet/lifecycle): exec inside the container (its env,
 * or `runc exec` for an OCI run), httpGet/tcpSocket against the pod IP, sleep for its seconds;
 * bounded by `timeoutMs` (the grace period for preStop). Never throws. The failure text reads
 * like the kubelet's event message.
 */
export async function runHook(kind: 'PostStart' | 'PreStop', h: LifecycleHandler, target: ProbeTarget, timeoutMs: number, who: { container: string; pod: string }): Promise<ProbeOutcome> {
  if (h.sleep) {
    const ms = Math.max(0, Math.min(h.sleep.seconds * 1000, timeoutMs));
    await new Promise((r) => setTimeout(r, ms).unref());
    return { ok: true, output: '' };
  }
  const probe = { ...(h.exec ? { exec: h.exec } : {}), ...(h.httpGet ? { httpGet: h.httpGet } : {}), ...(h.tcpSocket ? { tcpSocket: h.tcpSocket } : {}) } as Probe;
  const out = await runProbe({ probe, initialDelayMs: 0, periodMs: timeoutMs, timeoutMs: Math.max(1, timeoutMs), successThreshold: 1, failureThreshold: 1 }, target, new AbortController().signal);
  if (out.ok) return out;
  const what = h.exec ? `Exec lifecycle hook (${JSON.stringify(h.exec.command ?? [])})` : h.httpGet ? 'HTTP lifecycle hook' : 'TCP lifecycle hook';
  return { ok: false, output: `${what} for Container "${who.container}" in Pod "${who.pod}" failed - error: ${out.output}` };
}
