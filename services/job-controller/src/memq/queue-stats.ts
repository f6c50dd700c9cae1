/**
 * Asks MemQ about a Job's queue: `GET <server>/stats?extended=1` (the lease extension's stats,
 * served by kjobs' memq service and by the kuard queue pod alike), over HTTP on a connection made
 * by a {@link PodDial} (a queue behind a Service) or to the host as given (kjobs' memq service).
 * The job-controller never reads MemQ's Redis: only memq touches its keys.
 */
import { request } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Job, Pod, Service } from '@kjobs/api';
import { MEMQ_SERVER_ANNOTATION, type QueueObservation } from '../job/decide-queue.js';
import { parseMemqServer, resolveServiceTarget } from './memq-target.js';
import type { PodDial } from './pod-dial.js';

/** Options of {@link QueueStats}. */
export interface QueueStatsOptions {
  /** A Service by namespace and name; undefined when it does not exist. */
  getService(namespace: string, name: string): Promise<Service | undefined>;
  /** The pods of a namespace (the informer cache). */
  podsIn(namespace: string): readonly Pod[];
  /** Opens a connection to a pod's port (pod-dial.ts). */
  dialPod: PodDial;
  /** kjobs' memq service's MemQ API (`http://127.0.0.1:8090/memq/server`), for Jobs without `kjobs.io/memq-server`. Default: none. */
  defaultServer?: string;
  /** One look per Job at most this often; later syncs reuse it. Default 1000 ms. */
  minIntervalMs?: number;
  /** A look that takes longer fails. Default 5000 ms. */
  timeoutMs?: number;
  /** Clock (ms). Default Date.now. */
  now?: () => number;
}

/** The lease extension's stats document (only the fields read here). */
interface ExtendedStats {
  queues?: { name?: unknown; depth?: unknown; inFlight?: unknown }[];
}

/**
 * The queue's depth and leases in flight, per Job, asked at most every `minIntervalMs`. A stale
 * answer is safe for completion: a queue seen empty with no lease in flight can only fill again
 * by new enqueues (outside the work-queue contract, as in Kubernetes).
 */
export class QueueStats {
  private readonly seen = new Map<string, { at: number; pods: string; obs: QueueObservation }>();
  private readonly minIntervalMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;

  constructor(private readonly o: QueueStatsOptions) {
    this.minIntervalMs = o.minIntervalMs ?? 1000;
    this.timeoutMs = o.timeoutMs ?? 5000;
    this.now = o.now ?? Date.now;
  }

  /**
   * What MemQ says about `queue` for this Job (never throws). `pods` names the state of the Job's
   * pods: when it changed since the last look, look again even within the interval — a consumer
   * that just finished may have taken the last item, and a stale "1 waiting" would start another.
   */
  async observe(job: Job, queue: string, pods = ''): Promise<QueueObservation> {
    const key = job.metadata.uid ?? `${job.metadata.namespace}/${job.metadata.name}`;
    const now = this.now();
    const last = this.seen.get(key);
    if (last && last.pods === pods && now - last.at < this.minIntervalMs) return last.obs;
    for (const [k, v] of this.seen) if (now - v.at > 60_000) this.seen.delete(k);
    const obs = await this.ask(job, queue).catch((e: unknown): QueueObservation => ({ kind: 'unreachable', message: e instanceof Error ? e.message : String(e) }));
    this.seen.set(key, { at: now, pods, obs });
    return obs;
  }

  private async ask(job: Job, queue: string): Promise<QueueObservation> {
    const ns = job.metadata.namespace ?? 'default';
    const url = job.metadata.annotations?.[MEMQ_SERVER_ANNOTATION] || this.o.defaultServer;
    if (!url) return { kind: 'unreachable', message: `no MemQ server: set ${MEMQ_SERVER_ANNOTATION}` };
    const server = parseMemqServer(url, ns);
    if (!server) return { kind: 'unreachable', message: `${MEMQ_SERVER_ANNOTATION} ${JSON.stringify(url)} is not an http:// URL` };
    let connect: () => Duplex;
    let basePath = server.basePath;
    if (server.service) {
      const svc = await this.o.getService(server.service.namespace, server.service.name);
      const t = resolveServiceTarget(server, svc, this.o.podsIn(server.service.namespace));
      if (t.kind === 'error') return { kind: 'unreachable', message: t.message };
      connect = () => this.o.dialPod(t.pod, t.port);
      basePath = t.basePath;
    } else {
      connect = () => net.connect({ host: server.host, port: server.port });
    }
    const body = await this.get(connect, server.host, `${basePath}/stats?extended=1`);
    return parseStats(body, queue, url);
  }

  /** One GET over a connection from `connect`; the body of a 200, else an error. */
  private get(connect: () => Duplex, host: string, path: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request({ createConnection: () => connect() as net.Socket, host, path, method: 'GET', timeout: this.timeoutMs, headers: { connection: 'close' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 200) resolve(text);
          else reject(new Error(`GET ${path}: HTTP ${res.statusCode}: ${text.trim().slice(0, 200)}`));
        });
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`GET ${path}: no answer in ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end();
    });
  }
}

/** The observation of `queue` in a stats document. */
export function parseStats(body: string, queue: string, server: string): QueueObservation {
  let doc: ExtendedStats;
  try {
    doc = JSON.parse(body) as ExtendedStats;
  } catch {
    return { kind: 'unreachable', message: `${server}: the stats are not JSON` };
  }
  const q = doc.queues?.find((x) => x.name === queue);
  if (!q) return { kind: 'missing' };
  if (typeof q.depth !== 'number' || typeof q.inFlight !== 'number') {
    return { kind: 'unreachable', message: `${server} does not report leases in flight (not a kjobs MemQ)` };
  }
  return { kind: 'stats', depth: q.depth, inFlight: q.inFlight };
}
