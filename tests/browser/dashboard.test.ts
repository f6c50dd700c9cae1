/**
 * The kjobs dashboard in headless Chromium against a whole cluster started as processes (the
 * e2e harness), with the api-server polling the cluster's MemQ: sign in with the kubeconfig's
 * token, watch the chapter's parallel Job's progress bar reach 10/10, see a failed Job's reason,
 * the CronJob's next run, the nodes, a queue draining and the events — all live, no reloads.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort } from '../../scripts/infra.js';
import { readKubeconfig } from '../../scripts/cluster.js';
import { EXAMPLES, startE2E, waitFor, type E2E } from '../e2e/harness.js';
import { launchChromium, screenshotPath } from './chromium.js';

let e: E2E;
let browser: Browser | undefined;
let context: BrowserContext;
let page: Page;
let server = '';
let token = '';
let memq = '';

const REPORT_JOB = `apiVersion: batch/v1
kind: Job
metadata:
  name: report
spec:
  completions: 3
  parallelism: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: report
        image: busybox
        command: ["sleep", "25"]
`;

async function kubectlOk(args: string[], input?: string): Promise<string> {
  const r = await e.kubectl(args, { input, timeoutMs: 60_000 });
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return r.stdout;
}

/** The text of each cell of a row of a dashboard table, by the row's key. */
async function row(tbody: string, key: string): Promise<string[] | undefined> {
  return page.evaluate(([id, k]) => {
    const tr = [...document.querySelectorAll(`#${id} > tr`)].find((r) => (r as HTMLElement).dataset.key === k);
    return tr ? [...tr.children].map((c) => (c.textContent ?? '').trim()) : undefined;
  }, [tbody, key] as const);
}

