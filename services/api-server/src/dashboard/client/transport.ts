/// <reference lib="dom" />
/**
 * The browser side of the API: fetch() on the page's own origin with the session's bearer token
 * (none when the server allows anonymous requests), JSON or a streamed body.
 */
import { HttpError, type Transport } from './reflector.js';

function headers(token: string | undefined): Record<string, string> {
  return token ? { Authorization: `Bearer ${token}`, Accept: 'application/json' } : { Accept: 'application/json' };
}

async function fail(r: Response): Promise<never> {
  let message = `${r.status} ${r.statusText}`;
  try {
    const body = (await r.json()) as { message?: string };
    if (body.message) message = body.message;
  } catch {
    // not a Status object
  }
  throw new HttpError(r.status, message);
}

/** A Transport for one token. */
export function fetchTransport(token: string | undefined): Transport {
  return {
    async getJson<R>(path: string, signal: AbortSignal): Promise<R> {
      const r = await fetch(path, { headers: headers(token), signal, cache: 'no-store' });
      if (!r.ok) return fail(r);
      return (await r.json()) as R;
    },
    async *stream(path: string, signal: AbortSignal): AsyncIterable<string> {
      const r = await fetch(path, { headers: headers(token), signal, cache: 'no-store' });
      if (!r.ok) return fail(r);
      if (!r.body) throw new HttpError(500, 'the response has no body');
      const reader = r.body.pipeThrough(new TextDecoderStream()).getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        // Ends the request when the consumer stops early (an error event, an abort).
        void reader.cancel().catch(() => undefined);
      }
    },
  };
}
