import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@kjobs/api';
import { connectBus, type NatsConnection } from '@kjobs/bus';
import { NatsClient } from './nats-client.js';

/** A private nats-server on a free loopback port, so this test can stop it. */
let server: ChildProcess;
let dir: string;
let nc: NatsConnection;

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-nats-drop-'));
  const port = await freePort();
  server = spawn('nats-server', ['-a', '127.0.0.1', '-p', String(port), '-sd', dir], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    try {
      nc = await connectBus({ url: `nats://127.0.0.1:${port}` });
      break;
    } catch (e) {
      if (i > 100) throw e;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
});
afterAll(async () => {
  server.kill('SIGKILL');
  await nc?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('NatsClient', () => {
  it('fails a request in flight as soon as the connection to NATS drops, not at its timeout', async () => {
    // An "api-server" that takes the request and never answers.
    const taken = new Promise<void>((resolve) => nc.subscribe('kjobs.api', { callback: () => resolve() }));
    await nc.flush();
    const client = new NatsClient({ nc, timeoutMs: 600_000 });
    const pending = client.get('Pod', 'default', 'p').then(() => undefined, (e: unknown) => e);
    await taken;
    server.kill('SIGKILL');
    const err = await pending;
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(503);
    expect((err as ApiError).message).toMatch(/connection to NATS dropped/);
  });
});
