/**
 * `npm run bench -- start`: how long each service takes from spawn to ready, run as its bundle
 * (`node services/<name>/dist/main.mjs`, what `npm start`, the tests and the image run) and, as
 * the before, through tsx (`node --import tsx services/<name>/src/main.ts`), beside `node -e 0`
 * (node's own start, the floor). Interleaved: one start of each kind per round, so machine load
 * hits both alike. Ready means `/readyz` answers 200 (the api-server: over HTTPS with the
 * cluster's CA; memq: `/healthz`, which pings Redis). Each service starts against a running
 * api-server, Redis and NATS, and is stopped with SIGTERM before the next start.
 * BENCH_N rounds (default 7).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import { ensureInfra, freePort } from '../scripts/infra.js';
import { bundleOf, clusterServices, readKubeconfig, ROOT, spawnService, waitForApi, type ServiceSpec } from '../scripts/cluster.js';
import { ensureServiceBundles } from '../scripts/bundle.mjs';
import { deleteKeys } from '../scripts/redis-cleanup.js';
import { emitResult, machine, printTable } from './support/util.js';

const N = Number(process.env.BENCH_N ?? 7);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

/** GET a URL; its status, or 0 when it does not answer. */
function status(url: string, ca?: string): Promise<number> {
  return new Promise((resolve) => {
    const req = (url.startsWith('https:') ? https : http).get(url, { ca, timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
  });
}

/** Milliseconds from spawn until `ready()` holds; the process is then stopped (SIGTERM) and reaped. */
async function timeStart(start: () => ChildProcess, ready: () => Promise<boolean>): Promise<number> {
  const t0 = performance.now();
  const p = start();
  let exited = false;
  p.once('exit', () => (exited = true));
  try {
    for (;;) {
      if (exited) throw new Error(`exited before it was ready (code ${p.exitCode})`);
      if (await ready()) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 10));
    }
  } finally {
    if (!exited) {
      const gone = new Promise((r) => p.once('exit', r));
      p.kill('SIGTERM');
      await gone;
    }
  }
}

export async function run(): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kjobs-bench-start-'));
  const infra = await ensureInfra(home);
  const prefix = `benchstart${randomBytes(3).toString('hex')}`;
  const memqPort = await freePort();
  const specs = clusterServices({ home, redisUrl: infra.redisUrl, natsUrl: infra.natsUrl, apiPort: await freePort(), memqPort, storePrefix: prefix, subjectPrefix: prefix, nodes: 1, nodeEnv: () => ({ KJOBS_POD_NETWORK: 'off' }) });
  await ensureServiceBundles();
  const api = specs.find((s) => s.name === 'api-server')!;
  let apiProc = spawnService(api, home);
  try {
    await waitForApi(home);
    // The same port and CA at every start of the api-server: read its kubeconfig once.
    const kc = readKubeconfig(home);
    const readyOf = (s: ServiceSpec): (() => Promise<boolean>) => {
      if (s.name === 'api-server') return async () => (await status(`${kc.server}/readyz`, kc.ca)) === 200;
      if (s.name === 'memq') return async () => (await status(`http://127.0.0.1:${memqPort}/healthz`)) === 200;
      // The others listen on a port of their own choosing; fix one so readiness can be polled.
      return async () => (await status(`http://${s.env.KJOBS_HTTP_ADDR}/readyz`)) === 200;
    };
    const rows: (string | number)[][] = [['service', 'bundle p50 ms', 'tsx p50 ms (before)', 'tsx / bundle', 'node -e 0 p50 ms (floor)', 'bundle / floor']];
    const result: Record<string, { bundleMs: number; tsxMs: number }> = {};
    const floor: number[] = [];
    for (const name of ['api-server', 'scheduler', 'job-controller', 'kubelet-agent-node-1', 'memq']) {
      let spec = specs.find((s) => s.name === name)!;
      if (!['api-server', 'memq'].includes(name)) spec = { ...spec, env: { ...spec.env, KJOBS_HTTP_ADDR: `127.0.0.1:${await freePort()}` } };
      if (name === 'api-server') {
        // Its own start is measured on a second port-free instance: stop the running one first.
        const gone = new Promise((r) => apiProc.once('exit', r));
        apiProc.kill('SIGTERM');
        await gone;
      }
      const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? home, ...spec.env };
      const bundled = () => spawn(process.execPath, [bundleOf(spec.entry)], { cwd: ROOT, env, stdio: 'ignore' });
      const tsx = () => spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, spec.entry)], { cwd: ROOT, env, stdio: 'ignore' });
      const ready = readyOf(spec);
      const b: number[] = [];
      const t: number[] = [];
      // One warm-up of each (page cache, tsx's transform cache), then N interleaved rounds.
      await timeStart(bundled, ready);
      await timeStart(tsx, ready);
      for (let i = 0; i < N; i++) {
        b.push(await timeStart(bundled, ready));
        t.push(await timeStart(tsx, ready));
        floor.push(await new Promise<number>((resolve) => {
          const t0 = performance.now();
          spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).once('exit', () => resolve(performance.now() - t0));
        }));
        process.stderr.write(`\r${name}: round ${i + 1}/${N}   `);
      }
      if (name === 'api-server') {
        apiProc = spawnService(api, home);
        await waitForApi(home);
      }
      const service = name.replace(/-node-1$/, '');
      result[service] = { bundleMs: Math.round(median(b)), tsxMs: Math.round(median(t)) };
      rows.push([service, Math.round(median(b)), Math.round(median(t)), (median(t) / median(b)).toFixed(1), Math.round(median(floor)), (median(b) / median(floor)).toFixed(1)]);
    }
    process.stderr.write('\n');
    console.log(`\nservice start, spawn → ready (${N} interleaved rounds; ${machine().cpus} CPUs, ${machine().cpu})`);
    printTable(rows);
    emitResult({ bench: 'start', rounds: N, floorMs: Math.round(median(floor)), services: result, machine: machine() });
  } finally {
    apiProc.kill('SIGTERM');
    await deleteKeys(infra.redisUrl, `${prefix}*`).catch(() => undefined);
    await infra.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
