/**
 * `npm run bench -- memq` (or `npx tsx bench/memq.ts`): MemQ enqueue and dequeue throughput and
 * p99 latency at 16 concurrent keep-alive HTTP clients, for
 *   - services/memq (durable, Redis; one EVALSHA per request),
 *   - the kuard program's in-memory MemQ server (the bundle the kubelet spawns),
 * beside the floor: raw Redis LPUSH/RPOP through ioredis at 16 concurrency.
 * The load generator is wrk (one thread, a Lua script for POSTs) when installed, else a Node
 * keep-alive loop. Prints a table and one final JSON line.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import { kuardCommand } from '@kjobs/kuard';
import { machine, printTable, summarize } from './support/util.js';

const REPO = path.join(path.dirname(fileURLToPath(import.meta.url)), '..');
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const CONCURRENCY = 16;
const ENQUEUE_SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const BODY = 'work-item-0000000000';

interface Figures {
  /** Completed operations per second. */
  rps: number;
  p99ms: number;
  /** Items actually dequeued per second (dequeue phase only; 204s excluded). */
  itemsPerSec?: number;
}

interface TargetResult {
  enqueue: Figures;
  dequeue: Figures;
}

function hasWrk(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (err) {
    // wrk --version exits 1 after printing its version; only ENOENT means "not installed".
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}

async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const port = (s.address() as { port: number }).port;
  await new Promise((resolve) => s.close(resolve));
  return port;
}

const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });

/** Control requests (create, stats) use a fresh connection: a pooled one may have idled out during a wrk run. */
const CONTROL = false;

function http(port: number, method: string, p: string, body?: string, pooled = CONTROL): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = request({ host: '127.0.0.1', port, method, path: p, headers, agent: pooled ? agent : false }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function waitHealthy(port: number, p: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      if ((await http(port, 'GET', p)).status === 200) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`server on ${port} did not come up`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function spawnGroup(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(command, args, { cwd: REPO, env, detached: true, stdio: ['ignore', 'ignore', 'ignore'] });
}

function killGroup(child: ChildProcess): void {
  if (child.pid && child.exitCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** One wrk run; returns requests/s and p99 in ms. */
function wrkRun(url: string, seconds: number, method: 'POST', body: string | undefined): Figures {
  const script = path.join(os.tmpdir(), `memq-bench-${process.pid}.lua`);
  writeFileSync(script, `wrk.method = "${method}"\n${body === undefined ? '' : `wrk.body = "${body}"\n`}`);
  const out = execFileSync('wrk', ['-t1', `-c${CONCURRENCY}`, `-d${seconds}s`, '--latency', '-s', script, url], { encoding: 'utf8' });
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? NaN);
  const m = /\s99%\s+([\d.]+)(us|ms|s)\b/.exec(out);
  const p99ms = m ? Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1) : NaN;
  if (/Non-2xx or 3xx responses/.test(out)) throw new Error(`non-2xx responses from ${url}:\n${out}`);
  return { rps, p99ms };
}

/** The Node fallback: 16 keep-alive loops for `seconds`. */
async function nodeRun(port: number, p: string, seconds: number, body: string | undefined): Promise<Figures> {
  const lat: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < end) {
        const s = performance.now();
        const r = await http(port, 'POST', p, body, true);
        if (r.status >= 300) throw new Error(`${p}: ${r.status} ${r.body}`);
        lat.push(performance.now() - s);
      }
    }),
  );
  return { rps: lat.length / seconds, p99ms: summarize(lat).p99 };
}

async function depth(port: number, queue: string): Promise<{ depth: number; dequeued: number }> {
  const s = JSON.parse((await http(port, 'GET', '/memq/server/stats')).body) as { queues: { name: string; depth: number; dequeued: number }[] };
  const q = s.queues.find((x) => x.name === queue)!;
  return { depth: q.depth, dequeued: q.dequeued };
}

