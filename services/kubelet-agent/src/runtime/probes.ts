import { spawn } from 'node:child_process';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';
import type { ContainerPort, Probe } from '@kjobs/api';
import { signalGroup } from './proc.js';

/** A probe with Kubernetes defaults applied (SetDefaults_Probe). */
export interface ResolvedProbe {
  probe: Probe;
  initialDelayMs: number;
  periodMs: number;
  timeoutMs: number;
  successThreshold: number;
  failureThreshold: number;
}

/** Apply the defaults: delay 0, period 10 s (min 1), timeout 1 s (min 1), thresholds 1 / 3. */
export function resolveProbe(probe: Probe): ResolvedProbe {
  const pos = (v: number | undefined, d: number) => (v !== undefined && v >= 1 ? v : d);
  return {
    probe,
    initialDelayMs: Math.max(0, probe.initialDelaySeconds ?? 0) * 1000,
    periodMs: pos(probe.periodSeconds, 10) * 1000,
    timeoutMs: pos(probe.timeoutSeconds, 1) * 1000,
    successThreshold: pos(probe.successThreshold, 1),
    failureThreshold: pos(probe.failureThreshold, 3),
  };
}

/** Where a probe runs: the container's IP, env, working directory and declared ports. */
export interface ProbeTarget {
  podIP: string;
  env: Record<string, string>;
  cwd: string;
  ports: ContainerPort[];
  /** argv prefix that runs an exec probe inside the container (`runc exec <id>`); none: a host process. */
  execPrefix?: string[];
  /** Opens TCP connections to the pod from inside the pod network; none: from the agent's own network. */
  dial?: (host: string, port: number, timeoutMs?: number) => Duplex;
}

/** One probe attempt's outcome; `output` explains a failure as the kubelet's event would. */
export interface ProbeOutcome {
  ok: boolean;
  output: string;
}

/** A numeric port, or the containerPort of the named port; undefined when unknown. */
export function resolvePort(port: number | string, ports: ContainerPort[]): number | undefined {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  return ports.find((p) => p.name === port)?.containerPort;
}

/** Run one probe attempt (exec, httpGet or tcpSocket) with its timeout. Never throws. */
export async function runProbe(p: ResolvedProbe, target: ProbeTarget, signal: AbortSignal): Promise<ProbeOutcome> {
  const { probe } = p;
  try {
    if (probe.exec) return await execProbe(probe.exec.command ?? [], target, p.timeoutMs, signal);
    if (probe.httpGet) return await httpProbe(probe.httpGet, target, p.timeoutMs);
    if (probe.tcpSocket) return await tcpProbe(probe.tcpSocket, target, p.timeoutMs);
    return { ok: false, output: 'probe has no supported handler (exec, httpGet, tcpSocket)' };
  } catch (err) {
    return { ok: false, output: (err as Error).message };
  }
}

const MAX_OUTPUT = 10 * 1024;

/** exec: the command runs in the container's directory and env, in its own process group. */
function execProbe(command: string[], t: ProbeTarget, timeoutMs: number, signal: AbortSignal): Promise<ProbeOutcome> {
  if (!command.length) return Promise.resolve({ ok: false, output: 'exec probe has no command' });
  const [cmd, ...args] = [...(t.execPrefix ?? []), ...command] as [string, ...string[]];
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: t.cwd, env: t.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const collect = (b: Buffer) => {
      if (output.length < MAX_OUTPUT) output += b.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    let timedOut = false;
    const kill = () => child.pid && signalGroup(child.pid, 'SIGKILL');
    const timer = setTimeout(() => {
      timedOut = true;
      kill();
    }, timeoutMs);
    const onAbort = () => kill();
    signal.addEventListener('abort', onAbort, { once: true });
    const done = (o: ProbeOutcome) => {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
      // Leave nothing behind: the probe's own children die with it.
      kill();
      resolve(o);
    };
    child.on('error', (err) => done({ ok: false, output: err.message }));
    child.on('close', (code) => {
      if (timedOut) done({ ok: false, output: `command ${JSON.stringify(command.join(' '))} timed out` });
      else done({ ok: code === 0, output: output.trim() });
    });
  });
}

