import type { IncomingMessage, ServerResponse } from 'node:http';
import { AggregatorRegistry, Counter, Gauge, Histogram, Registry, type PrometheusContentType } from 'prom-client';
import type { MemqBroker } from '@kjobs/memq';
import { scrapeThroughPrimary } from './cluster-metrics.js';

/** The service's Prometheus metrics in their own registry (several servers can share a process). */
export interface MemqMetrics {
  registry: Registry;
  /** Record one finished request. */
  observe(req: IncomingMessage, res: ServerResponse, startNs: bigint): void;
  /** The text a scrape gets: this registry's, or in a cluster worker every worker's together. */
  scrape(): Promise<string>;
}

/**
 * Route label from the path, so label cardinality stays bounded (kuard labels with the raw path).
 */
export function routeLabel(url: string): string {
  const path = url.split('?', 1)[0]!;
  const m = /\/memq\/server\/(stats|queues\/[^/]*(?:\/(enqueue|dequeue|drain|ack)(?:\/[^/]*)?)?)\/?$/.exec(path);
  if (m) return m[2] ?? (m[1] === 'stats' ? 'stats' : 'queue');
  if (path === '/' || path === '/healthz' || path === '/readyz' || path === '/metrics') return path;
  return 'other';
}

/**
 * Build the request histogram, plus queue gauges read from the broker on every scrape. In a
 * cluster worker (`clusterWorker`), the registry also answers the primary's collection and a
 * scrape returns the whole cluster's metrics (cluster-metrics.ts).
 */
export function createMetrics(broker: MemqBroker, opts: { clusterWorker?: boolean } = {}): MemqMetrics {
  // An AggregatorRegistry is a Registry whose construction also makes this worker answer the
  // primary's collection requests; setRegistries says which registry they collect.
  const registry = opts.clusterWorker ? new AggregatorRegistry<PrometheusContentType>() : new Registry();
  if (opts.clusterWorker) AggregatorRegistry.setRegistries([registry]);
  const requests = new Histogram({
    name: 'memq_request_duration_seconds',
    help: 'Time serving MemQ HTTP requests',
    labelNames: ['method', 'route', 'status_code'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
    registers: [registry],
  });
  const label = (name: string, help: string, pick: (s: { depth: number; enqueued: number; dequeued: number; drained: number; inFlight: number; redelivered: number }) => number): Gauge =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers: [registry],
      // Every worker reads the same Redis: one worker's figure is the cluster's.
      aggregator: 'first',
      async collect() {
        this.reset();
        const stats = await broker.stats({ extended: true });
        for (const q of stats.queues) this.set({ queue: q.name }, pick(q));
      },
    });
  label('memq_queue_depth', 'Items waiting in the queue', (s) => s.depth);
  label('memq_queue_in_flight', 'Items leased and not yet acked', (s) => s.inFlight);
  label('memq_queue_enqueued', 'Items enqueued since the queue was created', (s) => s.enqueued);
  label('memq_queue_dequeued', 'Items dequeued since the queue was created', (s) => s.dequeued);
  label('memq_queue_drained', 'Items drained since the queue was created', (s) => s.drained);
  label('memq_queue_redelivered', 'Leases that expired and returned their item', (s) => s.redelivered);
  const errors = new Counter({ name: 'memq_internal_errors_total', help: 'Requests answered 5xx', registers: [registry] });
  // Label children cached by their key: prom-client hashes the label object on every observe otherwise.
  const children = new Map<string, Histogram.Internal<'method' | 'route' | 'status_code'>>();
  return {
    registry,
    scrape: opts.clusterWorker ? () => scrapeThroughPrimary() : () => registry.metrics(),
    observe(req, res, startNs) {
      const seconds = Number(process.hrtime.bigint() - startNs) / 1e9;
      const method = req.method ?? '';
      const route = routeLabel(req.url ?? '/');
      const status = res.statusCode;
      const key = method + ' ' + route + ' ' + status;
      let child = children.get(key);
      if (child === undefined) {
        child = requests.labels({ method, route, status_code: String(status) });
        children.set(key, child);
      }
      child.observe(seconds);
      if (status >= 500) errors.inc();
    },
  };
}
