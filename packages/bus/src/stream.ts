import { createInbox, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { decodeJson, encodeJson } from './codec.js';

/**
 * Streamed replies over NATS (logs, attach, exec): the requester subscribes to an inbox and sends
 * its request with `replyTo`; the server publishes chunks there and a final `end`. The requester
 * pings `<inbox>.ctl` every few seconds and sends `cancel` when it goes away, so a server never
 * streams to nobody for long.
 *
 * A duplex request (`requestDuplex`, for exec's stdin) also sends input chunks on `<inbox>.ctl`.
 * The server answers an empty chunk once its handler takes input (`onInput`): the requester holds
 * its input until then, because the server's `.ctl` subscription may not exist before, and
 * a handler that refuses first (throws) is seen before any output.
 */

interface StreamRequest<T> {
  replyTo: string;
  body: T;
  duplex?: boolean;
}
type StreamFrame = { seq: number; data: string } | { seq: number; end: true; error?: { code: number; message: string } };
type CtlFrame = { ping: true } | { cancel: true } | { seq: number; data: string } | { seq: number; eof: true };

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
  await openStream(nc, subject, body, onChunk, opts, false).done;
}

/** The requester's side of a duplex stream (see the module comment). */
export interface DuplexStream {
  /** Resolves when the server's handler takes input; rejects as `done` does when it refused first. */
  opened: Promise<void>;
  /** Send one input chunk (held until `opened`). */
  send(chunk: Buffer): void;
  /** End the input (the server's onInput gets `null`). */
  end(): void;
  /** Settles as requestStream does. */
  done: Promise<void>;
}

/**
 * A stream request that also carries input to the server: chunks come to `onChunk` in order, and
 * `send` / `end` deliver input in order to the handler's `onInput`. Abort `signal` to cancel.
 */
export function requestDuplex<T>(
  nc: NatsConnection,
  subject: string,
  body: T,
  onChunk: (chunk: Buffer) => void,
  opts: { signal?: AbortSignal; firstByteMs?: number } = {},
): DuplexStream {
  const s = openStream(nc, subject, body, onChunk, opts, true);
  let seq = 0;
  let open = false;
  const held: CtlFrame[] = [];
  const post = (f: CtlFrame) => (open ? nc.publish(s.ctl, encodeJson(f)) : held.push(f));
  const opened = Promise.race([s.firstFrame, s.done]).then(() => {
    open = true;
    for (const f of held.splice(0)) nc.publish(s.ctl, encodeJson(f));
  });
  opened.catch(() => undefined);
  return {
    opened,
    done: s.done,
    send: (chunk) => {
      for (let i = 0; i < chunk.length; i += MAX_CHUNK) post({ seq: seq++, data: chunk.subarray(i, i + MAX_CHUNK).toString('base64') });
    },
    end: () => post({ seq: seq++, eof: true }),
  };
}

function openStream<T>(
  nc: NatsConnection,
  subject: string,
  body: T,
  onChunk: (chunk: Buffer) => void,
  opts: { signal?: AbortSignal; firstByteMs?: number },
  duplex: boolean,
): { ctl: string; firstFrame: Promise<void>; done: Promise<void> } {
  // Under the connection's inbox prefix (connectBus: `_INBOX.<user>`), the only inboxes its NATS user may read.
  const inbox = createInbox((nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
  const sub = nc.subscribe(inbox);
  const ctl = `${inbox}.ctl`;
  let markFirst!: () => void;
  const firstFrame = new Promise<void>((resolve) => (markFirst = resolve));
  const done = (async () => {
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
      nc.publish(subject, encodeJson({ replyTo: inbox, body, ...(duplex ? { duplex } : {}) } satisfies StreamRequest<T>));
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
            markFirst();
            // The duplex "ready" chunk is empty: nothing to deliver.
            if (cur.data) onChunk(Buffer.from(cur.data, 'base64'));
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
  })();
  return { ctl, firstFrame, done };
}

/** What a stream handler gets: write chunks; `signal` aborts when the requester is gone. */
export interface StreamWriter {
  write(chunk: Buffer | string): void;
  signal: AbortSignal;
  /**
   * Take the requester's input (requestDuplex), in order; `null` when it ended the input. Input
   * that came earlier is delivered at once. Calling it tells a duplex requester the stream is open.
   */
  onInput(cb: (chunk: Buffer | null) => void): void;
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
  const input = inputQueue();
  const ctl = nc.subscribe(`${req.replyTo}.ctl`, {
    callback: (_err, m) => {
      const f = decodeJson<CtlFrame>(m.data);
      lastPing = Date.now();
      if ('cancel' in f) ac.abort();
      else if ('seq' in f) input.add(f);
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
      onInput(cb) {
        if (input.listen(cb) && req.duplex) send({ seq: seq++, data: '' });
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

/** Input frames in `seq` order, held until a listener is set. `listen` returns true the first time. */
function inputQueue() {
  const pending = new Map<number, Buffer | null>();
  let next = 0;
  let cb: ((chunk: Buffer | null) => void) | undefined;
  const drain = () => {
    while (cb && pending.has(next)) {
      const chunk = pending.get(next)!;
      pending.delete(next);
      next++;
      cb(chunk);
    }
  };
  return {
    add(f: { seq: number; data: string } | { seq: number; eof: true }) {
      pending.set(f.seq, 'eof' in f ? null : Buffer.from(f.data, 'base64'));
      drain();
    },
    listen(listener: (chunk: Buffer | null) => void): boolean {
      const first = cb === undefined;
      cb = listener;
      drain();
      return first;
    },
  };
}
