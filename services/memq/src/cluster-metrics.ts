import cluster from 'node:cluster';
import { AggregatorRegistry } from 'prom-client';

/**
 * /metrics when memq runs as several worker processes (node:cluster): any worker may take the
 * scrape, so it asks the primary, which collects every worker's registry through prom-client's
 * AggregatorRegistry (counters and histograms summed, queue gauges taken from the first worker,
 * since they all read the same Redis) and sends the text back.
 */

const SCRAPE = 'kjobs-memq:scrape';
const SCRAPED = 'kjobs-memq:scraped';

interface ScrapeRequest {
  type: typeof SCRAPE;
  id: number;
}

interface ScrapeReply {
  type: typeof SCRAPED;
  id: number;
  text?: string;
  error?: string;
}

function isMessage<T extends { type: string }>(msg: unknown, type: T['type']): msg is T {
  return typeof msg === 'object' && msg !== null && (msg as { type?: unknown }).type === type;
}

/** In the primary: answer the workers' scrape requests. */
export function answerScrapes(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, msg: unknown) => {
    if (!isMessage<ScrapeRequest>(msg, SCRAPE)) return;
    const reply = (r: Omit<ScrapeReply, 'type' | 'id'>): void => {
      // The worker may have exited meanwhile; its scrape is gone with it.
      if (worker.isConnected()) worker.send({ type: SCRAPED, id: msg.id, ...r });
    };
    aggregator.clusterMetrics().then(
      (text) => reply({ text }),
      (err: unknown) => reply({ error: err instanceof Error ? err.message : String(err) }),
    );
  });
}

const pending = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();
let nextId = 0;
let listening = false;

/** In a worker: the whole cluster's metrics, in Prometheus text format. */
export function scrapeThroughPrimary(timeoutMs = 10_000): Promise<string> {
  if (!process.send) return Promise.reject(new Error('not a cluster worker'));
  if (!listening) {
    listening = true;
    process.on('message', (msg: unknown) => {
      if (!isMessage<ScrapeReply>(msg, SCRAPED)) return;
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (msg.text !== undefined) p.resolve(msg.text);
      else p.reject(new Error(`metrics from the other workers: ${msg.error ?? 'no answer'}`));
    });
  }
  const id = ++nextId;
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      pending.delete(id);
      reject(new Error(`metrics from the other workers: no answer in ${timeoutMs} ms`));
    }, timeoutMs);
    pending.set(id, {
      resolve: (text) => (clearTimeout(timer), resolve(text)),
      reject: (err) => (clearTimeout(timer), reject(err)),
    });
    process.send!({ type: SCRAPE, id } satisfies ScrapeRequest);
  });
}
