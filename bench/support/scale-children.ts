/** The scale benchmark's child processes (this file with --informer-child or --watch-child): an Informer's sync time and RSS, and watch fan-out beside raw NATS. (part of bench/scale.ts) */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { headers as natsHeaders } from '@nats-io/transport-node';
import type { Pod } from '@kjobs/api';
import { connectBus, decodeWatchMessage, encodeJson, type NatsConnection } from '@kjobs/bus';
import { Informer, NatsClient } from '@kjobs/client';
import { paced, summarize } from './util.js';
import { NS, WATCH_BATCH, WATCH_RATE, WATCH_SECONDS, finishedPod, mib, nowMs, sleep } from './scale-objects.js';

/** The informer child (this file with --informer-child): sync an Informer of each kind, print its own RSS and time. */
export async function informerChild(): Promise<void> {
  const [natsUrl, prefix, token] = process.argv.slice(process.argv.indexOf('--informer-child') + 1);
  const nc = await connectBus({ url: natsUrl! });
  const client = new NatsClient({ nc, prefix, token, timeoutMs: 120_000 });
  const out: Record<string, { objects: number; sync_ms: number; rss_growth_mib: number; heap_growth_mib: number }> = {};
  for (const kind of ['Pod', 'Job']) {
    global.gc?.();
    const m0 = process.memoryUsage();
    const t0 = performance.now();
    const inf = new Informer(client, kind, { namespace: NS });
    await inf.start();
    const syncMs = performance.now() - t0;
    global.gc?.();
    const m1 = process.memoryUsage();
    out[kind] = { objects: inf.list().length, sync_ms: syncMs, rss_growth_mib: mib(m1.rss - m0.rss), heap_growth_mib: mib(m1.heapUsed - m0.heapUsed) };
    inf.stop();
  }
  process.stdout.write(`${JSON.stringify(out)}\n`);
  await nc.close();
  process.exit(0);
}

export function runInformerChild(natsUrl: string, prefix: string, token: string): Promise<Record<string, { objects: number; sync_ms: number; rss_growth_mib: number; heap_growth_mib: number }>> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', fileURLToPath(import.meta.url), '--informer-child', natsUrl, prefix, token], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!)) : reject(new Error(`informer child exited ${code}: ${out}`))));
  });
}

export interface FanOut { watchers: number; events: number; delivered: number; p50_ms: number; p99_ms: number; write_p99_ms: number; raw_p50_ms: number; raw_p99_ms: number; raw_delivered: number }
export interface WatchSide { delivered: number; p50: number; p99: number }

export const SENT = 'scale.kjobs.dev/sent';

/**
 * The watchers (this file with --watch-child): `watchers` NATS connections in their own process,
 * each a NatsClient watch on pods from `rv` (mode kjobs) or a plain subscription to `subject` that
 * decodes the same watch message (mode raw). Latency = arrival − the sender's wall clock (the pod's
 * SENT annotation, or the message's `t` header). Prints "ready", then the summary once `expected`
 * deliveries arrived or 20 s after "done" on stdin.
 */
export async function watchChild(): Promise<void> {
  const [natsUrl, prefix, token, w, mode, arg, expected] = process.argv.slice(process.argv.indexOf('--watch-child') + 1);
  const conns = await Promise.all(Array.from({ length: Number(w) }, () => connectBus({ url: natsUrl! })));
  const lat: number[] = [];
  let finish = () => {};
  const finished = new Promise<void>((r) => (finish = r));
  const got = (ms: number) => {
    lat.push(ms);
    if (lat.length >= Number(expected)) finish();
  };
  const handles: { stop(): void }[] = [];
  for (const nc of conns) {
    if (mode === 'kjobs') {
      handles.push(new NatsClient({ nc, prefix, token }).watch<Pod>('Pod', { namespace: NS, resourceVersion: arg }, (ev) => {
        const sent = ev.type === 'ADDED' ? ev.object.metadata.annotations?.[SENT] : undefined;
        if (sent) got(nowMs() - Number(sent));
      }));
    } else {
      const sub = nc.subscribe(arg!, {
        callback: (_e, m) => {
          if (decodeWatchMessage(m.data).object.metadata.name) got(nowMs() - Number(m.headers?.get('t') ?? 0));
        },
      });
      handles.push({ stop: () => sub.unsubscribe() });
    }
  }
  await Promise.all(conns.map((c) => c.flush()));
  await sleep(mode === 'kjobs' ? 500 : 0); // the watches catch up from rv before the writes start
  process.stdout.write('ready\n');
  process.stdin.on('data', (d) => {
    if (String(d).includes('done')) setTimeout(finish, 20_000).unref();
  });
  process.stdin.on('end', () => process.exit(1)); // the bench is gone: so is this child
  await finished;
  for (const h of handles) h.stop();
  const s = summarize(lat);
  process.stdout.write(`${JSON.stringify({ delivered: lat.length, p50: s.p50, p99: s.p99 })}\n`);
  await Promise.all(conns.map((c) => c.close()));
  process.exit(0);
}

