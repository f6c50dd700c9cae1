import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { MEMQ_SERVER_MAIN } from '@kjobs/memq-server/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { isBundleStale, KUARD_BUNDLE, kuardCommand } from './index.js';
import { freePort, start, waitFor, type Proc } from '../../../tests/support/test-process.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const MEMQ_MAIN = MEMQ_SERVER_MAIN;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const procs: Proc[] = [];
const cleanup: (() => Promise<void>)[] = [];

afterAll(async () => {
  for (const p of procs) p.kill();
  for (const f of cleanup) await f();
});

function kuard(args: string[], env: Record<string, string> = {}): Proc {
  const cmd = kuardCommand();
  const p = start(cmd.command, [...cmd.args, ...args], { env: { ...process.env, ...env } });
  procs.push(p);
  return p;
}

const LINE = /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d /;

describe('the kuard program (bundle spawned as the kubelet does)', () => {
  it('kuardCommand(): node plus one up-to-date, self-contained bundle file', () => {
    const cmd = kuardCommand();
    expect(cmd).toEqual({ command: process.execPath, args: [KUARD_BUNDLE] });
    expect(isBundleStale()).toBe(false);
    const bundle = readFileSync(KUARD_BUNDLE, 'utf8');
    expect(bundle).not.toMatch(/from ["']@kjobs\//);
    expect(bundle).not.toMatch(/from ["']ioredis["']/);
    // Nor bundled in: ioredis is CommonJS, and its require("events") fails in an ESM bundle.
    expect(bundle).not.toContain('node_modules/ioredis');
  });

  it('oneshot: 3 keys, kuard log lines, exit code 1', async () => {
    const p = kuard(['--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen=3', '--keygen-exit-code=1', '--keygen-key-bits=512', '--address=127.0.0.1:0']);
    expect(await p.exited).toBe(1);
    const lines = p.stderr().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d Starting kuard version: /);
    expect(lines[1]).toMatch(new RegExp(LINE.source + '\\*{70}$'));
    const logged = lines.filter((l) => LINE.test(l)).map((l) => l.slice(20));
    expect(logged.filter((l) => l.includes('Item done'))).toEqual([
      expect.stringMatching(/^\(ID 0 1\/3\) Item done: SHA256:[A-Za-z0-9+/]{43}$/),
      expect.stringMatching(/^\(ID 0 2\/3\) Item done: SHA256:[A-Za-z0-9+/]{43}$/),
      expect.stringMatching(/^\(ID 0 3\/3\) Item done: SHA256:[A-Za-z0-9+/]{43}$/),
    ]);
    expect(logged).toContain('(ID 0) Workload starting');
    expect(logged).toContain('Could not find certificates to serve TLS');
    expect(logged).toContain('Serving on HTTP on 127.0.0.1:0');
    expect(logged.at(-1)).toBe('(ID 0) Workload exiting');
  });

  it('a taken port is logged and the workload still runs to completion', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const p = kuard(['--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen=1', '--keygen-key-bits=512', `--address=127.0.0.1:${port}`]);
      expect(await p.exited).toBe(0);
      expect(p.stderr()).toContain(`listen tcp 127.0.0.1:${port}: bind: address already in use\n`);
      expect(p.stderr()).toMatch(/\(ID 0 1\/1\) Item done: SHA256:/);
    } finally {
      await new Promise((resolve) => blocker.close(resolve));
    }
  });

  it('binds :PORT to $POD_IP, and serves /healthy there', async () => {
    const port = await freePort();
    const p = kuard([`--address=:${port}`], { POD_IP: '127.0.0.3' });
    await waitFor(async () => (await call3(port, '/healthy')).status === 200, 20_000, 'kuard on 127.0.0.3');
    await expect(callHost('127.0.0.1', port, '/healthy')).rejects.toThrow(/ECONNREFUSED/);
    p.kill('SIGTERM');
    expect(await p.exited).toBe('SIGTERM');
  });

  it('usage errors exit 2 like pflag', async () => {
    const p = kuard(['--no-such-flag']);
    expect(await p.exited).toBe(2);
    expect(p.stderr()).toMatch(/^unknown flag: --no-such-flag\nUsage of \/kuard:\n {6}--address string/);
  });

  it('the MemQ consumer drains a queue from the memq service (reached as service "queue") and exits 0', async () => {
    const prefix = `test:kuard:${randomBytes(6).toString('hex')}:`;
    const redis = new Redis(REDIS_URL);
    cleanup.push(async () => {
      const keys = await redis.keys(`${prefix}*`);
      if (keys.length > 0) await redis.del(...keys);
      await redis.quit();
    });
    const port = await freePort();
    const svc = start(process.execPath, ['--import', 'tsx', MEMQ_MAIN], {
      cwd: REPO,
      env: { ...process.env, MEMQ_ADDR: `127.0.0.1:${port}`, MEMQ_PREFIX: prefix, REDIS_URL, LOG_LEVEL: 'warn' },
    });
    procs.push(svc);
    await waitFor(async () => (await callHost('127.0.0.1', port, '/healthz')).status === 200, 30_000, 'memq service');
    const N = 12;
    expect((await callHost('127.0.0.1', port, '/memq/server/queues/keygen', 'PUT')).status).toBe(200);
    for (let i = 0; i < N; i++) expect((await callHost('127.0.0.1', port, '/memq/server/queues/keygen/enqueue', 'POST', `work-item-${i}`)).status).toBe(200);

    const args = ['--keygen-enable', '--keygen-exit-on-complete', `--keygen-memq-server=http://queue:${port}/memq/server`, '--keygen-memq-queue=keygen', '--keygen-key-bits=512', '--address=127.0.0.1:0'];
    const env = { QUEUE_SERVICE_HOST: '127.0.0.1', QUEUE_SERVICE_PORT: String(port) };
    // One consumer in kjobs lease mode: it acks each item, so nothing stays in flight.
    const workers = [kuard(args, env), kuard(args, env), kuard([...args, '--keygen-memq-lease=1m'], env)];
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);
    const done = workers.flatMap((w) => w.stderr().split('\n').filter((l) => / Item done: SHA256:[A-Za-z0-9+/]{43}$/.test(l)));
    expect(done).toHaveLength(N);
    for (const w of workers) expect(w.stderr()).toMatch(new RegExp(LINE.source + 'MemQ Worker starting$', 'm'));
    const stats = JSON.parse((await callHost('127.0.0.1', port, '/memq/server/stats?extended=1')).body) as unknown;
    expect(stats).toEqual({ kind: 'stats', queues: [{ name: 'keygen', depth: 0, enqueued: N, dequeued: N, drained: 0, inFlight: 0, redelivered: 0 }] });
    expect(workers[2]!.stderr()).not.toContain('Error acking item');
  });

  it('a consumer that cannot reach its server keeps retrying every second (never exits)', async () => {
    const port = await freePort();
    const p = kuard(['--keygen-enable', '--keygen-exit-on-complete', `--keygen-memq-server=http://127.0.0.1:${port}/memq/server`, '--keygen-memq-queue=keygen', '--address=127.0.0.1:0']);
    await waitFor(() => (p.stderr().match(/Error talking to server: Post http:\/\/127\.0\.0\.1:\d+\/memq\/server\/queues\/keygen\/dequeue: dial tcp 127\.0\.0\.1:\d+: connect: connection refused\. Retrying after 1s\./g) ?? []).length >= 2, 20_000, 'two retries');
    expect(p.child.exitCode).toBeNull();
    p.kill();
  });
});

function callHost(host: string, port: number, path: string, method = 'GET', body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    import('node:http').then(({ request }) => {
      const headers = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
      const req = request({ host, port, path, method, headers, agent: false }, (res) => {
        let data = '';
        res.on('data', (c: Buffer) => (data += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body: data }));
      });
      req.on('error', reject);
      req.end(body);
    }, reject);
  });
}

function call3(port: number, path: string): Promise<{ status: number; body: string }> {
  return callHost('127.0.0.3', port, path);
}
