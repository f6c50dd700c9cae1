import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { SyncResult, WorkQueueMetrics, WorkQueueMetricsProvider } from '@kjobs/client';

/** Buckets of client-go's workqueue latency histograms (1 µs … 10 s, ×10). */
const QUEUE_BUCKETS = [1e-6, 1e-5, 1e-4, 1e-3, 1e-2, 0.1, 1, 10];

/**
 * The work-queue and sync metrics of every queue of a process, named as Kubernetes names them:
 *  - client-go's `workqueue_depth`, `workqueue_adds_total`, `workqueue_queue_duration_seconds`,
 *    `workqueue_work_duration_seconds` (here: one sync's duration) and `workqueue_retries_total`,
 *    labelled `name` (the queue: one per controller);
 *  - controller-runtime's `controller_runtime_reconcile_total{controller,result}` and
 *    `controller_runtime_reconcile_errors_total{controller}`.
 * Label children are bound once per queue, so an add or a sync costs a counter increment and a
 * histogram observation, nothing per key.
 */
export function createWorkQueueMetrics(registry: Registry): WorkQueueMetricsProvider {
  const depths = new Map<string, () => number>();
  new Gauge({
    name: 'workqueue_depth', help: 'Current depth of workqueue', labelNames: ['name'], registers: [registry],
    collect() {
      for (const [name, depth] of depths) this.set({ name }, depth());
    },
  });
  const adds = new Counter({ name: 'workqueue_adds_total', help: 'Total number of adds handled by workqueue', labelNames: ['name'], registers: [registry] });
  const retries = new Counter({ name: 'workqueue_retries_total', help: 'Total number of retries handled by workqueue', labelNames: ['name'], registers: [registry] });
  const queued = new Histogram({
    name: 'workqueue_queue_duration_seconds', help: 'How long in seconds an item stays in workqueue before being requested',
    labelNames: ['name'], buckets: QUEUE_BUCKETS, registers: [registry],
  });
  const work = new Histogram({
    name: 'workqueue_work_duration_seconds', help: 'How long in seconds processing an item from workqueue takes (one sync)',
    labelNames: ['name'], buckets: QUEUE_BUCKETS, registers: [registry],
  });
  const reconciles = new Counter({ name: 'controller_runtime_reconcile_total', help: 'Total number of syncs per controller', labelNames: ['controller', 'result'], registers: [registry] });
  const errors = new Counter({ name: 'controller_runtime_reconcile_errors_total', help: 'Total number of sync errors per controller', labelNames: ['controller'], registers: [registry] });
  return {
    forQueue(name: string, depth: () => number): WorkQueueMetrics {
      depths.set(name, depth);
      const a = adds.labels(name);
      const r = retries.labels(name);
      const q = queued.labels(name);
      const w = work.labels(name);
      const e = errors.labels(name);
      const byResult: Record<SyncResult, Counter.Internal> = {
        success: reconciles.labels(name, 'success'), error: reconciles.labels(name, 'error'), requeue_after: reconciles.labels(name, 'requeue_after'),
      };
      // Zero-valued series exist from the start, so a dashboard sees the controller before its first error.
      e.inc(0);
      return {
        added: () => a.inc(),
        taken: (s) => q.observe(s),
        synced: (s, result) => {
          w.observe(s);
          byResult[result].inc();
          if (result === 'error') e.inc();
        },
        retried: () => r.inc(),
      };
    },
  };
}
