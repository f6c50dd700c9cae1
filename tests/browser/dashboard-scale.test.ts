/**
 * The dashboard with 1,000 pods: an in-process api-server (real Redis and NATS, no controllers,
 * so the objects stay exactly as written) holding one Job whose 1,000 pods are spread over two
 * Nodes; then 200 of them change phase while the page watches. Checks that the page shows every
 * count right and stays bounded (300 pod rows, a note for the rest); prints how long the first
 * picture and the catch-up took and the slowest render pass (numbers only, no timing asserts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { Job, Node, Pod } from '@kjobs/api';
import { startHarness, type Harness } from '@kjobs/api-server/testing';
import { launchChromium } from './chromium.js';

const PODS = 1000;
const CHANGED = 200;
let h: Harness;
let browser: Browser | undefined;
let page: Page;

/** Run `fn` over `items` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<unknown>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: n }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const text = (sel: string) => page.evaluate((s) => document.querySelector(s)?.textContent?.trim() ?? '', sel);

beforeAll(async () => {
  h = await startHarness();
  for (const name of ['node-a', 'node-b']) {
    await h.http.create<Node>('Node', {
      apiVersion: 'v1', kind: 'Node', metadata: { name },
      status: { allocatable: { cpu: '64', memory: '256Gi', pods: '1000' }, conditions: [{ type: 'Ready', status: 'True' }] },
    });
  }
  const job = await h.http.create<Job>('Job', {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'bulk', namespace: 'default' },
    spec: { completions: PODS, parallelism: PODS, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } } },
  });
  const owner = { apiVersion: 'batch/v1', kind: 'Job', name: 'bulk', uid: job.metadata.uid!, controller: true, blockOwnerDeletion: true };
  await pool(Array.from({ length: PODS }, (_, i) => i), 16, (i) => h.http.create<Pod>('Pod', {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `bulk-${String(i).padStart(4, '0')}`, namespace: 'default', labels: { 'job-name': 'bulk' }, ownerReferences: [owner] },
    spec: {
      nodeName: i % 2 ? 'node-b' : 'node-a', restartPolicy: 'Never',
      containers: [{ name: 'c', image: 'busybox', command: ['true'], resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
    },
  }));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
}, 300_000);

afterAll(async () => {
  await browser?.close();
  await h?.stop();
}, 120_000);

describe('the dashboard with 1,000 pods', () => {
  it('shows the counts, bounds the pod list, and follows 200 changes', async () => {
    await page.goto(`${h.server.url}/dashboard/`);
    await page.getByLabel('Token').fill(h.token);
    const t0 = Date.now();
    await page.getByRole('button', { name: 'Sign in' }).click();
    await until('the 1,000 pods on the Job', async () => (await text('#jobs > tr[data-key="default/bulk"] button[data-select]')) === `${PODS} pods`);
    const firstPicture = Date.now() - t0;
    expect(await text('#pods-summary')).toBe(`${PODS} pods: ${PODS} Pending`);
    expect(await page.locator('#pods > tr').count()).toBe(300);
    expect(await text('#pods-more')).toBe(`Showing the first 300 of ${PODS} pods; choose a Job or a namespace to narrow the list.`);
    // Nodes come from their own list+watch: wait for their rows rather than assume they are drawn.
    await until('the node rows', async () => (await text('#nodes > tr[data-key="node-a"] td:nth-child(3)')) === '500/1000');
    expect(await text('#nodes > tr[data-key="node-a"] td:nth-child(3)')).toBe('500/1000');
    expect(await text('#nodes > tr[data-key="node-b"] td:nth-child(4)')).toBe('5 / 64 (8%)');

    // Collect every render pass's duration while 200 pods change phase.
    await page.evaluate(() => {
      const w = window as unknown as { renders: number[] };
      w.renders = [];
      new MutationObserver(() => w.renders.push(Number(document.body.dataset.renderMs))).observe(document.body, { attributes: true, attributeFilter: ['data-render-ms'] });
    });
    const t1 = Date.now();
    await pool(Array.from({ length: CHANGED }, (_, i) => i), 16, (i) => h.http.patch('Pod', 'default', `bulk-${String(i * 5).padStart(4, '0')}`, 'merge', {
      status: { phase: i % 2 ? 'Running' : 'Succeeded' },
    }, { subresource: 'status' }));
    const written = Date.now() - t1;
    await until('the changes on the page', async () => (await text('#pods-summary')) === `${PODS} pods: ${PODS - CHANGED} Pending, ${CHANGED / 2} Running, ${CHANGED / 2} Succeeded`);
    const caughtUp = Date.now() - t1;
    expect(await text('#jobs > tr[data-key="default/bulk"] td:nth-child(7) .small')).toBe(`${PODS - CHANGED} Pending, ${CHANGED / 2} Running, ${CHANGED / 2} Succeeded`);
    // Succeeded pods no longer hold their requests on the node.
    await until('the node totals after the changes', async () => (await text('#nodes > tr[data-key="node-a"] td:nth-child(3)')) === `${500 - CHANGED / 2}/1000`);
    expect(await text('#nodes > tr[data-key="node-a"] td:nth-child(3)')).toBe(`${500 - CHANGED / 2}/1000`);
    const renders = await page.evaluate(() => (window as unknown as { renders: number[] }).renders);
    expect(renders.length).toBeGreaterThan(0);
    const sorted = [...renders].sort((a, b) => a - b);
    console.log(
      `dashboard, ${PODS} pods: first picture ${firstPicture} ms after sign-in; ${CHANGED} status writes took ${written} ms and were on the page ${caughtUp} ms after the first; ` +
        `${renders.length} render passes, median ${sorted[Math.floor(sorted.length / 2)]} ms, slowest ${sorted.at(-1)} ms`,
    );
  }, 300_000);
});
