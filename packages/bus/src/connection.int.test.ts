import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { coalesceWrites, connectBus, type NatsConnection } from './connection.js';

let pub: NatsConnection;
let sub: NatsConnection;
beforeAll(async () => {
  pub = await connectBus({ url: process.env.NATS_URL });
  sub = await connectBus({ url: process.env.NATS_URL });
});
afterAll(async () => {
  await pub?.close();
  await sub?.close();
});

const subject = () => `t${randomBytes(5).toString('hex')}.coalesce`;

describe('coalesced NATS writes', () => {
  it('applies to the installed client (a client upgrade that changes its transport fails here)', () => {
    expect(coalesceWrites(pub)).toBe(true);
  });

  it('delivers every frame in order, whichever phase of the event loop published it', async () => {
    const s = subject();
    const got: number[] = [];
    const all = new Promise<void>((resolve) => sub.subscribe(s, { callback: (_e, m) => {
      got.push(Number(new TextDecoder().decode(m.data)));
      if (got.length === 3000) resolve();
    } }));
    await sub.flush();
    let n = 0;
    const send = () => pub.publish(s, String(n++));
    for (let round = 0; round < 100; round++) {
      send();
      await Promise.resolve().then(send);
      await new Promise<void>((r) => setImmediate(() => { send(); r(); }));
      await new Promise<void>((r) => setTimeout(() => { send(); r(); }, 0));
      for (let i = 0; i < 26; i++) send();
    }
    await all;
    expect(got).toEqual(Array.from({ length: 3000 }, (_, i) => i));
  });

  it('requests get their replies, and drain() still sends what was published just before it', async () => {
    const s = subject();
    const responder = sub.subscribe(`${s}.echo`, { callback: (_e, m) => void m.respond(m.data) });
    await sub.flush();
    const replies = await Promise.all(Array.from({ length: 50 }, (_, i) => pub.request(`${s}.echo`, String(i), { timeout: 10_000 })));
    expect(replies.map((r) => new TextDecoder().decode(r.data))).toEqual(Array.from({ length: 50 }, (_, i) => String(i)));
    responder.unsubscribe();

    const last = new Promise<string>((resolve) => sub.subscribe(`${s}.last`, { max: 1, callback: (_e, m) => resolve(new TextDecoder().decode(m.data)) }));
    await sub.flush();
    const other = await connectBus({ url: process.env.NATS_URL });
    other.publish(`${s}.last`, 'sent right before drain');
    await other.drain();
    expect(await last).toBe('sent right before drain');
  });
});
