/**
 * "Is this service back?" — one probe per kind of service, each true only on evidence produced
 * after a given instant (so a probe cannot be satisfied by the state before the fault):
 *
 * | service | back when |
 * |---|---|
 * | api-server | `GET /readyz` answers 200 |
 * | memq | `GET /healthz` answers 200 (it pings Redis) |
 * | scheduler, job-controller | its leader Lease is held by `identity` with a renewTime ≥ since |
 * | kubelet-agent | its Node is Ready=True and its kube-node-lease Lease has a renewTime ≥ since |
 */
import http from 'node:http';
import type { Lease, Node } from '@kjobs/api';
import type { HttpClient } from '@kjobs/client';

/** A named probe: resolves true once the service is back. */
export interface Probe {
  service: string;
  check(): Promise<boolean>;
}

const renewedSince = (l: Lease, since: number) => !!l.spec.renewTime && Date.parse(l.spec.renewTime) >= since;

export function apiProbe(api: HttpClient): Probe {
  return { service: 'api-server', check: async () => (await api.raw('GET', '/readyz')).status === 200 };
}

export function memqProbe(port: number): Probe {
  return {
    service: 'memq',
    check: () => new Promise((resolve) => {
      const req = http.get({ host: '127.0.0.1', port, path: '/healthz', agent: false, timeout: 1000 }, (res) => {
        res.resume();
        resolve(res.statusCode === 200);
      });
      req.on('error', () => resolve(false));
      req.on('timeout', () => req.destroy());
    }),
  };
}

/** Leader Lease in kube-system held by `identity` (any holder when undefined) and renewed at or after `since`. */
export function leaderProbe(api: HttpClient, service: string, leaseName: string, identity: string | undefined, since: number): Probe {
  return {
    service,
    check: async () => {
      const l = await api.get<Lease>('Lease', 'kube-system', leaseName);
      return (identity === undefined || l.spec.holderIdentity === identity) && renewedSince(l, since);
    },
  };
}

export function nodeProbe(api: HttpClient, nodeName: string, since: number): Probe {
  return {
    service: `kubelet-agent-${nodeName}`,
    check: async () => {
      const [node, lease] = await Promise.all([api.get<Node>('Node', '', nodeName), api.get<Lease>('Lease', 'kube-node-lease', nodeName)]);
      return node.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true && renewedSince(lease, since);
    },
  };
}

/**
 * Run every probe until it passes (each polled every 50 ms, errors count as "not yet"), and return
 * the ms from `since` to the first pass per service; a probe that has not passed by `timeoutMs`
 * gets Infinity.
 */
export async function timeToBack(probes: Probe[], since: number, timeoutMs: number): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  await Promise.all(probes.map(async (p) => {
    const end = since + timeoutMs;
    for (;;) {
      let ok = false;
      try {
        ok = await p.check();
      } catch {
        ok = false;
      }
      if (ok) {
        out.set(p.service, Date.now() - since);
        return;
      }
      if (Date.now() > end) {
        out.set(p.service, Infinity);
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }));
  return out;
}
