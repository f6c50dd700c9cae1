import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError, type Event, type KObject } from '@kjobs/api';
import { decodeJson, encodeJson, type ApiReply } from '@kjobs/bus';
import { startHarness, type Harness } from './testing/harness.js';

let h: Harness;
const NODE_TOKEN = 'node-n1-token-for-batch-tests';
beforeAll(async () => {
  h = await startHarness({ tokens: [[NODE_TOKEN, { user: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] }]] });
});
afterAll(async () => {
  await h?.stop();
});

const event = (name: string, extra: Partial<Event> = {}): Event => ({
  apiVersion: 'v1', kind: 'Event',
  metadata: { name, namespace: 'default' },
  involvedObject: { apiVersion: 'v1', kind: 'Pod', name: 'p', namespace: 'default', uid: 'u1' },
  reason: 'Started', message: 'Started container c', type: 'Normal', count: 1,
  ...extra,
});

/** One raw request on the api subject, as a client library would send it. */
async function raw(body: unknown): Promise<ApiReply> {
  const msg = await h.nc.request(`${h.prefix}.api`, encodeJson(body), { timeout: 10_000 });
  return decodeJson<ApiReply>(msg.data);
}

describe('batch over NATS (several creates in one message)', () => {
  it('creates each item as if sent alone: valid ones are stored, an invalid one is its own 422, in order', async () => {
    const out = await h.nats.createMany!<Event>('Event', [event('b1'), event('Bad_Name'), event('b3')]);
    expect(out).toHaveLength(3);
    expect((out[0] as Event).metadata.name).toBe('b1');
    expect((out[0] as Event).metadata.resourceVersion).toMatch(/^\d+$/);
    expect(out[1]).toBeInstanceOf(ApiError);
    expect((out[1] as ApiError).code).toBe(422);
    expect((out[2] as Event).metadata.name).toBe('b3');
    expect(Number((out[2] as Event).metadata.resourceVersion)).toBeGreaterThan(Number((out[0] as Event).metadata.resourceVersion));
    expect((await h.nats.get<Event>('Event', 'default', 'b3')).message).toBe('Started container c');
    expect((await h.nats.list<Event>('Event', { namespace: 'default' })).items.map((e) => e.metadata.name).sort()).toEqual(['b1', 'b3']);
    // A second create of the same name is that item's 409; the others still go through.
    const again = await h.nats.createMany!<Event>('Event', [event('b1'), event('b4')]);
    expect((again[0] as ApiError).code).toBe(409);
    expect((again[1] as Event).metadata.name).toBe('b4');
  });

  it('authorizes every item on its own: a node may create Events but not Pods', async () => {
    const pod: KObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'sneaky', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } as KObject;
    const reply = await raw({
      verb: 'batch', group: '', resource: 'events', token: NODE_TOKEN,
      body: [
        { verb: 'create', group: '', resource: 'events', namespace: 'default', body: event('by-node') },
        { verb: 'create', group: '', resource: 'pods', namespace: 'default', body: pod },
      ],
    });
    expect(reply.ok).toBe(true);
    const [ev, denied] = (reply as { body: ApiReply[] }).body;
    expect(ev?.ok).toBe(true);
    expect(denied).toMatchObject({ ok: false, status: { code: 403, reason: 'Forbidden' } });
    expect((denied as { status: { message: string } }).status.message).toMatch(/system:node:n1.*cannot create resource "pods"/);
    await expect(h.nats.get('Pod', 'default', 'sneaky')).rejects.toMatchObject({ code: 404 });
    expect((await h.nats.get<Event>('Event', 'default', 'by-node')).reason).toBe('Started');
  });

  it('refuses the whole batch, storing nothing, when it is not 1-100 creates or has no valid token', async () => {
    const create = (name: string) => ({ verb: 'create', group: '', resource: 'events', namespace: 'default', body: event(name) });
    const cases: [unknown, number][] = [
      [{ verb: 'batch', group: '', resource: 'events', token: h.token, body: [create('r1'), { verb: 'delete', group: '', resource: 'events', namespace: 'default', name: 'b1' }] }, 400],
      [{ verb: 'batch', group: '', resource: 'events', token: h.token, body: [create('r2'), { ...create('r3'), verb: 'batch' }] }, 400],
      [{ verb: 'batch', group: '', resource: 'events', token: h.token, body: [] }, 400],
      [{ verb: 'batch', group: '', resource: 'events', token: h.token, body: Array.from({ length: 101 }, (_, i) => create(`many-${i}`)) }, 400],
      [{ verb: 'batch', group: '', resource: 'events', token: h.token, body: { not: 'an array' } }, 400],
      [{ verb: 'batch', group: '', resource: 'events', body: [create('r4')] }, 401],
    ];
    for (const [req, code] of cases) {
      const reply = await raw(req);
      expect(reply).toMatchObject({ ok: false, status: { kind: 'Status', code } });
    }
    for (const name of ['r1', 'r2', 'r4', 'many-0']) await expect(h.nats.get('Event', 'default', name)).rejects.toMatchObject({ code: 404 });
    // b1 was not deleted by the refused batch.
    expect((await h.nats.get<Event>('Event', 'default', 'b1')).metadata.name).toBe('b1');
  });
});
