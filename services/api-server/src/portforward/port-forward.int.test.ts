import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FrameDecoder, FrameEncoder, type SpdyFrame } from './spdy-framing.js';
import { PortForwarder } from './port-forward.js';

/**
 * The server side against a hand-driven SPDY client over a plain `Upgrade: SPDY/3.1` (what
 * kubectl's fallback sends), with a real TCP echo server as the pod. Real kubectl drives both
 * transports in tests/e2e/port-forward-exec.test.ts.
 */
let server: http.Server;
let echo: net.Server;
let echoPort: number;
let apiPort: number;

beforeAll(async () => {
  echo = net.createServer((s) => s.pipe(s));
  await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
  echoPort = (echo.address() as net.AddressInfo).port;
  const forwarder = new PortForwarder();
  server = http.createServer((_q, res) => res.end());
  server.on('upgrade', (req, socket, head) => forwarder.accept(req, socket, head, { name: 'echo', uid: 'u-1', ip: '127.0.0.1' }));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  apiPort = (server.address() as net.AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  await new Promise((r) => echo.close(r));
});

/** A SPDY client connection: send frames, await frames matching a predicate. */
async function connect() {
  const sock = net.connect(apiPort, '127.0.0.1');
  sock.write('POST /api/v1/namespaces/default/pods/echo/portforward HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n');
  const enc = new FrameEncoder();
  const dec = new FrameDecoder();
  const frames: SpdyFrame[] = [];
  let head = '';
  let upgraded = false;
  let chain = Promise.resolve();
  const closed = new Promise<void>((r) => sock.on('close', () => r()));
  sock.on('data', (b: Buffer) => {
    chain = chain.then(async () => {
      if (!upgraded) {
        head += b.toString('latin1');
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        upgraded = true;
        expect(head).toMatch(/^HTTP\/1.1 101 Switching Protocols\r\n/);
        expect(head).toContain('X-Stream-Protocol-Version: portforward.k8s.io');
        b = Buffer.from(head.slice(end + 4), 'latin1');
      }
      frames.push(...(await dec.push(b)));
    });
  });
  let sending = Promise.resolve();
  const send = (f: SpdyFrame) => (sending = sending.then(async () => void sock.write(await enc.encode(f))));
  const waitFor = async (pred: (f: SpdyFrame) => boolean, ms = 5_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const f = frames.find(pred);
      if (f) return f;
      if (Date.now() > end) throw new Error(`no such frame; got ${JSON.stringify(frames.map((x) => x.type))}`);
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  const openPair = (first: number, port: number, requestId: string) => {
    for (const [id, streamtype] of [[first, 'error'], [first + 2, 'data']] as const) {
      send({ type: 'syn_stream', streamId: id, associatedTo: 0, priority: 0, fin: false, unidirectional: false, headers: { streamtype, port: String(port), requestid: requestId } });
    }
  };
  return { sock, send, frames, waitFor, openPair, closed };
}

const dataOf = (frames: SpdyFrame[], id: number) => Buffer.concat(frames.flatMap((f) => (f.type === 'data' && f.streamId === id ? [f.data] : []))).toString();

describe('PortForwarder over plain SPDY/3.1', () => {
  it('answers both streams, echoes pings, and carries data both ways through two connections at once', async () => {
    const c = await connect();
    c.send({ type: 'ping', id: 1 });
    await c.waitFor((f) => f.type === 'ping' && f.id === 1);
    c.openPair(1, echoPort, '0');
    c.openPair(5, echoPort, '1');
    for (const id of [1, 3, 5, 7]) await c.waitFor((f) => f.type === 'syn_reply' && f.streamId === id);
    c.send({ type: 'data', streamId: 3, fin: false, data: Buffer.from('hello ') });
    c.send({ type: 'data', streamId: 7, fin: false, data: Buffer.from('other') });
    c.send({ type: 'data', streamId: 3, fin: true, data: Buffer.from('world') });
    // The pod's side ends after our FIN: the data stream, then the error stream, get a FIN.
    await c.waitFor((f) => f.type === 'data' && f.streamId === 3 && f.fin);
    await c.waitFor((f) => f.type === 'data' && f.streamId === 1 && f.fin);
    expect(dataOf(c.frames, 3)).toBe('hello world');
    expect(dataOf(c.frames, 1)).toBe('');
    await c.waitFor(() => dataOf(c.frames, 7) === 'other');
    c.sock.destroy();
  });

  it('a port nothing listens on: the kubelet\'s message on the error stream, both streams finished', async () => {
    const closedPort = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as net.AddressInfo).port;
        s.close(() => resolve(p));
      });
    });
    const c = await connect();
    c.openPair(1, closedPort, '0');
    await c.waitFor((f) => f.type === 'data' && f.streamId === 1 && f.fin);
    await c.waitFor((f) => f.type === 'data' && f.streamId === 3 && f.fin);
    expect(dataOf(c.frames, 1)).toBe(`error forwarding port ${closedPort} to pod echo, uid u-1: failed to connect to 127.0.0.1:${closedPort}: dial tcp4 127.0.0.1:${closedPort}: connect: connection refused`);
    // kubectl then says GOAWAY: the server closes the connection.
    c.send({ type: 'goaway', lastGoodStreamId: 0, status: 0 });
    await c.closed;
  });

  it('resets a stream without requestID or port, and a protocol error closes the connection', async () => {
    const c = await connect();
    c.send({ type: 'syn_stream', streamId: 1, associatedTo: 0, priority: 0, fin: false, unidirectional: false, headers: { streamtype: 'data' } });
    await c.waitFor((f) => f.type === 'rst_stream' && f.streamId === 1);
    c.sock.write(Buffer.from('8002000600000004 00000001'.replace(/ /g, ''), 'hex'));
    await c.waitFor((f) => f.type === 'goaway' && f.status === 1);
    await c.closed;
  });
});
