// A GET over node:http(s) for layer blobs. fetch's web streams cost about twice the CPU per byte
// (a 42 MB blob read in 77–123 ms of CPU against 172–179 ms through fetch, docs/benchmarks.md
// "Sixth session"), and a layer is most of what a pull reads.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { PassThrough, pipeline, type Readable } from 'node:stream';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);
/** Bytes of a body read ahead of its consumer (a response buffers 16 KiB before it stops the socket). */
const READ_AHEAD = 1 << 20;
const MAX_REDIRECTS = 20;

/**
 * GETs `url` and resolves with the final response, whatever its status, once its headers are in;
 * redirects are followed as fetch follows them (at most 20), and `authorization` is dropped when a
 * redirect leaves the origin (a registry redirecting to its storage must not receive the token).
 * Rejects on a network error, too many redirects or `signal`; the body is the caller's to read or
 * destroy.
 */
export async function httpGet(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<IncomingMessage> {
  let current = url;
  let sent = headers;
  for (let hop = 0; ; hop++) {
    const res = await getOnce(current, sent, signal);
    const location = res.headers.location;
    if (!REDIRECTS.has(res.statusCode ?? 0) || !location) return res;
    res.resume();
    if (hop === MAX_REDIRECTS) throw new Error('redirect count exceeded');
    const next = new URL(location, current);
    if (next.origin !== current.origin) {
      const { authorization: _dropped, ...rest } = sent;
      sent = rest;
    }
    current = next;
  }
}

/**
 * The body of `res` with READ_AHEAD bytes read ahead of the consumer, so the download goes on while
 * the consumer hashes and unpacks instead of stopping the socket every 16 KiB; an error of the
 * response (a reset connection) is the returned stream's error.
 */
export function readAhead(res: IncomingMessage): Readable {
  const body = new PassThrough({ highWaterMark: READ_AHEAD });
  pipeline(res, body, () => undefined);
  return body;
}

function getOnce(url: URL, headers: Record<string, string>, signal?: AbortSignal): Promise<IncomingMessage> {
  const get = url.protocol === 'https:' ? https.get : url.protocol === 'http:' ? http.get : undefined;
  if (!get) return Promise.reject(new Error(`unsupported protocol ${url.protocol}`));
  return new Promise((resolve, reject) => {
    get(url, { headers, signal }, resolve).once('error', reject);
  });
}
