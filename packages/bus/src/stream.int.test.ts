import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectBus, type NatsConnection } from './connection.js';
import { StreamError, requestDuplex, serveStream } from './stream.js';

let agent: NatsConnection;
let api: NatsConnection;
beforeAll(async () => {
  agent = await connectBus({ url: process.env.NATS_URL });
  api = await connectBus({ url: process.env.NATS_URL });
});
afterAll(async () => {
  await agent?.close();
  await api?.close();
});

const subject = () => `t${randomBytes(5).toString('hex')}.node.n1.exec`;

describe('duplex streams (exec stdin)', () => {
  it('delivers input sent before the server was ready, in order, then the end of input', async () => {
    const s = subject();
    const sub = serveStream<string>(agent, s, async (prefix, out) => {
      // A handler that looks something up first: input sent meanwhile must wait, not be lost.
      await new Promise((r) => setTimeout(r, 50));
      await new Promise<void>((resolve) => out.onInput((chunk) => {
        if (chunk === null) resolve();
        else out.write(`${prefix}${chunk.toString()}`);
      }));
      out.write('|eof');
    });
    await agent.flush();
    const got: string[] = [];
    const d = requestDuplex(api, s, '>', (c) => got.push(c.toString()), { firstByteMs: 5_000 });
    for (let i = 0; i < 50; i++) d.send(Buffer.from(String(i)));
    d.end();
    await d.opened;
    await d.done;
    expect(got.join('')).toBe(`${Array.from({ length: 50 }, (_, i) => `>${i}`).join('')}|eof`);
    sub.unsubscribe();
  });

  it('a handler that refuses before taking input rejects `opened` with its code', async () => {
    const s = subject();
    const sub = serveStream<string>(agent, s, async () => {
      throw new StreamError(400, 'container not found ("c")');
    });
    await agent.flush();
    const d = requestDuplex(api, s, 'x', () => undefined);
    await expect(d.opened).rejects.toMatchObject({ code: 400, message: 'container not found ("c")' });
    await expect(d.done).rejects.toBeInstanceOf(StreamError);
    sub.unsubscribe();
  });
});
