import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatGoTime } from '../clock.js';
import { parseLeaseDuration } from '../duration.js';
import { EmptyNameError, InvalidLeaseError, MemqError } from '../errors.js';
import { goJsonString } from '../go-json.js';
import { messageWire } from '../message.js';
import type { ExtendedStat, MemqBroker, Stat, Stats } from '../types.js';
import { sendEmpty, sendError, sendJson, sendNoContent } from './responses.js';
import { param, type RouteContext, type Router } from './router.js';

/** Options of the MemQ routes. */
export interface MemqRouteOptions {
  /** Largest enqueue body accepted; larger bodies get 413. Default: unlimited (kuard). */
  maxBodyBytes?: number;
}

/** The kuard mount point of the MemQ API. */
export const MEMQ_BASE = '/memq/server';

/**
 * Register kuard's MemQ routes (`pkg/memq/server/api.go`) under `base`, plus the kjobs lease
 * extension, which kuard clients never reach:
 * - `POST <base>/queues/:queue/dequeue?lease=30s` → the message plus `leaseId` and `leaseExpiresAt`;
 * - `POST <base>/queues/:queue/ack/:leaseId` → 200, or 400 `lease not found`;
 * - `GET <base>/stats?extended=1` → each queue also has `inFlight` and `redelivered`.
 */
export function addMemqRoutes(router: Router, broker: MemqBroker, base = MEMQ_BASE, opts: MemqRouteOptions = {}): void {
  const maxBody = opts.maxBodyBytes ?? Infinity;

  router.handle('GET', `${base}/stats`, async (_req, res, ctx) => {
    const extended = ctx.rawQuery !== '' && isTrue(new URLSearchParams(ctx.rawQuery).get('extended'));
    const stats = extended ? await broker.stats({ extended: true }) : await broker.stats();
    sendJson(res, encodeStats(stats));
  });

  router.handle('PUT', `${base}/queues/:queue`, (_req, res, ctx) =>
    settle(res, () => broker.createQueue(queueName(ctx)), () => sendEmpty(res)),
  );

  router.handle('DELETE', `${base}/queues/:queue`, (_req, res, ctx) =>
    settle(res, () => broker.deleteQueue(queueName(ctx)), () => sendEmpty(res)),
  );

  router.handle('POST', `${base}/queues/:queue/drain`, (_req, res, ctx) =>
    settle(res, () => broker.drain(queueName(ctx)), () => sendEmpty(res)),
  );

  router.handle('POST', `${base}/queues/:queue/enqueue`, async (req, res, ctx) => {
    // kuard reads the whole body before it looks at the name.
    const body = await readBody(req, maxBody);
    if (body === undefined) return sendError(res, 413, 'http: request body too large');
    await settle(res, () => broker.enqueue(queueName(ctx), body), (m) => sendJson(res, messageWire(m)));
  });

  router.handle('POST', `${base}/queues/:queue/dequeue`, (_req, res, ctx) => {
    const lease = ctx.rawQuery === '' ? null : new URLSearchParams(ctx.rawQuery).get('lease');
    if (lease === null) {
      return settle(res, () => broker.dequeue(queueName(ctx)), (m) => (m ? sendJson(res, messageWire(m)) : sendNoContent(res)));
    }
    return settle(
      res,
      () => {
        const name = queueName(ctx);
        const ms = parseLeaseDuration(lease);
        if (ms === undefined) throw new InvalidLeaseError(lease);
        return broker.dequeueWithLease(name, ms);
      },
      (l) => {
        if (!l) return sendNoContent(res);
        const wire = messageWire(l.message);
        sendJson(res, wire.slice(0, -1) + ',"leaseId":' + goJsonString(l.leaseId) + ',"leaseExpiresAt":"' + formatGoTime(l.expiresAt) + '"}');
      },
    );
  });

  router.handle('POST', `${base}/queues/:queue/ack/:leaseId`, (_req, res, ctx) =>
    settle(res, () => broker.ack(queueName(ctx), param(ctx, 'leaseId')), () => sendEmpty(res)),
  );
}

function queueName(ctx: RouteContext): string {
  const name = param(ctx, 'queue');
  if (name.length === 0) throw new EmptyNameError();
  return name;
}

function isTrue(v: string | null): boolean {
  return v !== null && ['', '1', 't', 'T', 'true', 'TRUE', 'True'].includes(v);
}

/** Run a broker call; MemqErrors become kuard's `http.Error(w, err.Error(), 400)`. */
async function settle<T>(res: ServerResponse, op: () => Promise<T>, ok: (value: T) => void): Promise<void> {
  let value: T;
  try {
    value = await op();
  } catch (err) {
    if (err instanceof MemqError) return sendError(res, err.status, err.message);
    throw err;
  }
  ok(value);
}

/** The whole body, or undefined once it passes `max` bytes (the rest is discarded). */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      if (tooLarge) return;
      size += chunk.length;
      if (size > max) {
        tooLarge = true;
        chunks.length = 0;
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The stats document in Go's encoding: key order name, depth, enqueued, dequeued, drained[, inFlight, redelivered]. */
export function encodeStats(stats: Stats<Stat> | Stats<ExtendedStat>): string {
  const parts = stats.queues.map((q) => {
    let s = '{"name":' + goJsonString(q.name) + ',"depth":' + q.depth + ',"enqueued":' + q.enqueued + ',"dequeued":' + q.dequeued + ',"drained":' + q.drained;
    if ('inFlight' in q) s += ',"inFlight":' + q.inFlight + ',"redelivered":' + q.redelivered;
    return s + '}';
  });
  return '{"kind":"stats","queues":[' + parts.join(',') + ']}';
}
