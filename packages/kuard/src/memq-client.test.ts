import { createServer, type Server } from 'node:http';
import { createMemqHandler, MemoryBroker } from '@kjobs/memq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goDialError, MemqClient, queueUrl } from './memq-client.js';
import { close, listen } from './testing/http.js';

let server: Server;
let port = 0;
const broker = new MemoryBroker();

beforeAll(async () => {
  server = createServer(createMemqHandler(broker));
  port = await listen(server);
  await broker.createQueue('keygen');
});

afterAll(async () => {
  await close(server);
});

describe('queueUrl (kuard client queueURL)', () => {
  it.each([
    ['http://queue:8080/memq/server', 'keygen', 'http://queue:8080/memq/server/queues/keygen/dequeue'],
    ['http://queue:8080/memq/server/', 'keygen', 'http://queue:8080/memq/server//queues/keygen/dequeue'],
    ['http://q/memq/server', '', 'http://q/memq/server/queues/dequeue'],
    ['http://q/memq/server', 'a/../b', 'http://q/memq/server/queues/b/dequeue'],
  ])('%s + %s', (base, queue, want) => {
    expect(queueUrl(base, queue, 'dequeue')).toBe(want);
  });
});

describe('MemqClient.dequeue', () => {
  it('returns messages, then empty on 204', async () => {
    await broker.enqueue('keygen', 'work-item-0');
    const c = new MemqClient(`http://127.0.0.1:${port}/memq/server`, {});
    try {
      expect(await c.dequeue('keygen')).toMatchObject({ kind: 'message', body: 'work-item-0' });
      expect(await c.dequeue('keygen')).toEqual({ kind: 'empty' });
    } finally {
      c.close();
    }
  });

  it('resolves a bare service name through <NAME>_SERVICE_HOST, keeping the URL port', async () => {
    await broker.enqueue('keygen', 'via-service');
    const c = new MemqClient(`http://queue:${port}/memq/server`, { QUEUE_SERVICE_HOST: '127.0.0.1', QUEUE_SERVICE_PORT: '1' });
    try {
      expect(await c.dequeue('keygen')).toMatchObject({ kind: 'message', body: 'via-service' });
    } finally {
      c.close();
    }
  });

  it('follows the 307 a trailing-slash base URL gets, as Go does', async () => {
    await broker.enqueue('keygen', 'after-redirect');
    const c = new MemqClient(`http://127.0.0.1:${port}/memq/server/`, {});
    try {
      expect(await c.dequeue('keygen')).toMatchObject({ kind: 'message', body: 'after-redirect' });
    } finally {
      c.close();
    }
  });

  it('kjobs lease mode: dequeue with a lease, then ack it', async () => {
    await broker.enqueue('keygen', 'leased');
    const c = new MemqClient(`http://127.0.0.1:${port}/memq/server`, {});
    try {
      const r = await c.dequeue('keygen', '30s');
      expect(r).toMatchObject({ kind: 'message', body: 'leased', leaseId: expect.stringMatching(/^[0-9a-f]{32}$/) });
      const leaseId = (r as { leaseId: string }).leaseId;
      expect((await broker.stats({ extended: true })).queues[0]).toMatchObject({ inFlight: 1 });
      expect(await c.ack('keygen', leaseId)).toBeUndefined();
      expect(await c.ack('keygen', leaseId)).toBe('HTTP Error: 400 Bad Request');
      expect((await broker.stats({ extended: true })).queues[0]).toMatchObject({ inFlight: 0 });
    } finally {
      c.close();
    }
  });

  it('words errors like kuard: HTTP status, connection refused', async () => {
    const c = new MemqClient(`http://127.0.0.1:${port}/memq/server`, {});
    const refused = new MemqClient('http://127.0.0.1:1/memq/server', {});
    try {
      expect(await c.dequeue('missing')).toEqual({ kind: 'error', message: 'HTTP Error: 400 Bad Request' });
      expect(await refused.dequeue('keygen')).toEqual({
        kind: 'error',
        message: 'Post http://127.0.0.1:1/memq/server/queues/keygen/dequeue: dial tcp 127.0.0.1:1: connect: connection refused',
      });
    } finally {
      c.close();
      refused.close();
    }
  });

  it.each([
    ['ENOTFOUND', 'queue', 8080, 'dial tcp: lookup queue: no such host'],
    ['ECONNRESET', '10.0.0.1', 8080, 'EOF'],
    ['ETIMEDOUT', '10.0.0.1', 8080, 'dial tcp 10.0.0.1:8080: connect: connection timed out'],
  ])('goDialError %s', (code, host, p, want) => {
    expect(goDialError(Object.assign(new Error('x'), { code }), host, p)).toBe(want);
  });
});