/** Enqueue phase, then a dequeue phase sized so the queue does not run dry. */
async function benchTarget(port: number, useWrk: boolean): Promise<TargetResult> {
  const queue = `bench-${randomBytes(4).toString('hex')}`;
  const qPath = `/memq/server/queues/${queue}`;
  if ((await http(port, 'PUT', qPath)).status !== 200) throw new Error('create queue failed');
  const url = (op: string): string => `http://127.0.0.1:${port}${qPath}/${op}`;
  // warm-up (JIT, connections)
  if (useWrk) wrkRun(url('enqueue'), 1, 'POST', BODY);
  else await nodeRun(port, `${qPath}/enqueue`, 1, BODY);
  const enqueue = useWrk ? wrkRun(url('enqueue'), ENQUEUE_SECONDS, 'POST', BODY) : await nodeRun(port, `${qPath}/enqueue`, ENQUEUE_SECONDS, BODY);

  // warm-up of the dequeue path too (a second of items out of the five or more enqueued)
  if (useWrk) wrkRun(url('dequeue'), 1, 'POST', undefined);
  else await nodeRun(port, `${qPath}/dequeue`, 1, undefined);
  const before = await depth(port, queue);
  const seconds = Math.max(1, Math.min(3, Math.floor(before.depth / Math.max(1, enqueue.rps * 1.6))));
  const dequeue = useWrk ? wrkRun(url('dequeue'), seconds, 'POST', undefined) : await nodeRun(port, `${qPath}/dequeue`, seconds, undefined);
  const after = await depth(port, queue);
  dequeue.itemsPerSec = (after.dequeued - before.dequeued) / seconds;
  await http(port, 'DELETE', qPath);
  return { enqueue, dequeue };
}

/** The floor: ioredis LPUSH then RPOP, 16 in flight, per-op latency. */
async function benchRawRedis(): Promise<TargetResult> {
  const redis = new Redis(REDIS_URL);
  const key = `bench:memq:raw:${randomBytes(4).toString('hex')}`;
  const loop = async (seconds: number, op: () => Promise<unknown>): Promise<Figures> => {
    const lat: number[] = [];
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (performance.now() < end) {
          const s = performance.now();
          await op();
          lat.push(performance.now() - s);
        }
      }),
    );
    return { rps: lat.length / seconds, p99ms: summarize(lat).p99 };
  };
  try {
    await loop(1, () => redis.lpush(key, BODY));
    const enqueue = await loop(ENQUEUE_SECONDS, () => redis.lpush(key, BODY));
    const dequeue = await loop(Math.min(3, ENQUEUE_SECONDS), () => redis.rpop(key));
    return { enqueue, dequeue };
  } finally {
    await redis.del(key);
    await redis.quit();
  }
}

/** Run the benchmark; prints a table and one JSON line, and returns the figures. */
export async function run(): Promise<object> {
  const useWrk = hasWrk();
  const prefix = `bench:memq:${randomBytes(4).toString('hex')}:`;
  const children: ChildProcess[] = [];
  const cleanup = (): void => children.forEach(killGroup);
  process.once('exit', cleanup);
  try {
    const svcPort = await freePort();
    children.push(
      spawnGroup(process.execPath, ['--import', 'tsx', 'services/memq/src/main.ts'], {
        ...process.env,
        MEMQ_ADDR: `127.0.0.1:${svcPort}`,
        MEMQ_PREFIX: prefix,
        REDIS_URL,
        LOG_LEVEL: 'warn',
      }),
    );
    const kuardPort = await freePort();
    const kuard = kuardCommand();
    children.push(spawnGroup(kuard.command, [...kuard.args, `--address=127.0.0.1:${kuardPort}`], { ...process.env }));
    await waitHealthy(svcPort, '/healthz');
    await waitHealthy(kuardPort, '/healthy');

    const service = await benchTarget(svcPort, useWrk);
    const kuardMem = await benchTarget(kuardPort, useWrk);
    const raw = await benchRawRedis();

    const row = (name: string, r: TargetResult): (string | number)[] => [
      name,
      Math.round(r.enqueue.rps),
      r.enqueue.p99ms,
      Math.round(r.dequeue.itemsPerSec ?? r.dequeue.rps),
      r.dequeue.p99ms,
    ];
    console.log(`memq benchmark — ${CONCURRENCY} concurrent keep-alive clients, load generator: ${useWrk ? 'wrk -t1' : 'node'}`);
    printTable([
      ['target', 'enqueue/s', 'enq p99 ms', 'dequeue/s', 'deq p99 ms'],
      row('services/memq (Redis)', service),
      row('kuard (in memory)', kuardMem),
      row('floor: ioredis LPUSH/RPOP', raw),
    ]);
    const result = {
      bench: 'memq',
      concurrency: CONCURRENCY,
      loadGenerator: useWrk ? 'wrk' : 'node',
      machine: { ...machine(), loadavg: os.loadavg().map((x) => Number(x.toFixed(2))) },
      service,
      kuard: kuardMem,
      redisFloor: raw,
      targets: { enqueuePerSec: 22000, dequeuePerSec: 24000 },
    };
    console.log(JSON.stringify(result));
    return result;
  } finally {
    cleanup();
    agent.destroy();
    const redis = new Redis(REDIS_URL);
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length > 0) await redis.del(...keys);
    await redis.quit();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  run().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
}
