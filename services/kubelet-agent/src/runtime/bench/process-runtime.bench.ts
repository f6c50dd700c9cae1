/**
 * Process runtime benchmark (not a test): `npx tsx services/kubelet-agent/src/runtime/bench/process-runtime.bench.ts [pods]`.
 * Measures, for N pods on one runtime:
 * 1. start → Succeeded latency of `sh -c 'exit 0'` pods (Never), all synced at once;
 * 2. killPod latency of N running pods whose program exits on SIGTERM;
 * 3. recover() time with N live pods after the runtime was dropped.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from '@kjobs/api';
import { createCatalog } from '../catalog.js';
import { ProcessRuntime } from '../process-runtime.js';

const N = Number(process.argv[2] ?? 50);

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
}

function pod(name: string, script: string): Pod {
  return { metadata: { name, namespace: 'bench', uid: randomUUID() }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', script] }] } };
}

async function until(cond: () => boolean, timeoutMs = 120_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error('timeout');
    await sleep(5);
  }
}

async function main(): Promise<void> {
  const rootDir = await mkdtemp(join(tmpdir(), 'kjobs-bench-'));
  const opts = { rootDir, nodeName: 'bench', podIPRange: '127.222.0.0/16', catalog: createCatalog() };
  let rt = new ProcessRuntime(opts);
  try {
    // 1. start → Succeeded
    const quick = Array.from({ length: N }, (_, i) => pod(`q${i}`, 'exit 0'));
    const doneAt = new Map<string, number>();
    rt.onChange((uid) => {
      const p = quick.find((x) => x.metadata.uid === uid);
      if (p && !doneAt.has(uid) && rt.podStatus(p).phase === 'Succeeded') doneAt.set(uid, performance.now());
    });
    const t0 = performance.now();
    await Promise.all(quick.map((p) => rt.syncPod(p, {})));
    await until(() => doneAt.size === N);
    const lat = [...doneAt.values()].map((t) => t - t0);
    console.log(`start→Succeeded, ${N} pods at once: p50 ${pct(lat, 50).toFixed(0)} ms, p95 ${pct(lat, 95).toFixed(0)} ms, all ${Math.max(...lat).toFixed(0)} ms (${(N / (Math.max(...lat) / 1000)).toFixed(0)} pods/s)`);
    await rt.killOrphans([]);

    // 2. killPod of running pods (graceful, program exits on TERM)
    const loops = Array.from({ length: N }, (_, i) => pod(`l${i}`, "trap 'exit 0' TERM; touch \"$HOME/armed\"; while :; do sleep 0.05; done"));
    await Promise.all(loops.map((p) => rt.syncPod(p, {})));
    await until(() => loops.every((p) => rt.podStatus(p).phase === 'Running'));
    await sleep(300);
    const k0 = performance.now();
    const killLat = await Promise.all(loops.map(async (p) => (await rt.killPod(p.metadata.uid ?? '', 30), performance.now() - k0)));
    console.log(`killPod (SIGTERM honoured), ${N} pods at once: p50 ${pct(killLat, 50).toFixed(0)} ms, p95 ${pct(killLat, 95).toFixed(0)} ms`);
    await rt.killOrphans([]);

    // 3. recover() with live pods
    const live = Array.from({ length: N }, (_, i) => pod(`r${i}`, 'while :; do sleep 0.05; done'));
    await Promise.all(live.map((p) => rt.syncPod(p, {})));
    await rt.close();
    rt = new ProcessRuntime(opts);
    const r0 = performance.now();
    const uids = await rt.recover();
    console.log(`recover() with ${uids.length} live pods: ${(performance.now() - r0).toFixed(0)} ms`);
    const o0 = performance.now();
    await rt.killOrphans([], { gracePeriodSeconds: 0 });
    console.log(`killOrphans (SIGKILL) of ${uids.length} pods: ${(performance.now() - o0).toFixed(0)} ms`);
  } finally {
    await rt.killOrphans([], { gracePeriodSeconds: 0 });
    await rt.close();
    await rm(rootDir, { recursive: true, force: true });
  }
}

await main();
