/**
 * `npm run bench -- cli`: how quickly the kjobs CLI answers, beside `node -e 0` (node's own
 * start, the floor of any node CLI) and kubectl, all measured in the same run, interleaved (one
 * run of each command per round, so machine load hits all alike): median wall time of
 * `kjobs version --client` and `kjobs get jobs` (against an api-server holding 20 Jobs), as the
 * checkout runs it (bin/kjobs.mjs: bundle freshness check, then dist/kjobs.mjs) and as an
 * installed package runs it (dist/kjobs.mjs directly). Target: kjobs ≤ 3 × node -e 0.
 * BENCH_N rounds (default 21); the old tsx path (src/main.ts through tsx) runs 5 rounds as the
 * before.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job } from '@kjobs/api';
import { HttpClient } from '@kjobs/client';
import { ensureInfra, freePort } from '../scripts/infra.js';
import { clusterServices, readKubeconfig, ROOT, spawnService, waitForApi } from '../scripts/cluster.js';
import { deleteKeys } from '../scripts/redis-cleanup.js';
import { machine, printTable } from './support/util.js';

const N = Number(process.env.BENCH_N ?? 21);
const JOBS = 20;
const LAUNCHER = path.join(ROOT, 'packages/cli/bin/kjobs.mjs');
const BUNDLE = path.join(ROOT, 'packages/cli/dist/kjobs.mjs');

/** Wall milliseconds of one run of `cmd args` to its exit; throws on a non-zero status. */
function timeRun(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const p = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve(performance.now() - t0) : reject(new Error(`${cmd} ${args.join(' ')}: exit ${code}: ${err}`))));
  });
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const round = (x: number) => Math.round(x * 10) / 10;

function job(name: string): Job {
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name, namespace: 'default' },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['true'] }] } } },
  };
}

export async function run(): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kjobs-bench-cli-'));
  const infra = await ensureInfra(home);
  const prefix = `benchcli${randomBytes(3).toString('hex')}`;
  const spec = clusterServices({
    home, redisUrl: infra.redisUrl, natsUrl: infra.natsUrl, apiPort: await freePort(), storePrefix: prefix, subjectPrefix: prefix,
    without: ['scheduler', 'job-controller', 'kubelet-agent', 'memq'],
  })[0]!;
  const proc = spawnService(spec, home);
  try {
    await waitForApi(home);
    const kc = readKubeconfig(home);
    const api = new HttpClient({ server: kc.server, token: kc.token, ca: kc.ca });
    for (let i = 0; i < JOBS; i++) await api.create('Job', job(`bench-${i}`));
    await api.close();
    const env = { ...process.env, KUBECONFIG: path.join(home, 'kubeconfig'), NO_COLOR: '1' };
    const node = process.execPath;
    const commands: [string, string, string[], number][] = [
      ['node -e 0', node, ['-e', '0'], N],
      ['kjobs version --client', node, [LAUNCHER, 'version', '--client'], N],
      ['kjobs version --client (installed: dist/kjobs.mjs)', node, [BUNDLE, 'version', '--client'], N],
      ['kjobs get jobs', node, [LAUNCHER, 'get', 'jobs'], N],
      ['kjobs get jobs (installed: dist/kjobs.mjs)', node, [BUNDLE, 'get', 'jobs'], N],
      ['kubectl version --client', 'kubectl', ['version', '--client'], N],
      ['kubectl get jobs', 'kubectl', [`--cache-dir=${path.join(home, 'kube-cache')}`, 'get', 'jobs'], N],
      ['kjobs version --client via tsx (before the bundle)', node, [path.join(ROOT, 'node_modules/tsx/dist/cli.mjs'), path.join(ROOT, 'packages/cli/src/main.ts'), 'version', '--client'], 5],
    ];
    // Warm up: builds the bundle if stale, fills kubectl's discovery cache, loads the page cache.
    for (const [, cmd, args] of commands) await timeRun(cmd, args, env);
    const times = commands.map(() => [] as number[]);
    for (let round = 0; round < N; round++) {
      for (const [i, [, cmd, args, n]] of commands.entries()) if (round < n) times[i]!.push(await timeRun(cmd, args, env));
    }
    const med = times.map(median);
    const floor = med[0]!;
    const loadavg = os.loadavg().map((x) => round(x));
    console.log(`cli benchmark — ${N} interleaved rounds (tsx: 5), median wall ms; load average ${loadavg.join(' ')}; target: kjobs ≤ 3 × node -e 0`);
    printTable([
      ['command', 'median ms', '× node -e 0', 'met (≤ 3×)'],
      ...commands.map(([name], i) => [name, round(med[i]!), round(med[i]! / floor), name.startsWith('kjobs') && !name.includes('tsx') ? (med[i]! <= 3 * floor ? 'yes' : 'no') : '']),
    ]);
    const byName = Object.fromEntries(commands.map(([name], i) => [name, { median_ms: round(med[i]!), ratio: round(med[i]! / floor), runs: times[i]!.length }]));
    console.log(JSON.stringify({ bench: 'cli', machine: { ...machine(), loadavg }, rounds: N, jobs: JOBS, target_ratio: 3, results: byName }));
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    await deleteKeys(infra.redisUrl, `*${prefix}*`);
    await infra.stop();
    rmSync(home, { recursive: true, force: true });
  }
}
