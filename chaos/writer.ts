/**
 * "No acknowledged API write lost": a writer that creates small Lease objects through the REST API
 * for the whole chaos run and remembers every create the api-server acknowledged (2xx). At the end
 * every acknowledged object must exist. Failed or timed-out creates are not acknowledged and may
 * or may not exist; they are only counted.
 */
import type { Lease } from '@kjobs/api';
import type { HttpClient } from '@kjobs/client';

/** The acknowledged-write tracker. */
export class AckedWriter {
  readonly acked: string[] = [];
  failed = 0;
  private seq = 0;
  private stopped = false;
  private loop?: Promise<void>;

  /** `api` should have a short request timeout (a few seconds): a hung create is retried as a new one. */
  constructor(private readonly api: HttpClient, private readonly namespace: string, private readonly everyMs = 50) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const name = `w-${String(this.seq++).padStart(6, '0')}`;
        try {
          await this.api.create<Lease>('Lease', {
            apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
            metadata: { name, namespace: this.namespace },
            spec: { holderIdentity: 'chaos-writer', leaseDurationSeconds: 3600 },
          });
          this.acked.push(name);
        } catch {
          this.failed++;
        }
        await new Promise((r) => setTimeout(r, this.everyMs));
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }

  /** Acknowledged names that do not exist now. */
  async missing(): Promise<string[]> {
    const have = new Set((await this.api.list<Lease>('Lease', { namespace: this.namespace })).items.map((l) => l.metadata.name!));
    return this.acked.filter((n) => !have.has(n));
  }
}
