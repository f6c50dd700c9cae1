import { createInbox, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { decodeJson, encodeJson } from './codec.js';

/**
 * Streamed replies over NATS (logs, attach): the requester subscribes to an inbox and sends its
 * request with `replyTo`; the server publishes chunks there and a final `end`. The requester pings
 * `<inbox>.ctl` every few seconds and sends `cancel` when it goes away, so a server never streams
 * to nobody for long.
 */

interface StreamRequest<T> {
  replyTo: string;
  body: T;
}
type StreamFrame = { seq: number; data: string } | { seq: number; end: true; error?: { code: number; message: string } };
type CtlFrame = { ping: true } | { cancel: true };

const PING_MS = 3_000;
const DEAD_MS = 10_000;
const MAX_CHUNK = 256 * 1024;

/** An error the streaming server reports (HTTP-like code). */
export class StreamError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
    this.name = 'StreamError';
  }
}

/**
 * Send a stream request and deliver the chunks in order. Resolves when the server ends the
 * stream; rejects with StreamError on a server error, or when nobody answers within `firstByteMs`.
 */
export async function requestStream<T>(
  nc: NatsConnection,
  subject: string,
  body: T,
  onChunk: (chunk: Buffer) => void,
  opts: { signal?: AbortSignal; firstByteMs?: number } = {},
): Promise<void> {
  // Under the connection's inbox prefix (connectBus: `_INBOX.<user>`), the only inboxes its NATS user may read.
  const inbox = createInbox((nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
  const sub = nc.subscribe(inbox);
  const ctl = `${inbox}.ctl`;
  const ping = setInterval(() => nc.publish(ctl, encodeJson({ ping: true } satisfies CtlFrame)), PING_MS);
  const onAbort = () => {
    nc.publish(ctl, encodeJson({ cancel: true } satisfies CtlFrame));
    sub.unsubscribe();
  };
  opts.signal?.addEventListener('abort', onAbort, { once: true });
  let firstTimer: NodeJS.Timeout | undefined;
  try {
    const pending = new Map<number, StreamFrame>();
    let next = 0;
    const firstByte = new Promise<never>((_, reject) => {
      firstTimer = setTimeout(() => {
        sub.unsubscribe();
        reject(new StreamError(503, `no answer from ${subject}`));
      }, opts.firstByteMs ?? 5_000);
    });
    nc.publish(subject, encodeJson({ replyTo: inbox, body } satisfies StreamRequest<T>));
    const consume = (async () => {
      for await (const m of sub) {
        clearTimeout(firstTimer);
        const f = decodeJson<StreamFrame>(m.data);
        pending.set(f.seq, f);
        while (pending.has(next)) {
          const cur = pending.get(next)!;
          pending.delete(next);
          next++;
          if ('end' in cur) {
            if (cur.error) throw new StreamError(cur.error.code, cur.error.message);
            return;
          }
          onChunk(Buffer.from(cur.data, 'base64'));
        }
      }
    })();
    await Promise.race([consume, firstByte]);
  } finally {
    clearTimeout(firstTimer);
    clearInterval(ping);
    opts.signal?.removeEventListener('abort', onAbort);
    sub.unsubscribe();
  }
}

/** What a stream handler gets: write chunks; `signal` aborts when the requester is gone. */
export interface StreamWriter {
  write(chunk: Buffer | string): void;
  signal: AbortSignal;
}

/**
 * Serve stream requests on `subject` (optionally in a queue group). The handler writes chunks and
 * returns (or throws a StreamError) to end the stream.
 */
export function serveStream<T>(
  nc: NatsConnection,
  subject: string,
  handler: (body: T, out: StreamWriter) => Promise<void>,
  opts: { queue?: string } = {},
): Subscription {
  const sub = nc.subscribe(subject, { queue: opts.queue });
  void (async () => {
    for await (const m of sub) {
      let req: StreamRequest<T>;
      try {
        req = decodeJson<StreamRequest<T>>(m.data);
      } catch {
        continue;
      }
      void serveOne(nc, req, handler);
    }
  })();
  return sub;
}

async function serveOne<T>(nc: NatsConnection, req: StreamRequest<T>, handler: (body: T, out: StreamWriter) => Promise<void>): Promise<void> {
  const ac = new AbortController();
  let seq = 0;
  let lastPing = Date.now();
  const ctl = nc.subscribe(`${req.replyTo}.ctl`, {
    callback: (_err, m) => {
      const f = decodeJson<CtlFrame>(m.data);
      if ('cancel' in f) ac.abort();
      else lastPing = Date.now();
    },
  });
  const watchdog = setInterval(() => {
    if (Date.now() - lastPing > DEAD_MS) ac.abort();
  }, PING_MS);
  const send = (f: StreamFrame) => nc.publish(req.replyTo, encodeJson(f));
  try {
    await handler(req.body, {
      signal: ac.signal,
      write(chunk) {
        if (ac.signal.aborted) return;
        const buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
        for (let i = 0; i < buf.length; i += MAX_CHUNK) send({ seq: seq++, data: buf.subarray(i, i + MAX_CHUNK).toString('base64') });
      },
    });
    send({ seq: seq++, end: true });
  } catch (e) {
    const code = e instanceof StreamError ? e.code : 500;
    send({ seq: seq++, end: true, error: { code, message: e instanceof Error ? e.message : String(e) } });
  } finally {
    clearInterval(watchdog);
    ctl.unsubscribe();
  }
}
