/**
 * The chaos suite's Job and its pace. Faults must hit *during* the Job, so the Job starts slow
 * (parallelism 1–2, pods that sleep) and the suite waits for a milestone before each fault;
 * while it waits, parallelism grows by one every 8 s up to a cap. Parallelism never shrinks: a
 * lower parallelism makes the controller delete running pods. After the last fault, `release()`
 * raises it so the rest runs at full speed.
 */
import type { Job } from '@kjobs/api';
import type { HttpClient } from '@kjobs/client';

export interface JobPacerOptions {
  namespace: string;
  name: string;
  completions: number;
  /** The pod's command (`sh -c`). */
  script: string;
  /** Extra env of the pod (a run marker the orphan check looks for). */
  env: Record<string, string>;
  startParallelism: number;
  maxParallelism: number;
}

/** Poll `fn` until true or `timeoutMs`; returns whether it became true. */
export async function until(fn: () => Promise<boolean> | boolean, timeoutMs: number, everyMs = 200): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await fn()) return true;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

export class JobPacer {
  /** Highest status.succeeded seen (polled every 250 ms). */
  succeeded = 0;
  private parallelism: number;
  private poll?: NodeJS.Timeout;

  constructor(private readonly api: HttpClient, private readonly o: JobPacerOptions) {
    this.parallelism = o.startParallelism;
  }

  async create(): Promise<void> {
    await this.api.create<Job>('Job', {
      apiVersion: 'batch/v1', kind: 'Job', metadata: { name: this.o.name, namespace: this.o.namespace },
      spec: {
        completions: this.o.completions, parallelism: this.parallelism, backoffLimit: 10_000,
        template: { spec: { containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', this.o.script], env: Object.entries(this.o.env).map(([name, value]) => ({ name, value })) }], restartPolicy: 'Never', terminationGracePeriodSeconds: 1 } },
      },
    });
    this.poll = setInterval(() => void this.get().then((j) => (this.succeeded = Math.max(this.succeeded, j.status?.succeeded ?? 0)), () => undefined), 250);
  }

  get(): Promise<Job> {
    return this.api.get<Job>('Job', this.o.namespace, this.o.name);
  }

  /** Wait until `succeeded ≥ target`, growing parallelism while waiting. */
  async reach(target: number, timeoutMs: number): Promise<boolean> {
    let lastBump = Date.now();
    return until(async () => {
      if (this.succeeded < target && Date.now() - lastBump > 8000 && this.parallelism < this.o.maxParallelism) {
        lastBump = Date.now();
        await this.setParallelism(this.parallelism + 1);
      }
      return this.succeeded >= target;
    }, timeoutMs);
  }

  /** Full speed for the rest, then wait for a finished condition. */
  async release(parallelism: number, timeoutMs: number): Promise<boolean> {
    await this.setParallelism(parallelism);
    return until(async () => {
      const j = await this.get();
      return !!j.status?.conditions?.some((x) => (x.type === 'Complete' || x.type === 'Failed') && x.status === 'True');
    }, timeoutMs, 500);
  }

  stop(): void {
    clearInterval(this.poll);
  }

  private async setParallelism(p: number): Promise<void> {
    const ok = await until(async () => (await this.api.patch('Job', this.o.namespace, this.o.name, 'merge', { spec: { parallelism: p } }), true), 30_000);
    if (!ok) throw new Error(`could not set parallelism ${p}`);
    this.parallelism = p;
  }
}