function httpProbe(h: NonNullable<Probe['httpGet']>, t: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolvePort(h.port, t.ports);
  if (port === undefined) return Promise.resolve({ ok: false, output: `unknown port ${JSON.stringify(h.port)}` });
  const scheme = (h.scheme ?? 'HTTP').toLowerCase();
  const host = h.host || t.podIP;
  const path = h.path ? (h.path.startsWith('/') ? h.path : `/${h.path}`) : '/';
  const url = `${scheme}://${host}:${port}${path}`;
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.32', Accept: '*/*' };
  for (const hd of h.httpHeaders ?? []) headers[hd.name] = hd.value;
  const lib = scheme === 'https' ? https : http;
  return new Promise((resolve) => {
    const dial = t.dial;
    // Inside the pod network the connection comes from the dialer (TLS on top of it for https).
    const connect = () => (scheme === 'https' ? tls.connect({ socket: dial!(host, port, timeoutMs), rejectUnauthorized: false }) : (dial!(host, port, timeoutMs) as net.Socket));
    // No `agent`: with one (even `false`), http ignores createConnection and dials from the agent's own network.
    const via = dial ? { createConnection: connect } : {};
    const req = lib.request(url, { method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false, ...via }, (res) => {
      res.resume();
      const code = res.statusCode ?? 0;
      resolve(code >= 200 && code < 400 ? { ok: true, output: '' } : { ok: false, output: `HTTP probe failed with statuscode: ${code}` });
    });
    req.on('timeout', () => req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')));
    req.on('error', (err) => resolve({ ok: false, output: `Get "${url}": ${dialError(err, host, port)}` }));
    req.end();
  });
}

function tcpProbe(s: NonNullable<Probe['tcpSocket']>, t: ProbeTarget, timeoutMs: number): Promise<ProbeOutcome> {
  const port = resolvePort(s.port, t.ports);
  if (port === undefined) return Promise.resolve({ ok: false, output: `unknown port ${JSON.stringify(s.port)}` });
  const host = s.host || t.podIP;
  return new Promise((resolve) => {
    const sock = t.dial ? t.dial(host, port, timeoutMs) as net.Socket : net.connect({ host, port });
    const finish = (o: ProbeOutcome) => {
      sock.destroy();
      resolve(o);
    };
    sock.setTimeout(timeoutMs, () => finish({ ok: false, output: `dial tcp ${host}:${port}: i/o timeout` }));
    sock.once('connect', () => finish({ ok: true, output: '' }));
    sock.once('error', (err) => finish({ ok: false, output: dialError(err, host, port) }));
  });
}

function dialError(err: Error, host: string, port: number): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  return err.message;
}

/** Consecutive-result bookkeeping of one probe (the kubelet's worker). */
export interface ProbeCounter {
  /** The current result: undefined until a threshold was first crossed. */
  result: boolean | undefined;
  successes: number;
  failures: number;
}

/**
 * Count one attempt (pure). The result flips to failure after `failureThreshold` consecutive
 * failures and to success after `successThreshold` consecutive successes; `changed` says whether
 * it flipped.
 */
export function countProbe(c: ProbeCounter, ok: boolean, p: Pick<ResolvedProbe, 'successThreshold' | 'failureThreshold'>): { counter: ProbeCounter; changed: boolean } {
  const successes = ok ? c.successes + 1 : 0;
  const failures = ok ? 0 : c.failures + 1;
  let result = c.result;
  if (ok && successes >= p.successThreshold) result = true;
  if (!ok && failures >= p.failureThreshold) result = false;
  return { counter: { result, successes, failures }, changed: result !== c.result };
}