/** Start a watch child; resolves with its `run(send)` once it is ready. */
export async function watchSide(args: string[], send: () => Promise<number[]>): Promise<{ side: WatchSide; writes: number[] }> {
  const p = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), '--watch-child', ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  let ready = () => {};
  const isReady = new Promise<void>((r) => (ready = r));
  p.stdout.on('data', (d) => {
    out += d;
    if (out.includes('ready\n')) ready();
  });
  const exited = new Promise<WatchSide>((resolve, reject) => p.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').at(-1)!) as WatchSide) : reject(new Error(`watch child exited ${code}: ${out}`)))));
  await Promise.race([isReady, exited]);
  const writes = await send().catch((e: unknown) => {
    p.kill();
    exited.catch(() => undefined);
    throw e;
  });
  p.stdin.write('done\n');
  return { side: await exited, writes };
}

/**
 * `watchers` watchers on pods in a child process while this process creates pods at WATCH_RATE/s
 * over NATS (batches of WATCH_BATCH); then the same watchers as raw NATS subscribers while this process publishes the same
 * watch message (same bytes) at the same rate.
 */
export async function fanOut(natsUrl: string, prefix: string, token: string, client: NatsClient, nc: NatsConnection, watchers: number): Promise<FanOut> {
  const n = WATCH_RATE * WATCH_SECONDS;
  const rv = (await client.list('Pod', { namespace: NS, limit: 1 })).metadata.resourceVersion!;
  let sample: Pod | undefined;
  // 1,000 creates/s as 20 batches of 50 a second (the NATS batch verb): one create at a time cannot
  // reach 1,000/s on a loaded 2-core machine, and the watch would then measure the writer's queue.
  const k = await watchSide([natsUrl, prefix, token, String(watchers), 'kjobs', rv, String(n * watchers)], () => paced(n / WATCH_BATCH, WATCH_RATE / WATCH_BATCH, async (b) => {
    const pods = Array.from({ length: WATCH_BATCH }, (_, j) => {
      const pod = finishedPod(`w${watchers}-${b * WATCH_BATCH + j}`, b * WATCH_BATCH + j);
      pod.metadata.annotations = { [SENT]: String(nowMs()) };
      return pod;
    });
    const res = await client.createMany('Pod', pods);
    const bad = res.find((r) => r instanceof Error);
    if (bad) throw bad;
    sample ??= res[0] as Pod;
  }));
  const subject = `${prefix}.scale.raw`;
  const payload = encodeJson({ type: 'ADDED', rv: '1', prev: '0', object: sample });
  const raw = await watchSide([natsUrl, prefix, token, String(watchers), 'raw', subject, String(n * watchers)], async () => {
    await paced(n, WATCH_RATE, async () => {
      const h = natsHeaders();
      h.set('t', String(nowMs()));
      nc.publish(subject, payload, { headers: h });
    });
    await nc.flush();
    return [];
  });
  return { watchers, events: n, delivered: k.side.delivered, p50_ms: k.side.p50, p99_ms: k.side.p99, write_p99_ms: summarize(k.writes).p99, raw_p50_ms: raw.side.p50, raw_p99_ms: raw.side.p99, raw_delivered: raw.side.delivered };
}

if (process.argv.includes('--informer-child')) await informerChild();
else if (process.argv.includes('--watch-child')) await watchChild();
