import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { WorkQueue, runWorkers } from '@kjobs/client';
import { createWorkQueueMetrics } from './workqueue-metrics.js';

/** The value of one series in the registry's JSON (undefined: no such series). */
async function valueOf(registry: Registry, metric: string, labels: Record<string, string>): Promise<number | undefined> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === metric);
  const v = (m?.values as { labels: Record<string, string | number>; value: number; metricName?: string }[] | undefined)
    ?.find((x) => (x.metricName ?? metric) === metric && Object.entries(labels).every(([k, want]) => String(x.labels[k]) === want));
  return v?.value;
}

describe('createWorkQueueMetrics', () => {
  it('counts adds (not duplicate adds), depth at scrape time, syncs by result, errors and retries', async () => {
    const registry = new Registry();
    const q = new WorkQueue({ name: 'job', metrics: createWorkQueueMetrics(registry), baseDelayMs: 1, maxDelayMs: 1 });
    q.add('a');
    q.add('a');
    q.add('b');
    expect(await valueOf(registry, 'workqueue_adds_total', { name: 'job' })).toBe(2);
    expect(await valueOf(registry, 'workqueue_depth', { name: 'job' })).toBe(2);
    expect(await valueOf(registry, 'controller_runtime_reconcile_errors_total', { controller: 'job' })).toBe(0);

    const seen: string[] = [];
    let failB = true;
    const done = runWorkers(q, 1, async (k) => {
      seen.push(k);
      if (k === 'b' && failB) {
        failB = false;
        throw new Error('conflict');
      }
      return k === 'a' ? { requeueAfterMs: 60_000 } : undefined;
    });
    while (seen.length < 3) await new Promise((r) => setTimeout(r, 5));
    q.shutdown();
    await done;

    expect(await valueOf(registry, 'workqueue_depth', { name: 'job' })).toBe(0);
    expect(await valueOf(registry, 'workqueue_retries_total', { name: 'job' })).toBe(1);
    expect(await valueOf(registry, 'controller_runtime_reconcile_total', { controller: 'job', result: 'requeue_after' })).toBe(1);
    expect(await valueOf(registry, 'controller_runtime_reconcile_total', { controller: 'job', result: 'error' })).toBe(1);
    expect(await valueOf(registry, 'controller_runtime_reconcile_total', { controller: 'job', result: 'success' })).toBe(1);
    expect(await valueOf(registry, 'controller_runtime_reconcile_errors_total', { controller: 'job' })).toBe(1);
    expect(await valueOf(registry, 'workqueue_work_duration_seconds', { name: 'job' })).toBeUndefined(); // histograms are _count/_sum/_bucket
    const text = await registry.metrics();
    expect(text).toMatch(/^workqueue_work_duration_seconds_count\{name="job"\} 3$/m);
    expect(text).toMatch(/^workqueue_queue_duration_seconds_count\{name="job"\} 3$/m);
  });

  it('times nothing without a provider', async () => {
    const q = new WorkQueue();
    expect(q.metrics).toBeUndefined();
    q.add('a');
    expect(await q.get()).toBe('a');
    q.done('a');
  });
});
