/**
 * The load balancer in front of several api-servers: Debian's HAProxy, in TCP mode (TLS passes
 * through to the api-servers, which hold the certificate), each api-server checked on `/readyz`
 * over TLS. Part of scripts/cluster.ts; usable alone (benchmarks, tests); the compose HA layout's
 * `haproxy` service writes its configuration with haproxyConfig too (scripts/compose-haproxy.ts).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isListening } from '../infra.js';

/** One api-server behind the load balancer. */
export interface Backend {
  name: string;
  host: string;
  port: number;
}

/** Options of startHaproxy. */
export interface HaproxyOptions {
  /** Where `haproxy.cfg` and the log (`logs/haproxy.log`) go. */
  dir: string;
  /** The front's port. */
  port: number;
  /** The front's address (default 127.0.0.1; the compose `haproxy` service: 0.0.0.0). */
  host?: string;
  backends: Backend[];
  /** The backends speak TLS (default true): health checks use it too, without verifying (the front does not terminate TLS). */
  tls?: boolean;
  /** The haproxy binary (default `$KJOBS_HAPROXY`, else `haproxy` on PATH). */
  binary?: string;
}

/** A running HAProxy this process owns. */
export interface OwnedHaproxy {
  /** `https://127.0.0.1:<port>`: what the kubeconfig names. */
  url: string;
  port: number;
  proc: ChildProcess;
  /** SIGTERM (then SIGKILL after 5 s) and wait for the exit. */
  stop(): Promise<void>;
}

/**
 * The configuration. Each api-server is checked every 500 ms (`GET /readyz`, 1 s timeout) and taken
 * out after 2 failed checks, back in after 2 good ones: a dead or unready api-server leaves the
 * rotation within about a second, and its open connections (watches) are cut then so clients
 * reconnect to another. A connection refused by a dead api-server before the checks notice is
 * tried again on another after 300 ms (`retries`, `option redispatch 1`, `timeout connect`).
 * Watches and followed logs stay open for hours: the client/server timeouts are long.
 */
export function haproxyConfig(o: HaproxyOptions): string {
  const tls = o.tls ?? true;
  return [
    'global',
    '  maxconn 4096',
    '',
    'defaults',
    '  mode tcp',
    // Also the pause before a retry (HAProxy waits min(timeout connect, 1 s)): short, as on loopback
    // a live api-server accepts at once and a dead one refuses at once.
    '  timeout connect 300ms',
    '  timeout client 1h',
    '  timeout server 1h',
    '  timeout check 1s',
    '  retries 3',
    // Every retry goes to another server, not the one that just refused.
    '  option redispatch 1',
    '',
    'frontend kube-apiserver',
    `  bind ${o.host ?? '127.0.0.1'}:${o.port}`,
    '  default_backend api-servers',
    '',
    'backend api-servers',
    // Long-lived watches make connection counts uneven: new ones go where the fewest are.
    '  balance leastconn',
    '  option httpchk',
    '  http-check send meth GET uri /readyz ver HTTP/1.1 hdr Host localhost',
    '  http-check expect status 200',
    `  default-server inter 500ms fastinter 500ms downinter 500ms fall 2 rise 2 check${tls ? ' check-ssl verify none' : ''} on-marked-down shutdown-sessions`,
    ...o.backends.map((b) => `  server ${b.name} ${b.host}:${b.port}`),
    '',
  ].join('\n');
}

/** Write the configuration and run HAProxy in the foreground; resolves once it listens. */
export async function startHaproxy(o: HaproxyOptions): Promise<OwnedHaproxy> {
  mkdirSync(path.join(o.dir, 'logs'), { recursive: true });
  const cfg = path.join(o.dir, 'haproxy.cfg');
  writeFileSync(cfg, haproxyConfig(o));
  const out = createWriteStream(path.join(o.dir, 'logs', 'haproxy.log'), { flags: 'a' });
  // -db: stay in the foreground (no daemon), so the process is ours to stop.
  const proc = spawn(o.binary ?? process.env.KJOBS_HAPROXY ?? 'haproxy', ['-db', '-f', cfg], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.pipe(out, { end: false });
  proc.stderr?.pipe(out, { end: false });
  const exited = new Promise<void>((r) => proc.once('exit', () => r()));
  const failed = new Promise<never>((_, reject) => {
    proc.once('error', reject);
    proc.once('exit', (code, sig) => reject(new Error(`haproxy exited (${sig ?? code}) while starting; see ${path.join(o.dir, 'logs', 'haproxy.log')}`)));
  });
  failed.catch(() => undefined);
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    proc.kill('SIGTERM');
    const t = setTimeout(() => proc.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(t);
  };
  const end = Date.now() + 10_000;
  try {
    while (!(await Promise.race([isListening('127.0.0.1', o.port), failed]))) {
      if (Date.now() > end) throw new Error(`haproxy did not listen on 127.0.0.1:${o.port} within 10 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { url: `${o.tls === false ? 'http' : 'https'}://127.0.0.1:${o.port}`, port: o.port, proc, stop };
}
