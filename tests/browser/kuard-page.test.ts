/**
 * kuard's page in headless Chromium: the built-in kuard program runs as a process (the bundle the
 * kubelet spawns), the MemQ Server tab shows a queue created through the API and its depth falling
 * while three kuard consumer processes work it off, and the other tabs the chapter's readers use
 * (probes with their fail-next controls, KeyGen, Server Env, Request Details) do what they say.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { kuardCommand } from '@kjobs/kuard';
import { launchChromium, screenshotPath } from './chromium.js';

const procs: ChildProcess[] = [];
let browser: Browser | undefined;
let page: Page;
let port = 0;
let url = '';

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const p = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return p;
}

/** Start a kuard process; resolves with its exit code when it ends. */
function kuard(args: string[]): Promise<number | null> {
  const cmd = kuardCommand();
  const child = spawn(cmd.command, [...cmd.args, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  child.stderr?.resume();
  procs.push(child);
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

async function call(method: string, path: string, body?: string): Promise<Response> {
  return fetch(`${url}${path}`, { method, body });
}

async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The cells of a queue's row in the MemQ table, as the page shows them. */
async function queueRow(name: string): Promise<string[] | undefined> {
  return page.evaluate((n) => {
    for (const tr of document.querySelectorAll('#memq-queues tbody tr')) {
      const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '');
      if (cells[0] === n) return cells;
    }
    return undefined;
  }, name);
}

beforeAll(async () => {
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  void kuard([`--address=127.0.0.1:${port}`, '--keygen-key-bits=512']);
  await until('kuard serving', async () => (await call('GET', '/healthy')).ok, 30_000);
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
});

describe("kuard's page", () => {
  it('MemQ Server tab: empty, then a queue made through the API, its depth falling as consumers work', async () => {
    await page.goto(`${url}/-/memq`);
    await page.getByText('There are no queues created').waitFor();
    expect(await page.getAttribute('nav a[aria-current="page"]', 'href')).toBe('/-/memq');

    const items = 30;
    expect((await call('PUT', '/memq/server/queues/keygen')).status).toBe(200);
    for (let i = 0; i < items; i++) expect((await call('POST', '/memq/server/queues/keygen/enqueue', `work-item-${i}`)).status).toBe(200);
    expect(await until('the queue on the page', async () => {
      const row = await queueRow('keygen');
      return row?.[1] === String(items) ? row : undefined;
    })).toEqual(['keygen', String(items), String(items), '0', '0']);

    // Record every depth the page renders from now on.
    await page.evaluate(() => {
      const w = window as unknown as { depths: number[] };
      w.depths = [];
      new MutationObserver(() => {
        for (const tr of document.querySelectorAll('#memq-queues tbody tr')) {
          const cells = [...tr.querySelectorAll('td')].map((td) => td.textContent ?? '');
          if (cells[0] === 'keygen') w.depths.push(Number(cells[1]));
        }
      }).observe(document.getElementById('main')!, { childList: true, subtree: true });
    });

    const consumer = [
      '--keygen-enable', '--keygen-exit-on-complete', `--keygen-memq-server=${url}/memq/server`, '--keygen-memq-queue=keygen',
      '--keygen-key-bits=2048', '--address=127.0.0.1:0',
    ];
    const exits = [kuard(consumer), kuard(consumer), kuard(consumer)];
    expect(await until('the queue worked off on the page', async () => {
      const row = await queueRow('keygen');
      return row?.[1] === '0' && row[3] === String(items) ? row : undefined;
    }, 120_000)).toEqual(['keygen', '0', String(items), String(items), '0']);
    expect(await Promise.all(exits)).toEqual([0, 0, 0]);

    const depths = await page.evaluate(() => (window as unknown as { depths: number[] }).depths);
    expect(depths.at(-1)).toBe(0);
    for (let i = 1; i < depths.length; i++) expect(depths[i]).toBeLessThanOrEqual(depths[i - 1]!);
    console.log(`kuard MemQ tab rendered depths ${[...new Set(depths)].join(' → ')} while 3 consumers worked off ${items} items`);

    // A second queue with work waiting makes the screenshot show both states.
    await call('PUT', '/memq/server/queues/thumbnails');
    for (let i = 0; i < 7; i++) await call('POST', '/memq/server/queues/thumbnails/enqueue', `image-${i}`);
    await call('POST', '/memq/server/queues/thumbnails/dequeue');
    await until('second queue shown', async () => (await queueRow('thumbnails'))?.[1] === '6');
    const names = await page.$$eval('#memq-queues tbody tr td:first-child', (tds) => tds.map((td) => td.textContent));
    expect(names).toEqual(['keygen', 'thumbnails']);
    await page.screenshot({ path: screenshotPath('kuard-memq.png'), fullPage: true });
  }, 180_000);

  it('Liveness Probe tab: fail the next 2 probes, then succeed again', async () => {
    await page.getByRole('link', { name: 'Liveness Probe' }).click();
    await page.getByRole('heading', { name: 'Liveness Probe' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/-/liveness');
    await page.getByLabel('Fail next N probes').fill('2');
    await page.getByRole('button', { name: 'Fail next N' }).click();
    await page.getByText('The next 2 probe(s) will fail.').waitFor();
    expect(await (await call('GET', '/healthy')).text()).toBe('fail, 1 left');
    await page.getByText('Fail next: 1').waitFor();
    await page.getByRole('cell', { name: '500 fail' }).first().waitFor();
    await page.getByRole('button', { name: 'Fail permanently' }).click();
    await page.getByText('Fail next: permanently failing').waitFor();
    expect(await (await call('GET', '/healthy')).text()).toBe('fail, permanent');
    await page.getByRole('button', { name: 'Succeed' }).click();
    await page.getByText('Fail next: 0 (succeeding)').waitFor();
    const ok = await call('GET', '/healthy');
    expect([ok.status, await ok.text()]).toEqual([200, 'ok']);
  });

  it('Readiness Probe tab drives /ready, not /healthy', async () => {
    await page.getByRole('link', { name: 'Readiness Probe' }).click();
    await page.getByLabel('Fail next N probes').fill('1');
    await page.getByRole('button', { name: 'Fail next N' }).click();
    await page.getByText('Fail next: 1').waitFor();
    expect((await call('GET', '/ready')).status).toBe(500);
    expect((await call('GET', '/healthy')).status).toBe(200);
  });

  it('KeyGen Workload tab: apply a config, see the workload output newest first', async () => {
    await page.getByRole('link', { name: 'KeyGen Workload' }).click();
    await page.getByLabel('Enable').check();
    await page.getByLabel('Number of keys (0 = no limit)').fill('2');
    await page.getByRole('button', { name: 'Apply' }).click();
    await page.getByText('Workload restarted.').waitFor();
    const out = await until('workload output', async () => {
      const t = await page.textContent('#kg-history');
      return t?.startsWith('(ID 0) Workload exiting') ? t : undefined;
    });
    expect(out.split('\n')).toEqual([
      '(ID 0) Workload exiting',
      expect.stringMatching(/^\(ID 0 2\/2\) Item done: SHA256:[A-Za-z0-9+/]{43}$/),
      expect.stringMatching(/^\(ID 0 1\/2\) Item done: SHA256:[A-Za-z0-9+/]{43}$/),
      '(ID 0) Workload starting',
    ]);
    const status = (await (await call('GET', '/keygen')).json()) as { config: { enable: boolean; numToGen: number } };
    expect(status.config).toMatchObject({ enable: true, numToGen: 2 });
  });

  it('Server Env and Request Details tabs show the command line and the request', async () => {
    await page.getByRole('link', { name: 'Server Env' }).click();
    await page.getByRole('heading', { name: 'Server Env' }).waitFor();
    expect(await page.textContent('main pre')).toContain(`--address=127.0.0.1:${port}`);
    await page.goto(`${url}/`);
    await page.getByRole('heading', { name: 'Request Details' }).waitFor();
    expect(await page.textContent('main pre')).toMatch(/^GET \/ HTTP\/1\.1\n/);
    expect(await page.textContent('#version')).toBe('v0.10.0-blue');
  });
});
