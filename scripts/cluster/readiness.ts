/**
 * Knowing a cluster is up: the kubeconfig the api-server wrote, its /readyz, Nodes Ready, the
 * address each service wrote, endpoints.json. Part of scripts/cluster.ts.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import path from 'node:path';
import { isListening } from '../infra.js';
import type { ServiceSpec } from './services.js';

/** The URL a service wrote to its address file, if it has. */
function readAddressFile(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * A service's environment for a restart: the port it had, so endpoints.json stays true (a first
 * start asks for port 0, a free one) — unless something else listens there now (a port another
 * process took meanwhile would keep the service from starting at all): then a free one again.
 */
export async function restartSpec(s: ServiceSpec): Promise<ServiceSpec> {
  const url = s.env.KJOBS_ADDR_FILE && !s.env.KJOBS_HTTP_ADDR ? readAddressFile(s.env.KJOBS_ADDR_FILE) : undefined;
  if (!url) return s;
  const { hostname, port } = new URL(url);
  if (await isListening(hostname, Number(port))) return s;
  return { ...s, env: { ...s.env, KJOBS_HTTP_ADDR: new URL(url).host } };
}

/**
 * Every service's address — the api-server's and memq's, and the /healthz, /readyz, /metrics
 * port each other service wrote to its address file — written to `<home>/endpoints.json` and
 * returned. Waits up to `timeoutMs` for the address files; a service that wrote none by then is
 * left out (its log says why).
 */
export async function writeEndpoints(home: string, specs: ServiceSpec[], timeoutMs = 15_000): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const api = specs.find((s) => s.name === 'api-server');
  if (api) out['api-server'] = readKubeconfig(home).server;
  const end = Date.now() + timeoutMs;
  for (const s of specs) {
    if (s.name === 'memq' && s.env.MEMQ_ADDR) out.memq = `http://${s.env.MEMQ_ADDR}`;
    const file = s.env.KJOBS_ADDR_FILE;
    if (!file) continue;
    let url = readAddressFile(file);
    while (!url && Date.now() < end) {
      await new Promise((r) => setTimeout(r, 100));
      url = readAddressFile(file);
    }
    if (url) out[s.name] = url;
  }
  writeFileSync(path.join(home, 'endpoints.json'), `${JSON.stringify(out, null, 2)}\n`);
  return out;
}

/**
 * Wait until the cluster serves: `nodes` Nodes Ready and, with `memqUrl`, memq answering
 * `/memq/server/stats`. Throws after `timeoutMs` saying what is missing.
 */
export async function waitForClusterReady(home: string, o: { nodes: number; memqUrl?: string; timeoutMs?: number }): Promise<void> {
  const kc = readKubeconfig(home);
  const end = Date.now() + (o.timeoutMs ?? 120_000);
  let missing = '';
  for (;;) {
    const ready = await new Promise<number>((resolve) => {
      const u = new URL(`${kc.server}/api/v1/nodes`);
      const req = (u.protocol === 'https:' ? https : http).get(u, { ca: kc.ca, headers: { Authorization: `Bearer ${kc.token}` }, timeout: 2000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => {
          try {
            const items = (JSON.parse(body) as { items?: { status?: { conditions?: { type: string; status: string }[] } }[] }).items ?? [];
            resolve(items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).length);
          } catch {
            resolve(0);
          }
        });
      });
      req.on('error', () => resolve(0));
      req.on('timeout', () => req.destroy());
    });
    const memqOk = !o.memqUrl || (await new Promise<boolean>((resolve) => {
      const req = http.get(`${o.memqUrl}/memq/server/stats`, { timeout: 2000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    }));
    if (ready >= o.nodes && memqOk) return;
    missing = [ready < o.nodes ? `${ready} of ${o.nodes} nodes Ready` : '', memqOk ? '' : `memq not answering at ${o.memqUrl}`].filter(Boolean).join(', ');
    if (Date.now() > end) throw new Error(`the cluster is not ready: ${missing}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Admin credentials from the kubeconfig the api-server wrote. */
export function readKubeconfig(home: string): { server: string; token: string; ca?: string } {
  const kc = JSON.parse(readFileSync(path.join(home, 'kubeconfig'), 'utf8')) as {
    clusters: { cluster: { server: string; 'certificate-authority-data'?: string } }[];
    users: { user: { token: string } }[];
  };
  const c = kc.clusters[0]!.cluster;
  return { server: c.server, token: kc.users[0]!.user.token, ca: c['certificate-authority-data'] ? Buffer.from(c['certificate-authority-data'], 'base64').toString() : undefined };
}

/**
 * Wait until the api-server answers /readyz and its kubeconfig exists: at the kubeconfig's server,
 * or at `server` (one api-server of several, past the load balancer; the kubeconfig's CA).
 */
export async function waitForApi(home: string, timeoutMs = 30_000, server?: string): Promise<void> {
  const end = Date.now() + timeoutMs;
  let lastErr: unknown;
  while (Date.now() < end) {
    try {
      if (existsSync(path.join(home, 'kubeconfig'))) {
        const kc = readKubeconfig(home);
        const ok = await new Promise<boolean>((resolve) => {
          const u = new URL(`${server ?? kc.server}/readyz`);
          const mod = u.protocol === 'https:' ? https : http;
          const req = mod.get(u, { ca: kc.ca, timeout: 1000 }, (res) => {
            res.resume();
            resolve(res.statusCode === 200);
          });
          req.on('error', (e) => {
            lastErr = e;
            resolve(false);
          });
          req.on('timeout', () => req.destroy());
        });
        if (ok) return;
      }
    } catch (e) {
      lastErr = e;
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`api-server not ready after ${timeoutMs} ms: ${String(lastErr)} (see ${path.join(home, 'logs', 'api-server.log')})`);
}
