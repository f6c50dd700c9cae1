/**
 * docker compose `haproxy` service (docker-compose.ha.yml): the load balancer in front of the
 * api-servers, configured by the same writer as `npm start -- --ha` (haproxyConfig in
 * scripts/cluster/haproxy.ts: TCP, `/readyz` checks over TLS), then Debian's haproxy (in the kjobs
 * image) run in the foreground with its output on ours. Settings from the environment:
 *   KJOBS_HAPROXY_ADDR       where the front listens (default 0.0.0.0:6443)
 *   KJOBS_HAPROXY_BACKENDS   the api-servers, host:port comma-separated (each named by its host)
 *   KJOBS_HAPROXY_CONFIG     where the configuration is written (default /tmp/haproxy.cfg)
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { haproxyConfig } from './cluster/haproxy.js';

function hostPort(text: string, what: string): { host: string; port: number } {
  const m = /^(.+):(\d+)$/.exec(text.trim());
  if (!m || Number(m[2]) < 1 || Number(m[2]) > 65535) throw new Error(`${what}: "${text}" is not host:port`);
  return { host: m[1]!, port: Number(m[2]) };
}

const front = hostPort(process.env.KJOBS_HAPROXY_ADDR ?? '0.0.0.0:6443', 'KJOBS_HAPROXY_ADDR');
const backends = (process.env.KJOBS_HAPROXY_BACKENDS ?? '').split(',').filter((b) => b.trim()).map((b) => ({ name: hostPort(b, 'KJOBS_HAPROXY_BACKENDS').host, ...hostPort(b, 'KJOBS_HAPROXY_BACKENDS') }));
if (!backends.length) throw new Error('KJOBS_HAPROXY_BACKENDS names no api-server (host:port, comma-separated)');
const cfg = process.env.KJOBS_HAPROXY_CONFIG ?? '/tmp/haproxy.cfg';
writeFileSync(cfg, haproxyConfig({ dir: '', host: front.host, port: front.port, backends }));
console.log(`kjobs haproxy: ${front.host}:${front.port} → ${backends.map((b) => `${b.host}:${b.port}`).join(', ')}`);
// -db: foreground, no daemon; compose's stop signal goes on to haproxy, and its exit is ours.
const proc = spawn(process.env.KJOBS_HAPROXY ?? 'haproxy', ['-db', '-f', cfg], { stdio: 'inherit' });
for (const sig of ['SIGTERM', 'SIGINT'] as const) process.on(sig, () => proc.kill(sig));
proc.on('error', (e) => {
  console.error(`kjobs haproxy: ${e.message}`);
  process.exit(1);
});
proc.on('exit', (code) => process.exit(code ?? 1));
