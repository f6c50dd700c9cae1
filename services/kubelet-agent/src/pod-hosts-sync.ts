import path from 'node:path';
import type { Pod } from '@kjobs/api';
import type { ApiClient } from '@kjobs/client';
import { podHostsFile, subdomainPeers, updateHostsFile } from './network/index.js';
import { podDir } from './runtime/layout.js';
import type { Logger, PodRecord } from './runtime/index.js';

/** Options of a PodHostsSync. */
export interface PodHostsSyncOptions {
  client: ApiClient;
  rootDir: string;
  /** The records of the pods this node runs now. */
  records(): PodRecord[];
  log: Logger;
  /** How often the files are brought up to date. Default 1000 ms. */
  intervalMs?: number;
}

/**
 * Keeps the /etc/hosts of this node's pods with a `spec.subdomain` current (pod-hosts.ts): every
 * interval, one pod list per namespace that has such pods, then each file rewritten when its
 * peers changed. Pods without a subdomain cost nothing.
 */
export class PodHostsSync {
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(private readonly o: PodHostsSyncOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.o.intervalMs ?? 1000);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** One pass (never overlapping the previous one). */
  async tick(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const wanting = this.o.records().filter((r) => r.netns && r.podIP && r.pod.spec.subdomain && !r.stopped);
      const byNs = new Map<string, PodRecord[]>();
      for (const r of wanting) byNs.set(r.namespace, [...(byNs.get(r.namespace) ?? []), r]);
      for (const [ns, records] of byNs) {
        const pods = (await this.o.client.list<Pod>('Pod', { namespace: ns })).items;
        for (const r of records) {
          const content = podHostsFile({ podIP: r.podIP!, hostname: r.pod.spec.hostname ?? r.name, subdomain: r.pod.spec.subdomain, namespace: ns }, subdomainPeers(r.pod, pods));
          updateHostsFile(path.join(podDir(this.o.rootDir, r.uid), 'etc', 'hosts'), content);
        }
      }
    } catch (err) {
      this.o.log.warn({ err: (err as Error).message }, 'pod hosts files not updated');
    } finally {
      this.running = false;
    }
  }
}
