/**
 * Raw HTTP for the fuzz suites: requests go out exactly as generated (node:http, no client
 * library smoothing anything over), a bounded number at a time, each timed.
 */
import http from 'node:http';
import net from 'node:net';

/** One generated request. `path` is sent as is (already percent-encoded where needed). */
export interface RawRequest {
  /** What the generator meant to test (for the report). */
  kind: string;
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** Send the bytes verbatim over a socket instead (malformed request lines, bad framing). */
  raw?: Buffer | string;
}

/** What came back. `error` is set when the connection failed before a full response. */
export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  ms: number;
  error?: string;
}

/** Send one request over a keep-alive agent; resolves with the response or the connection error. */
export function send(port: number, agent: http.Agent, r: RawRequest, timeoutMs = 30_000): Promise<RawResponse> {
  if (r.raw !== undefined) return sendRawBytes(port, r.raw, timeoutMs);
  const start = process.hrtime.bigint();
  const elapsed = () => Number(process.hrtime.bigint() - start) / 1e6;
  return new Promise((resolve) => {
    const body = r.body === undefined ? undefined : Buffer.isBuffer(r.body) ? r.body : Buffer.from(r.body);
    const headers: Record<string, string> = { ...(r.headers ?? {}) };
    if (body) headers['content-length'] = String(body.length);
    let done = false;
    const finish = (v: RawResponse) => {
      if (done) return;
      done = true;
      resolve(v);
    };
    const req = http.request({ host: '127.0.0.1', port, method: r.method, path: r.path, headers, agent, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: elapsed() }));
      res.on('error', (e) => finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), ms: elapsed(), error: e.message }));
    });
    // A WebSocket upgrade that succeeds (101) is an answer too; the stream itself is not read.
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      finish({ status: res.statusCode ?? 101, headers: res.headers, body: Buffer.alloc(0), ms: elapsed() });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (e) => finish({ status: 0, headers: {}, body: Buffer.alloc(0), ms: elapsed(), error: e.message }));
    // A server may answer (413) and close before reading a large body: that answer still counts.
    if (body) req.write(body, () => undefined);
    req.end();
  });
}

/** Write bytes to a fresh socket and parse the status line of whatever comes back. */
function sendRawBytes(port: number, bytes: Buffer | string, timeoutMs: number): Promise<RawResponse> {
  const start = process.hrtime.bigint();
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    const t = setTimeout(() => sock.destroy(new Error('timeout')), timeoutMs);
    const finish = (error?: string) => {
      clearTimeout(t);
      const all = Buffer.concat(chunks);
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(all.subarray(0, 32).toString('latin1'));
      const sep = all.indexOf('\r\n\r\n');
      const headers: http.IncomingHttpHeaders = {};
      for (const line of all.subarray(0, Math.max(sep, 0)).toString('latin1').split('\r\n').slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      resolve({
        status: m ? Number(m[1]) : 0, headers, body: sep >= 0 ? all.subarray(sep + 4) : Buffer.alloc(0),
        ms: Number(process.hrtime.bigint() - start) / 1e6, ...(m ? {} : { error: error ?? 'no status line' }),
      });
    };
    sock.on('data', (c: Buffer) => {
      chunks.push(c);
      // One response is enough (the server may keep the connection open): stop once its body is in.
      const all = Buffer.concat(chunks);
      const sep = all.indexOf('\r\n\r\n');
      if (sep < 0) return;
      const len = /\r\ncontent-length:\s*(\d+)/i.exec(all.subarray(0, sep).toString('latin1'));
      if (!len || all.length - sep - 4 >= Number(len[1])) sock.destroy();
    });
    let done = false;
    const once = (error?: string) => {
      if (done) return;
      done = true;
      finish(error);
    };
    sock.on('error', (e) => once(e.message));
    sock.on('close', () => once());
    sock.write(bytes);
  });
}

/** Run `items` through `fn` with at most `limit` in flight; results in input order. */
export async function pool<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Running totals of a fuzz run: requests, status codes, the slowest request. */
export class FuzzStats {
  count = 0;
  maxMs = 0;
  slowest = '';
  readonly byStatus = new Map<number, number>();
  readonly byKind = new Map<string, number>();
  /** Summed latency per kind: where the run's time goes. */
  readonly msByKind = new Map<string, number>();

  record(r: RawRequest, res: RawResponse): void {
    this.count++;
    this.byStatus.set(res.status, (this.byStatus.get(res.status) ?? 0) + 1);
    this.byKind.set(r.kind, (this.byKind.get(r.kind) ?? 0) + 1);
    this.msByKind.set(r.kind, (this.msByKind.get(r.kind) ?? 0) + res.ms);
    if (res.ms > this.maxMs) {
      this.maxMs = res.ms;
      this.slowest = `${r.kind} ${r.method} ${r.path.slice(0, 80)}`;
    }
  }

  summary(name: string): string {
    const statuses = [...this.byStatus].sort((a, b) => a[0] - b[0]).map(([s, n]) => `${s}:${n}`).join(' ');
    const kinds = [...this.byKind].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k}=${n}`).join(' ');
    const costly = [...this.msByKind].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([k, ms]) => `${k}=${Math.round(ms)}ms`).join(' ');
    return `${name}: ${this.count} requests, max latency ${this.maxMs.toFixed(1)} ms (${this.slowest}); statuses ${statuses}; kinds ${kinds}; most time in ${costly}`;
  }
}