beforeAll(async () => {
  const memqPort = await freePort();
  memq = `http://127.0.0.1:${memqPort}`;
  e = await startE2E({
    memqPort,
    env: { KJOBS_MEMQ_URL: memq, KJOBS_KUARD_KEY_BITS: '512', KJOBS_CRASHLOOP_INITIAL_MS: '1000', KJOBS_CRASHLOOP_MAX_MS: '4000' },
  });
  const kc = readKubeconfig(e.home);
  server = kc.server;
  token = kc.token;
  browser = await launchChromium();
  // The cluster's CA is its own; a user imports .kjobs/pki/ca.crt or accepts it once.
  context = await browser.newContext({ ignoreHTTPSErrors: true, viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await e?.stop();
}, 120_000);

describe('the kjobs dashboard', () => {
  it('asks for a token, refuses a wrong one, signs in with the kubeconfig one', async () => {
    await page.goto(`${server}/dashboard/`);
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.isVisible('#dash')).toBe(false);
    await page.getByLabel('Token').fill('not-a-token');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('That token was refused (401 Unauthorized).').waitFor();
    await page.getByLabel('Token').fill(token);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('● Live').waitFor({ timeout: 30_000 });
    expect(await page.textContent('#who')).toBe('Signed in as admin');
    expect(await page.evaluate(() => sessionStorage.getItem('kjobs.dashboard.token'))).toBe(token);
    // A reload keeps the session (same tab); nothing is stored beyond it.
    await page.reload();
    await page.getByText('● Live').waitFor({ timeout: 30_000 });
    expect(await page.evaluate(() => localStorage.length)).toBe(0);
    await waitFor('both nodes Ready', async () => (await row('nodes', 'node-2'))?.[1] === '✔ Ready' && (await row('nodes', 'node-1'))?.[1] === '✔ Ready', 60_000);
  }, 90_000);

  it('one live tab per browser: a second one waits, can take over, and the first resumes when it closes', async () => {
    const second = await context.newPage();
    await second.goto(`${server}/dashboard/`);
    await second.getByLabel('Token').fill(token);
    await second.getByRole('button', { name: 'Sign in' }).click();
    await second.getByText('⏸ Paused (live in another tab)').waitFor();
    expect(await page.textContent('#conn')).toBe('● Live');
    await second.getByRole('button', { name: 'Use this tab' }).click();
    await second.getByText('● Live').waitFor({ timeout: 30_000 });
    await page.getByText('⏸ Paused (live in another tab)').waitFor();
    await second.close();
    await page.getByText('● Live').waitFor({ timeout: 30_000 });
    expect(await page.isVisible('#paused')).toBe(false);
  }, 90_000);

  it('a running Job: status, active pod, its pod Running on a node', async () => {
    // A host program (the image is not in kuard's catalog): three 25-second runs, one at a time.
    await kubectlOk(['apply', '-f', '-'], REPORT_JOB);
    const r = await waitFor('report running on the page', async () => {
      const cells = await row('jobs', 'default/report');
      return cells?.[1] === '▶ Running' && cells[3] === '1' ? cells : undefined;
    }, 60_000);
    expect(r[2]).toMatch(/^[0-2]\/3$/);
    await waitFor('its pod Running', async () => {
      const pods = await page.$$eval('#pods > tr', (trs) => trs.map((tr) => [...tr.children].map((c) => (c.textContent ?? '').trim())));
      return pods.some((p) => /^default\/report-/.test(p[0]!) && p[1] === '▶ Running' && p[2] === 'Running' && /^node-[12]$/.test(p[4]!));
    }, 30_000);
  }, 90_000);

  it("the chapter's parallel Job: the progress bar climbs to 10/10, live", async () => {
    await page.evaluate(() => {
      const w = window as unknown as { progress: number[] };
      w.progress = [];
      new MutationObserver(() => {
        const bar = document.querySelector<HTMLProgressElement>('#jobs > tr[data-key="default/parallel"] progress');
        if (bar && w.progress.at(-1) !== bar.value) w.progress.push(bar.value);
      }).observe(document.getElementById('jobs')!, { childList: true, subtree: true });
    });
    await kubectlOk(['apply', '-f', path.join(EXAMPLES, 'job-parallel.yaml')]);
    const done = await waitFor('parallel at 10/10 on the page', async () => {
      const r = await row('jobs', 'default/parallel');
      return r?.[2] === '10/10' && r[1] === '✔ Complete' ? r : undefined;
    }, 180_000);
    expect(done[0]).toBe('default/parallel');
    expect(done[3]).toBe('0'); // active
    expect(done[4]).toBe('0'); // failed
    expect(done[6]).toMatch(/^10 pods\s*10 Succeeded$/);
    const conditions = await page.$$eval('#jobs > tr[data-key="default/parallel"] td.conditions div', (ds) => ds.map((d) => d.textContent));
    expect(conditions).toContainEqual(expect.stringMatching(/^Complete: /));
    const bar = await page.$eval('#jobs > tr[data-key="default/parallel"] progress', (p) => [(p as HTMLProgressElement).value, (p as HTMLProgressElement).max, p.getAttribute('aria-label')]);
    expect(bar).toEqual([10, 10, '10 of 10 completions succeeded']);
    const seen = await page.evaluate(() => (window as unknown as { progress: number[] }).progress);
    expect(seen.at(-1)).toBe(10);
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);
    console.log(`dashboard progress bar values for job parallel: ${seen.join(' → ')}`);

    // Its pods: select the Job, see its ten pods and their phase.
    await page.locator('#jobs > tr[data-key="default/parallel"] button[data-select]').click();
    await page.getByText('of Job default/parallel').waitFor();
    expect(await page.textContent('#pods-summary')).toBe('10 pods: 10 Succeeded');
    expect(await page.locator('#pods > tr').count()).toBe(10);
    const pod = await page.$eval('#pods > tr', (tr) => [...tr.children].map((c) => (c.textContent ?? '').trim()));
    expect(pod).toEqual([expect.stringMatching(/^default\/parallel-/), '✔ Completed', 'Succeeded', '0', expect.stringMatching(/^node-[12]$/)]);
  }, 200_000);

  it("a failed Job shows Failed and its reason", async () => {
    const yaml = readFileSync(path.join(EXAMPLES, 'job-oneshot-failure2.yaml'), 'utf8').replace('spec:\n  template:', 'spec:\n  backoffLimit: 2\n  template:');
    await kubectlOk(['apply', '-f', '-'], yaml);
    const failed = await waitFor('oneshot Failed on the page', async () => {
      const r = await row('jobs', 'default/oneshot');
      return r?.[1] === '✖ Failed' ? r : undefined;
    }, 150_000);
    expect(failed[4]).toBe('3');
    const conditions = await page.$$eval('#jobs > tr[data-key="default/oneshot"] td.conditions div', (ds) => ds.map((d) => d.textContent));
    expect(conditions).toContain('Failed: BackoffLimitExceeded — Job has reached the specified backoff limit');
    await waitFor('the warning event', async () => {
      const texts = await page.$$eval('#events > tr', (trs) => trs.map((tr) => tr.textContent ?? ''));
      return texts.some((t) => t.includes('⚠ Warning') && t.includes('job/oneshot') && t.includes('BackoffLimitExceeded'));
    }, 30_000);
  }, 200_000);

  it("the chapter's CronJob with its schedule and next run", async () => {
    await kubectlOk(['apply', '-f', path.join(EXAMPLES, 'job-cronjob.yaml')]);
    const r = await waitFor('example-cron on the page', () => row('cronjobs', 'default/example-cron'), 30_000);
    expect(r.slice(0, 6)).toEqual(['default/example-cron', '0 */5 * * *', 'No', '0', 'never', 'never']);
    expect(r[6]).toMatch(/^in \d+(h|m|s)\S* \(\d{4}-\d\d-\d\d \d\d:00\)$/);
  }, 60_000);

  it('a MemQ queue: counters and depth over time, as the api-server polls memq', async () => {
    expect(await page.isVisible('#memq-panel')).toBe(true);
    expect((await fetch(`${memq}/memq/server/queues/keygen`, { method: 'PUT' })).status).toBe(200);
    for (let i = 0; i < 40; i++) await fetch(`${memq}/memq/server/queues/keygen/enqueue`, { method: 'POST', body: `work-item-${i}` });
    await waitFor('depth 40 on the page', async () => (await row('queues', 'keygen'))?.[1] === '40', 30_000);
    // Work the queue off in steps, each one seen by the dashboard before the next.
    for (const depth of [30, 18, 9, 4]) {
      let current = Number((await row('queues', 'keygen'))![1]);
      while (current > depth) {
        await fetch(`${memq}/memq/server/queues/keygen/dequeue`, { method: 'POST' });
        current--;
      }
      await waitFor(`depth ${depth} on the page`, async () => (await row('queues', 'keygen'))?.[1] === String(depth), 30_000);
    }
    const r = (await row('queues', 'keygen'))!;
    expect(r.slice(0, 5)).toEqual(['keygen', '4', '40', '36', '0']);
    expect(r[5]).toMatch(/^peak 40, last \d+s$/);
    const points = await page.$eval('#queues > tr[data-key="keygen"] polyline', (p) => p.getAttribute('points')!.split(' ').length);
    expect(points).toBeGreaterThanOrEqual(5);

    // memq's own page shows the same queue.
    const memqPage = await context.newPage();
    await memqPage.goto(`${memq}/`);
    await memqPage.getByRole('cell', { name: 'keygen' }).waitFor();
    expect(await memqPage.$$eval('#queues tbody tr td', (tds) => tds.map((td) => td.textContent))).toEqual(['keygen', '4', '40', '36', '0']);
    await memqPage.close();
  }, 120_000);

  it('the API behind the page still refuses requests without the token', async () => {
    const status = await page.evaluate(async () => [(await fetch('/api/v1/pods')).status, (await fetch('/dashboard/api/memq')).status]);
    expect(status).toEqual([401, 401]);
    await page.locator('#jobs > tr[data-key="default/parallel"] button[data-select]').click(); // back to all pods
    await page.getByText('in all namespaces').waitFor();
    await page.screenshot({ path: screenshotPath('dashboard.png'), fullPage: true });
  });

  it('signing out forgets the token', async () => {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    expect(await page.evaluate(() => sessionStorage.getItem('kjobs.dashboard.token'))).toBeNull();
    await page.reload();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  });
});
