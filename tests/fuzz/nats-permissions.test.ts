/**
 * deploy/nats.conf against hostile NATS clients: a real nats-server runs the file as compose
 * mounts it (per-service users, passwords from the environment), and each service's user tries
 * what a compromised service would — forge watch events, read the API requests (which carry
 * every caller's token), take over another node's log requests, impersonate the api-server. The
 * roles' legitimate traffic (API request/reply, watch events, streamed logs, exec) must still flow.
 *
 * "Nothing delivered" is established without sleeping: the offender flushes (the server has
 * handled its message or subscription), then a permitted message is sent behind it; once that
 * one arrives, anything the server had delivered before it would already be there.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type Msg, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { inboxPrefixFor, requestDuplex, requestStream, serveStream } from '@kjobs/bus';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/cluster.js';
import { freePort, isListening } from '../../scripts/infra.js';
import { waitFor } from '../e2e/harness.js';

const USERS = ['api-server', 'scheduler', 'job-controller', 'kubelet-agent-1', 'kubelet-agent-2'] as const;
type User = (typeof USERS)[number];
const envName = (u: User) => `NATS_${u.toUpperCase().replace(/-/g, '_')}_PASSWORD`;
// NATS parses a `$VAR` value as a config token: `123456`, `44e5ab`, `12k` or `true` would not be a
// string (the server exits), so passwords start with a letter, as deploy/nats.conf asks.
const passwords = Object.fromEntries(USERS.map((u) => [u, `k${randomBytes(12).toString('hex')}`])) as Record<User, string>;

let server: ChildProcess;
let dir: string;
let port: number;
const conns = {} as Record<User, NatsConnection>;
const enc = new TextEncoder();
const dec = new TextDecoder();

/** Collect what a subscription receives. */
function collect(sub: Subscription): string[] {
  const got: string[] = [];
  void (async () => {
    for await (const m of sub) got.push(`${m.subject} ${dec.decode(m.data)}`);
  })().catch(() => undefined);
  return got;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-nats-perm-'));
  port = await freePort();
  server = spawn('nats-server', ['-js', '-sd', dir, '-c', path.join(ROOT, 'deploy/nats.conf'), '-a', '127.0.0.1', '-p', String(port)], {
    env: { PATH: process.env.PATH!, ...Object.fromEntries(USERS.map((u) => [envName(u), passwords[u]])) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  server.stdout!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  server.stderr!.on('data', (d) => (stderr = (stderr + d).slice(-4000)));
  await waitFor('nats-server listening', () => isListening('127.0.0.1', port), 30_000, 100).catch((e: Error) => {
    throw new Error(`${e.message} (nats-server exit ${server.exitCode ?? server.signalCode ?? 'none'})\n${stderr}`);
  });
  // The inbox prefix connectBus gives each service user.
  for (const u of USERS) conns[u] = await connect({ servers: `127.0.0.1:${port}`, user: u, pass: passwords[u], reconnect: false, name: u, inboxPrefix: inboxPrefixFor(u) });
}, 60_000);

afterAll(async () => {
  for (const nc of Object.values(conns)) await nc.close().catch(() => undefined);
  server?.kill('SIGTERM');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('deploy/nats.conf: who may connect', () => {
  it('refuses no credentials, a wrong password, another user\'s password, and the old shared account', async () => {
    const attempt = (o: { user?: string; pass?: string }) => connect({ servers: `127.0.0.1:${port}`, reconnect: false, ...o });
    await expect(attempt({})).rejects.toThrow(/Authorization/i);
    await expect(attempt({ user: 'scheduler', pass: 'nope' })).rejects.toThrow(/Authorization/i);
    await expect(attempt({ user: 'scheduler', pass: passwords['api-server'] })).rejects.toThrow(/Authorization/i);
    await expect(attempt({ user: 'kjobs', pass: 'kjobs-nats-dev' })).rejects.toThrow(/Authorization/i);
  });
});

describe('deploy/nats.conf: what each service may do', () => {
  it('only the api-server publishes watch events and heartbeats: forged ones reach nobody', async () => {
    // (The scheduler's own permissions stop at kjobs.watch.> and kjobs.hb.>: no wider wildcard.)
    const got = collect(conns.scheduler.subscribe('kjobs.watch.>'));
    const beats = collect(conns.scheduler.subscribe('kjobs.hb.>'));
    await conns.scheduler.flush();
    for (const forger of ['scheduler', 'job-controller', 'kubelet-agent-1'] as const) {
      conns[forger].publish('kjobs.watch.core.pods.default', enc.encode(`forged by ${forger}`));
      conns[forger].publish('kjobs.hb.core.pods', enc.encode(`forged by ${forger}`));
      await conns[forger].flush();
    }
    conns['api-server'].publish('kjobs.watch.core.pods.default', enc.encode('real'));
    await waitFor('the real event', () => got.length > 0, 10_000, 20);
    expect(got).toEqual(['kjobs.watch.core.pods.default real']);
    expect(beats).toEqual([]);
  });

  it('only the api-server reads API requests (they carry bearer tokens); request/reply works for every service', async () => {
    const sniffed: string[] = [];
    for (const u of ['scheduler', 'job-controller', 'kubelet-agent-1', 'kubelet-agent-2'] as const) {
      const sub = conns[u].subscribe('kjobs.api');
      void (async () => {
        for await (const m of sub) sniffed.push(`${u}: ${dec.decode(m.data)}`);
      })().catch(() => undefined);
      await conns[u].flush();
    }
    const served = conns['api-server'].subscribe('kjobs.api', { queue: 'api-server', callback: (_e, m: Msg) => void m.respond(enc.encode(`ok ${dec.decode(m.data)}`)) });
    await conns['api-server'].flush();
    for (const u of ['scheduler', 'job-controller', 'kubelet-agent-1', 'kubelet-agent-2'] as const) {
      const reply = await conns[u].request('kjobs.api', enc.encode(`token-of-${u}`), { timeout: 5_000 });
      expect(dec.decode(reply.data)).toBe(`ok token-of-${u}`);
    }
    served.unsubscribe();
    expect(sniffed).toEqual([]);
  });

  it('only the api-server may read join requests (they carry bootstrap tokens)', async () => {
    /** 'refused' when the server closed the subscription (a permissions violation), 'open' otherwise. */
    const outcome = async (u: keyof typeof conns): Promise<string> => {
      const sub = conns[u].subscribe('kjobs.join', { queue: 'api-server', callback: () => undefined });
      await conns[u].flush();
      const r = await Promise.race([sub.closed.then(() => 'refused', () => 'refused'), new Promise<string>((res) => setTimeout(() => res('open'), 500))]);
      sub.unsubscribe();
      return r;
    };
    expect(await outcome('api-server')).toBe('open');
    for (const u of ['scheduler', 'job-controller', 'kubelet-agent-1', 'kubelet-agent-2'] as const) expect(await outcome(u), u).toBe('refused');
  });

  it('no service may send API requests as the api-server, nor publish to nodes', async () => {
    const atNode1 = collect(conns['kubelet-agent-1'].subscribe('kjobs.node.kubelet-agent-1.>'));
    await conns['kubelet-agent-1'].flush();
    for (const u of ['scheduler', 'job-controller', 'kubelet-agent-2'] as const) {
      conns[u].publish('kjobs.node.kubelet-agent-1.logs', enc.encode(`from ${u}`));
      await conns[u].flush();
    }
    conns['api-server'].publish('kjobs.node.kubelet-agent-1.logs', enc.encode('from api-server'));
    await waitFor('the api-server\'s request', () => atNode1.length > 0, 10_000, 20);
    expect(atNode1).toEqual(['kjobs.node.kubelet-agent-1.logs from api-server']);
  });

  it('a node cannot take another node\'s log requests', async () => {
    const stolen = collect(conns['kubelet-agent-2'].subscribe('kjobs.node.kubelet-agent-1.>'));
    const barrier = collect(conns['kubelet-agent-2'].subscribe('_INBOX.kubelet-agent-2.barrier'));
    await conns['kubelet-agent-2'].flush();
    conns['api-server'].publish('kjobs.node.kubelet-agent-1.logs', enc.encode('for node 1 only'));
    conns['api-server'].publish('_INBOX.kubelet-agent-2.barrier', enc.encode('barrier'));
    await waitFor('the barrier', () => barrier.length > 0, 10_000, 20);
    expect(stolen).toEqual([]);
  });

  it('a node\'s log chunks go only to inboxes: a request whose replyTo names a watch subject reaches nobody', async () => {
    const watched = collect(conns.scheduler.subscribe('kjobs.watch.>'));
    const beats = collect(conns.scheduler.subscribe('kjobs.hb.>'));
    await conns.scheduler.flush();
    // A log request whose replyTo points at a watch subject: the agent's chunks must go nowhere.
    const sub = serveStream<string>(conns['kubelet-agent-1'], 'kjobs.node.kubelet-agent-1.logs', async (_body, out) => out.write('chunk'));
    await conns['kubelet-agent-1'].flush();
    conns['api-server'].publish('kjobs.node.kubelet-agent-1.logs', enc.encode(JSON.stringify({ replyTo: 'kjobs.watch.core.pods.default', body: 'x' })));
    conns['api-server'].publish('kjobs.node.kubelet-agent-1.logs', enc.encode(JSON.stringify({ replyTo: 'kjobs.hb.core.pods', body: 'x' })));
    // The legitimate path: the api-server streams a node's logs through an inbox.
    const chunks: string[] = [];
    await requestStream(conns['api-server'], 'kjobs.node.kubelet-agent-1.logs', 'x', (c) => chunks.push(c.toString()), { firstByteMs: 10_000 });
    expect(chunks.join('')).toBe('chunk');
    // Behind the forged replies, on the same agent connection: the stream above finished after them.
    conns['api-server'].publish('kjobs.watch.core.pods.default', enc.encode('barrier'));
    await waitFor('the barrier', () => watched.length > 0, 10_000, 20);
    expect(watched).toEqual(['kjobs.watch.core.pods.default barrier']);
    expect(beats).toEqual([]);
    sub.unsubscribe();
  });
  it('exec flows under the roles: the api-server starts it on a node, stdin goes to the agent, output comes back', async () => {
    const sub = serveStream<string>(conns['kubelet-agent-1'], 'kjobs.node.kubelet-agent-1.exec', async (_body, out) => {
      await new Promise<void>((resolve) => out.onInput((chunk) => (chunk === null ? resolve() : out.write(chunk))));
    });
    await conns['kubelet-agent-1'].flush();
    const chunks: string[] = [];
    const d = requestDuplex(conns['api-server'], 'kjobs.node.kubelet-agent-1.exec', 'x', (c) => chunks.push(c.toString()), { firstByteMs: 10_000 });
    d.send(Buffer.from('stdin '));
    d.send(Buffer.from('bytes'));
    d.end();
    await d.done;
    expect(chunks.join('')).toBe('stdin bytes');
    sub.unsubscribe();
  });

  it('the job-controller port-forwards through a node (to ask a queue pod\'s MemQ), and publishes no other node work', async () => {
    const atNode1 = collect(conns['kubelet-agent-1'].subscribe('kjobs.node.kubelet-agent-1.exec'));
    const sub = serveStream<string>(conns['kubelet-agent-1'], 'kjobs.node.kubelet-agent-1.portforward', async (_body, out) => {
      await new Promise<void>((resolve) => out.onInput((chunk) => (chunk === null ? resolve() : out.write(`pod says ${chunk.toString()}`))));
    });
    await conns['kubelet-agent-1'].flush();
    conns['job-controller'].publish('kjobs.node.kubelet-agent-1.exec', enc.encode('from job-controller'));
    await conns['job-controller'].flush();
    const chunks: string[] = [];
    const d = requestDuplex(conns['job-controller'], 'kjobs.node.kubelet-agent-1.portforward', 'x', (c) => chunks.push(c.toString()), { firstByteMs: 10_000 });
    d.send(Buffer.from('GET /stats'));
    d.end();
    await d.done;
    expect(chunks.join('')).toBe('pod says GET /stats');
    // Behind the refused exec on the same connection: the stream above finished after it.
    conns['api-server'].publish('kjobs.node.kubelet-agent-1.exec', enc.encode('from api-server'));
    await waitFor('the api-server\'s request', () => atNode1.length > 0, 10_000, 20);
    expect(atNode1).toEqual(['kjobs.node.kubelet-agent-1.exec from api-server']);
    sub.unsubscribe();
  });

  it('no service reads another\'s API replies: each may subscribe only to its own inboxes', async () => {
    const served = conns['api-server'].subscribe('kjobs.api', { queue: 'api-server', callback: (_e, m: Msg) => void m.respond(enc.encode(`secret for ${dec.decode(m.data)}`)) });
    await conns['api-server'].flush();
    // Every other service tries to read every reply, and the api-server's own inboxes.
    const sniffers: Record<string, string[]> = {};
    for (const u of ['scheduler', 'kubelet-agent-1', 'kubelet-agent-2'] as const) {
      sniffers[`${u} _INBOX.>`] = collect(conns[u].subscribe('_INBOX.>'));
      sniffers[`${u} _INBOX.job-controller.>`] = collect(conns[u].subscribe('_INBOX.job-controller.>'));
      sniffers[`${u} _INBOX.api-server.>`] = collect(conns[u].subscribe('_INBOX.api-server.>'));
      await conns[u].flush();
    }
    const reply = await conns['job-controller'].request('kjobs.api', enc.encode('job-controller'), { timeout: 5_000 });
    expect(dec.decode(reply.data)).toBe('secret for job-controller');
    expect(reply.subject.startsWith('_INBOX.job-controller.')).toBe(true);
    // A permitted message behind the reply, on each sniffer's own inbox: once it arrived, the
    // reply would have too.
    for (const u of ['scheduler', 'kubelet-agent-1', 'kubelet-agent-2'] as const) {
      const own = collect(conns[u].subscribe(`_INBOX.${u}.barrier`));
      await conns[u].flush();
      conns['api-server'].publish(`_INBOX.${u}.barrier`, enc.encode('barrier'));
      await waitFor(`${u}'s barrier`, () => own.length > 0, 10_000, 20);
    }
    served.unsubscribe();
    expect(Object.entries(sniffers).filter(([, got]) => got.length > 0)).toEqual([]);
  });
});
