/**
 * `npm run bench -- relay`: two api-servers (behind HAProxy, as `apiServers: 2` runs them) relaying
 * watch events to NATS, with the relay lease (one publisher; the default) and without it
 * (KJOBS_RELAY_LEASE=0: both publish, subscribers drop the copies). For 3,000 ConfigMap creates
 * over NATS: NATS watch messages per change, CPU of each api-server and of one watching subscriber
 * process (NatsClient, as the services' informers). Runs interleaved (lease, all, lease, all);
 * the baseline is the same load with the lease.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { findResource, type ConfigMap } from '@kjobs/api';
import { connectBus, Subjects } from '@kjobs/bus';
import { NatsClient } from '@kjobs/client';
import { ensureInfra, freePort } from '../scripts/infra.js';
import { readKubeconfig, ROOT, startCluster } from '../scripts/cluster.js';
import { deleteKeys } from '../scripts/redis-cleanup.js';
import { readServices, round } from './support/measure.js';
import { emitResult, inFlight, machine, printTable } from './support/util.js';

const N = Number(process.env.BENCH_N ?? 3000);

interface Sample {
  mode: 'lease' | 'all';
  perChange: number;
  apiCpuMs: number;
  watcherCpuMs: number;
  wallMs: number;
}

async function once(mode: 'lease' | 'all', infra: { redisUrl: string; natsUrl: string }): Promise<Sample> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kjobs-bench-relay-'));
  const prefix = `bench${randomBytes(3).toString('hex')}`;
  const cluster = await startCluster({
    home, redisUrl: infra.redisUrl, natsUrl: infra.natsUrl, apiPort: await freePort(), apiServers: 2, storePrefix: prefix, subjectPrefix: prefix,
    without: ['scheduler', 'job-controller', 'kubelet-agent', 'memq'], localRegistry: 'off', env: { KJOBS_RELAY_LEASE: mode === 'lease' ? '1' : '0', LOG_LEVEL: 'warn' },
  });
  const nc = await connectBus({ url: infra.natsUrl });
  try {
    const kc = readKubeconfig(home);
    const nats = new NatsClient({ nc, prefix, token: kc.token });
    let messages = 0;
    const sub = nc.subscribe(new Subjects(prefix).watchAll(findResource('', 'configmaps')!), { callback: () => void messages++ });
    const watcher = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/support/relay-watcher.ts'), infra.natsUrl, prefix, kc.token], { cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'] });
    const lines = createInterface({ input: watcher.stdout! })[Symbol.asyncIterator]();
    if ((await lines.next()).value !== 'ready') throw new Error('relay-watcher did not start');
    const cm = (i: number): ConfigMap => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c-${i}`, namespace: 'default', labels: { app: 'bench' } }, data: { v: 'x'.repeat(300) } });
    await inFlight(300, 32, (i) => nats.create('ConfigMap', cm(N + i)).then(() => undefined));
    await nc.flush();
    messages = 0;
    const before = readServices(cluster);
    const wallMs = await inFlight(N, 64, (i) => nats.create('ConfigMap', cm(i)).then(() => undefined));
    // Every change relayed (a relay waits at most a couple of ms between reads).
    const end = Date.now() + 10_000;
    while (messages < N && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    const after = readServices(cluster);
    watcher.stdin!.write('report\n');
    const report = JSON.parse(String((await lines.next()).value)) as { events: number; cpuMs: number };
    sub.unsubscribe();
    let apiCpuMs = 0;
    for (const [name, a] of after) if (name.startsWith('api-server')) apiCpuMs += (a.cpuSec - before.get(name)!.cpuSec) * 1000;
    return { mode, perChange: messages / N, apiCpuMs, watcherCpuMs: report.cpuMs, wallMs };
  } finally {
    await nc.drain();
    await cluster.stop();
    await deleteKeys(infra.redisUrl, `*${prefix}*`);
    rmSync(home, { recursive: true, force: true });
  }
}

export async function run(): Promise<void> {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-bench-relay-infra-'));
  const infra = await ensureInfra(stateDir);
  const samples: Sample[] = [];
  try {
    for (const mode of ['lease', 'all', 'lease', 'all'] as const) samples.push(await once(mode, infra));
  } finally {
    await infra.stop?.();
    rmSync(stateDir, { recursive: true, force: true });
  }
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
  const of = (mode: string, k: keyof Sample) => median(samples.filter((s) => s.mode === mode).map((s) => s[k] as number));
  printTable([
    ['relay', 'NATS msgs/change', 'api-servers CPU ms', 'watcher CPU ms', 'wall ms'],
    ...samples.map((s) => [s.mode, round(s.perChange), round(s.apiCpuMs, 0), round(s.watcherCpuMs, 0), round(s.wallMs, 0)]),
  ]);
  emitResult({
    bench: 'relay', machine: machine(), changes: N,
    lease: { msgs_per_change: of('lease', 'perChange'), api_cpu_ms: round(of('lease', 'apiCpuMs'), 0), watcher_cpu_ms: round(of('lease', 'watcherCpuMs'), 0) },
    all_publish: { msgs_per_change: of('all', 'perChange'), api_cpu_ms: round(of('all', 'apiCpuMs'), 0), watcher_cpu_ms: round(of('all', 'watcherCpuMs'), 0) },
  });
}
