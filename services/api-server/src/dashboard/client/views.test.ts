import { describe, expect, it } from 'vitest';
import type { Event, Job, Pod } from '@kjobs/api';
import { cronJobRow, eventRow, jobRow, nodeRow, podRow, queueRow, sparkline } from './views.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const EVIL = '<img src=x onerror=alert(1)>';

function job(status: Job['status'], completions: number | null = 10): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'parallel', namespace: 'default', uid: 'u1' },
    spec: { completions, parallelism: 5, template: { spec: { containers: [] } } }, status,
  } as Job;
}

describe('job rows', () => {
  it('a progress bar with its numbers in text, and the pods as a toggle', () => {
    const pods = [{ metadata: { name: 'p' }, spec: { containers: [] }, status: { phase: 'Running', containerStatuses: [{ restartCount: 2 }] } }] as unknown as Pod[];
    const row = jobRow(job({ succeeded: 7, active: 3, failed: 1, startTime: '2026-03-01T11:59:00Z' }), pods, NOW, true);
    expect(row.key).toBe('default/parallel');
    expect(row.html).toContain('<progress max="10" value="7" aria-label="7 of 10 completions succeeded"></progress> <span class="ptext">7/10</span>');
    expect(row.html).toContain('<span aria-hidden="true">▶</span> Running');
    expect(row.html).toContain('<td class="n bad">1</td>');
    expect(row.html).toContain('<td class="n">60s</td>');
    expect(row.html).toContain('data-select="u1" aria-pressed="true">1 pod</button><div class="small">1 Running, 2 restarts</div>');
  });

  it('a failed Job shows its reason; a work queue an indeterminate bar until done', () => {
    const failed = jobRow(job({ failed: 2, conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' }] }, 1), [], NOW, false);
    expect(failed.html).toContain('✖</span> Failed');
    expect(failed.html).toContain('<div>Failed: BackoffLimitExceeded — Job has reached the specified backoff limit</div>');
    expect(jobRow(job({ succeeded: 3 }, null), [], NOW, false).html).toContain('<progress aria-label="3 succeeded (work queue)"></progress>');
    expect(jobRow(job({ succeeded: 3, conditions: [{ type: 'Complete', status: 'True' }] }, null), [], NOW, false).html).toContain('<progress max="1" value="1"');
  });

  it('a kjobs rerun names the Job and indexes it re-runs', () => {
    const j = job({});
    j.metadata.annotations = { 'kjobs.io/rerun-of': 'render', 'kjobs.io/rerun-indexes': '3,7-9' };
    expect(jobRow(j, [], NOW, false).html).toContain('parallel<div class="small">rerun of render (indexes 3,7-9)</div></th>');
    expect(jobRow(job({}), [], NOW, false).html).not.toContain('rerun of');
  });

  it('escapes every value that came from the API', () => {
    const j = job({ conditions: [{ type: 'Failed', status: 'True', reason: EVIL, message: EVIL }] });
    j.metadata.name = EVIL;
    j.metadata.namespace = EVIL;
    const p = { metadata: { name: EVIL, namespace: EVIL }, spec: { nodeName: EVIL, containers: [] }, status: { phase: EVIL } } as unknown as Pod;
    const e = { metadata: { name: 'e', namespace: EVIL }, involvedObject: { kind: EVIL, name: EVIL, namespace: EVIL }, reason: EVIL, message: EVIL, type: EVIL } as unknown as Event;
    const html = [jobRow(j, [p], NOW, false), podRow(p), eventRow(e, NOW), nodeRow(EVIL, { ready: { text: EVIL, symbol: '', tone: 'ok' }, pods: 0, maxPods: 0, cpu: 0, maxCpu: 0, memory: 0, maxMemory: 0 }),
      queueRow({ name: EVIL, depth: 1, enqueued: 1, dequeued: 0, drained: 0, history: [] }, NOW, 600_000),
      cronJobRow({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: EVIL, namespace: EVIL }, spec: { schedule: EVIL, timeZone: EVIL, jobTemplate: { spec: { template: { spec: { containers: [] } } } } } }, NOW),
    ].map((r) => r.html).join('');
    expect(html).not.toContain('<img');
    expect(html).toContain('&#60;img src=x onerror=alert(1)&#62;');
  });
});

describe('other rows', () => {
  it('pods: status, phase, restarts, node', () => {
    const p = { metadata: { name: 'p1', namespace: 'default' }, spec: { containers: [] }, status: { phase: 'Pending' } } as unknown as Pod;
    expect(podRow(p).html).toBe('<th scope="row"><span class="ns">default/</span>p1</th><td><span class="st idle"><span aria-hidden="true">…</span> Pending</span></td>' +
      '<td>Pending</td><td class="n">0</td><td><span class="muted">unscheduled</span></td>');
  });

  it('warnings carry a symbol and the word', () => {
    const e = { metadata: { name: 'e', namespace: 'default' }, involvedObject: { kind: 'Job', name: 'oneshot', namespace: 'default' }, type: 'Warning',
      reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit', lastTimestamp: '2026-03-01T11:59:30Z', count: 2 } as Event;
    expect(eventRow(e, NOW).html).toBe('<td class="n">30s</td><td><span class="st bad"><span aria-hidden="true">⚠</span> Warning</span></td>' +
      '<td>job/oneshot <span class="ns">(default)</span></td><td>BackoffLimitExceeded</td><td>Job has reached the specified backoff limit <span class="small">(×2)</span></td>');
  });

  it('node usage: meters with the numbers in text', () => {
    const html = nodeRow('node-1', { ready: { text: 'Ready', symbol: '✔', tone: 'ok' }, pods: 3, maxPods: 110, cpu: 750, maxCpu: 4000, memory: 2 ** 30, maxMemory: 8 * 2 ** 30 }).html;
    expect(html).toContain('<td class="n">3/110</td>');
    expect(html).toContain('aria-label="CPU 19% allocated"></meter> <span class="small">750m / 4 (19%)</span>');
    expect(html).toContain('<span class="small">1Gi / 8Gi (13%)</span>');
  });

  it('sparkline: one point per sample in the window, scaled to the peak, across the history while it is short', () => {
    const svg = sparkline([[NOW - 700_000, 50], [NOW - 600_000, 10], [NOW - 300_000, 5], [NOW, 0]], NOW, 600_000, 100, 24);
    expect(svg).toContain('aria-label="depth over the last 10m, peak 10"');
    expect(svg).toContain('<polyline points="0,2.0 50,12.0 100,22.0"');
    const young = sparkline([[NOW - 20_000, 8], [NOW - 10_000, 4], [NOW, 2]], NOW, 600_000, 100, 24);
    expect(young).toContain('aria-label="depth over the last 20s, peak 8"');
    expect(young).toContain('<polyline points="0,2.0 50,12.0 100,17.0"');
    expect(sparkline([], NOW, 600_000)).not.toContain('polyline');
    expect(queueRow({ name: 'q', depth: 2, enqueued: 8, dequeued: 6, drained: 0, history: [[NOW - 20_000, 8], [NOW, 2]] }, NOW, 600_000).html)
      .toContain('<span class="small">peak 8, last 20s</span>');
  });
});
