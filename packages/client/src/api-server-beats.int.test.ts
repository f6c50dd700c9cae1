import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '@kjobs/api';
import { API_SERVER_BEAT_MS, connectBus, encodeJson, Subjects, type NatsConnection } from '@kjobs/bus';
import { NatsClient } from './nats-client.js';

/**
 * A request the NATS queue group handed to an api-server that then died gets no reply. The
 * "api-server" here takes requests and never answers; it beats like a real one until the test
 * stops it, silently (a SIGKILL) or with a bye (a clean stop).
 */
let nc: NatsConnection;
beforeAll(async () => {
  nc = await connectBus({ url: process.env.NATS_URL });
});
afterAll(async () => {
  await nc?.drain();
});

function silentApiServer(subjects: Subjects, id: string): { end(bye: boolean): void; server: string; received: number } {
  const self = { server: 'NATS-A', received: 0 };
  const sub = nc.subscribe(subjects.api(), { queue: 'api-server', callback: () => void self.received++ });
  const beat = () => nc.publish(subjects.apiServers(), encodeJson({ id, server: self.server }));
  beat();
  const timer = setInterval(beat, API_SERVER_BEAT_MS);
  return {
    get received() {
      return self.received;
    },
    get server() {
      return self.server;
    },
    set server(v: string) {
      self.server = v;
      beat();
    },
    end(bye) {
      clearInterval(timer);
      sub.unsubscribe();
      if (bye) nc.publish(subjects.apiServers(), encodeJson({ id, bye: true }));
    },
  };
}

/** Poll `ok` every 10 ms until it holds (5 s at most). */
async function until(ok: () => boolean): Promise<void> {
  const end = Date.now() + 5000;
  while (!ok()) {
    if (Date.now() > end) throw new Error('the silent api-server never got the request');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function failure(p: Promise<unknown>): Promise<{ error: ApiError; ms: number }> {
  const t0 = Date.now();
  const error = await p.then(() => undefined, (e: unknown) => e);
  if (!(error instanceof ApiError)) throw new Error(`expected an ApiError, got ${String(error)}`);
  return { error, ms: Date.now() - t0 };
}

describe('requests to an api-server that stops beating', { timeout: 30_000 }, () => {
  it('fail within a few seconds of its last beat, not at the request timeout', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const server = silentApiServer(new Subjects(prefix), 'a');
    const client = new NatsClient({ nc, prefix, timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, API_SERVER_BEAT_MS * 2));
    const pending = failure(client.get('ConfigMap', 'default', 'x'));
    await until(() => server.received === 1);
    server.end(false);
    const { error, ms } = await pending;
    expect(error.code).toBe(503);
    expect(error.message).toContain('no beat');
    // Silence (3 s) and one check period after the last beat; far from the 20 s timeout.
    expect(ms).toBeLessThan(8000);
    await client.close();
  });

  it('fail at once when an api-server beats from another NATS server (its own died, with what was routed through it)', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const server = silentApiServer(new Subjects(prefix), 'c');
    const client = new NatsClient({ nc, prefix, timeoutMs: 20_000 });
    await new Promise((r) => setTimeout(r, API_SERVER_BEAT_MS * 2));
    const pending = failure(client.get('ConfigMap', 'default', 'x'));
    await until(() => server.received === 1);
    const t0 = Date.now();
    server.server = 'NATS-B';
    const { error } = await pending;
    expect(error.code).toBe(503);
    expect(error.message).toContain('lost its NATS server');
    expect(Date.now() - t0).toBeLessThan(API_SERVER_BEAT_MS * 4); // the move's beat, not a silence
    server.end(true);
    await client.close();
  });

  it('are not failed when this process itself stood still while the api-server beat on (a long task, no CPU)', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const subjects = new Subjects(prefix);
    // The api-server, in a process of its own: beats every period, answers each request after 4 s.
    const child = spawn(process.execPath, ['--input-type=module', '-e', `
      import { connect } from '@nats-io/transport-node';
      const nc = await connect({ servers: ${JSON.stringify(process.env.NATS_URL ?? 'nats://127.0.0.1:4222')} });
      const enc = (v) => new TextEncoder().encode(JSON.stringify(v));
      const beat = () => nc.publish(${JSON.stringify(subjects.apiServers())}, enc({ id: 'busy', server: 'NATS-A' }));
      beat();
      const timer = setInterval(beat, ${API_SERVER_BEAT_MS});
      nc.subscribe(${JSON.stringify(subjects.api())}, { queue: 'api-server', callback: (_e, m) => {
        console.log('got');
        setTimeout(() => m.respond(enc({ ok: true, body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } } })), 4000);
      } });
      await nc.flush();
      console.log('ready');
      process.stdin.on('end', async () => { clearInterval(timer); await nc.drain(); });
      process.stdin.resume();
    `], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
    let got = 0;
    let ready = false;
    child.stdout.on('data', (d: Buffer) => {
      got += d.toString().split('got').length - 1;
      ready ||= d.toString().includes('ready');
    });
    try {
      await until(() => ready);
      const client = new NatsClient({ nc, prefix, timeoutMs: 20_000 });
      // A first request, answered: the child is up, and its beats have reached this client.
      expect((await client.get<{ metadata: { name: string } }>('ConfigMap', 'default', 'x')).metadata.name).toBe('x');
      const pending = client.get<{ metadata: { name: string } }>('ConfigMap', 'default', 'x');
      await until(() => got >= 2);
      // This process stands still for longer than the silence, in a message callback (so the beat
      // timer's turn comes before the socket's): the beats wait, unread.
      const stall = nc.subscribe(`${prefix}.stall`, {
        max: 1,
        callback: () => {
          const stillUntil = Date.now() + 3600;
          while (Date.now() < stillUntil) {
            /* a long task */
          }
        },
      });
      nc.publish(`${prefix}.stall`);
      await stall.closed;
      expect((await pending).metadata.name).toBe('x');
      await client.close();
    } finally {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
    }
  });

  it('wait for their timeout when the api-server said bye (it answered what it had)', async () => {
    const prefix = `t${randomBytes(4).toString('hex')}`;
    const server = silentApiServer(new Subjects(prefix), 'b');
    const client = new NatsClient({ nc, prefix, timeoutMs: 4000 });
    await new Promise((r) => setTimeout(r, API_SERVER_BEAT_MS * 2));
    const pending = failure(client.get('ConfigMap', 'default', 'x'));
    server.end(true);
    const { error, ms } = await pending;
    expect(error.code).toBe(503);
    expect(error.message).not.toContain('no beat');
    expect(ms).toBeGreaterThanOrEqual(3900);
    await client.close();
  });
});
