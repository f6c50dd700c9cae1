/**
 * `npm run bench -- api`: object writes/s through the api-server over NATS and over HTTPS, write
 * latency at a fixed 1,000 writes/s, and watch delivery (write → event at a NATS subscriber), each
 * beside a raw baseline measured in the same run (plain ioredis SETs; raw NATS publish → subscribe);
 * then the same writes with the Redis failover rule off and on, on a primary with a replica under
 * Sentinel (support/durability.ts). BENCH_DURABILITY=0 skips that part.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { connectBus, decodeWatchMessage, encodeJson, Subjects } from '@kjobs/bus';
import { HttpClient, NatsClient } from '@kjobs/client';
import { RESOURCES, type Pod } from '@kjobs/api';
import { ensureInfra } from '../scripts/infra.js';
import { readKubeconfig, spawnService, waitForApi, clusterServices } from '../scripts/cluster.js';
import { inFlight, machine, paced, printTable, summarize } from './support/util.js';
import { deleteKeys } from '../scripts/redis-cleanup.js';
import { measureDurability } from './support/durability.js';

const N = Number(process.env.BENCH_N ?? 5000);

function pod(name: string): Pod {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'bench', 'batch.kubernetes.io/job-name': 'bench', tier: 'load' } },
    spec: {
      containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo hello; sleep 1'], env: [{ name: 'A', value: 'x'.repeat(200) }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }],
      restartPolicy: 'Never',
    },
  };
}

export async function run(): Promise<void> {
  const home = mkdtempSync(path.join(os.tmpdir(), 'kjobs-bench-api-'));
  const infra = await ensureInfra(home);
  const prefix = `bench${randomBytes(3).toString('hex')}`;
  const spec = clusterServices({ home, redisUrl: infra.redisUrl, natsUrl: infra.natsUrl, apiPort: 0 + 16443, storePrefix: prefix, subjectPrefix: prefix, without: ['scheduler', 'job-controller', 'kubelet-agent', 'memq'] })[0]!;
  const proc = spawnService(spec, home);
  const redis = new Redis(infra.redisUrl);
  const nc = await connectBus({ url: infra.natsUrl });
  try {
    await waitForApi(home);
    const kc = readKubeconfig(home);
    const http = new HttpClient({ server: kc.server, token: kc.token, ca: kc.ca });
    const nats = new NatsClient({ nc, prefix, token: kc.token });
    const subjects = new Subjects(prefix);
    const podsRes = RESOURCES.find((r) => r.resource === 'pods')!;

    // Warm up both paths.
    await inFlight(300, 32, (i) => nats.create('Pod', pod(`warm-n-${i}`)).then(() => undefined));
    await inFlight(300, 32, (i) => http.create('Pod', pod(`warm-h-${i}`)).then(() => undefined));

    // Throughput.
    const natsMs = await inFlight(N, 256, (i) => nats.create('Pod', pod(`n-${i}`)).then(() => undefined));
    const httpMs = await inFlight(N, 64, (i) => http.create('Pod', pod(`h-${i}`)).then(() => undefined));
    const body = JSON.stringify(pod('x'));
    const setMs = await inFlight(N, 256, (i) => redis.set(`${prefix}:raw:${i}`, body).then(() => undefined));

    // Latency at a fixed 1,000 writes/s, and watch delivery of those writes at a NATS subscriber.
    const started = new Map<string, number>();
    const delivered: number[] = [];
    const sub = nc.subscribe(subjects.watchAll(podsRes), {
      callback: (_e, m) => {
        const ev = decodeWatchMessage(m.data);
        const s = started.get(ev.object.metadata.name ?? '');
        if (s !== undefined && ev.type === 'ADDED') delivered.push(performance.now() - s);
      },
    });
    const latN = 5000;
    const lat = await paced(latN, 1000, async (i) => {
      const name = `p-${i}`;
      started.set(name, performance.now());
      await nats.create('Pod', pod(name));
    });
    const t = Date.now();
    while (delivered.length < latN && Date.now() - t < 10_000) await new Promise((r) => setTimeout(r, 50));
    sub.unsubscribe();

    // Raw NATS publish → subscribe at the same rate, same payload size.
    const rawLat: number[] = [];
    const payload = encodeJson({ type: 'ADDED', rv: '1', prev: '0', object: pod('raw') });
    const rawSubj = `${prefix}.rawbench`;
    const rsub = nc.subscribe(rawSubj, { callback: (_e, m) => void rawLat.push(performance.now() - Number(m.headers?.get('t') ?? 0)) });
    const { headers } = await import('@nats-io/transport-node');
    await paced(latN, 1000, async () => {
      const h = headers();
      h.set('t', String(performance.now()));
      nc.publish(rawSubj, payload, { headers: h });
    });
    const t2 = Date.now();
    while (rawLat.length < latN && Date.now() - t2 < 5000) await new Promise((r) => setTimeout(r, 20));
    rsub.unsubscribe();

    const dur = process.env.BENCH_DURABILITY === '0' ? undefined : await measureDurability(home, infra.natsUrl, pod, { n: Math.min(N, 3000), rounds: 3 });

    const w = summarize(lat);
    const d = summarize(delivered);
    const r = summarize(rawLat);
    const result = {
      bench: 'api', machine: machine(), n: N,
      nats_writes_per_s: (N / natsMs) * 1000,
      http_writes_per_s: (N / httpMs) * 1000,
      raw_redis_set_per_s: (N / setMs) * 1000,
      write_p50_ms_at_1000: w.p50, write_p99_ms_at_1000: w.p99,
      watch_p50_ms: d.p50, watch_p99_ms: d.p99, watch_delivered: delivered.length,
      raw_nats_p50_ms: r.p50, raw_nats_p99_ms: r.p99,
      ...(dur ? {
        replicated_off_writes_per_s: dur.off.writesPerS, replicated_on_writes_per_s: dur.on.writesPerS,
        replicated_off_p50_ms: dur.off.p50, replicated_on_p50_ms: dur.on.p50, replicated_off_p99_ms: dur.off.p99, replicated_on_p99_ms: dur.on.p99,
      } : {}),
    };
    printTable([
      ['metric', 'kjobs', 'baseline', 'ratio', 'target'],
      ['writes/s over NATS (256 in flight)', result.nats_writes_per_s, result.raw_redis_set_per_s, result.nats_writes_per_s / result.raw_redis_set_per_s, '>= 5000/s'],
      ['writes/s over HTTPS (64 in flight)', result.http_writes_per_s, result.raw_redis_set_per_s, result.http_writes_per_s / result.raw_redis_set_per_s, ''],
      ['write p50 ms @1000/s', w.p50, '', '', ''],
      ['write p99 ms @1000/s', w.p99, '', '', '<= 20 ms'],
      ['watch p50 ms (write→NATS sub)', d.p50, r.p50, d.p50 / r.p50, ''],
      ['watch p99 ms (write→NATS sub)', d.p99, r.p99, d.p99 / r.p99, '<= 10 ms'],
      ...(dur ? [
        ['Sentinel: writes/s, acked when a replica has them (vs primary)', dur.on.writesPerS, dur.off.writesPerS, dur.on.writesPerS / dur.off.writesPerS, ''],
        ['Sentinel: write p50 ms @1000/s (vs primary)', dur.on.p50, dur.off.p50, dur.on.p50 / dur.off.p50, ''],
        ['Sentinel: write p99 ms @1000/s (vs primary)', dur.on.p99, dur.off.p99, dur.on.p99 / dur.off.p99, ''],
      ] : []),
    ]);
    console.log(JSON.stringify(result));
    await http.close();
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => proc.once('exit', r));
    redis.disconnect();
    await deleteKeys(infra.redisUrl, `*${prefix}*`);
    await nc.drain();
    await infra.stop();
    rmSync(home, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await run();
