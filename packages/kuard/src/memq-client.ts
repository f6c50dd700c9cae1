import { Agent, request, type IncomingMessage } from 'node:http';
import { posix } from 'node:path';
import { resolveServiceHost } from './service-env.js';

/** One dequeue's outcome, as kuard's client (`pkg/memq/client`) sees it. */
export type DequeueResult =
  | { kind: 'message'; id: string; body: string; leaseId?: string }
  | { kind: 'empty' }
  | { kind: 'error'; message: string };

/** Go's http.StatusText for the codes a MemQ server can answer. */
const STATUS_TEXT: Record<number, string> = {
  301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect',
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  413: 'Request Entity Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

/** kuard's queueURL: `<base>/<path.Join("queues", queue, ...rest)>` (a trailing slash on base gives `//queues`). */
export function queueUrl(base: string, queue: string, ...rest: string[]): string {
  const tail = posix.join('queues', queue, ...rest).replace(/\/$/, '');
  return `${base}/${tail}`;
}

interface Attempt {
  status: number;
  location?: string;
  body: string;
}

/**
 * A MemQ client for the consumer: `dequeue()` POSTs to `<server>/queues/<queue>/dequeue` like
 * kuard's Go client (redirects followed as Go's http.Client does, at most 10), with Go-worded
 * errors: `HTTP Error: 400 Bad Request`, `Post http://...: dial tcp 10.0.0.1:8080: connect:
 * connection refused` (Go 1.12 format, as in the `:blue` image). Bare service names resolve
 * through the Kubernetes service env vars (`resolveServiceHost`).
 */
export class MemqClient {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 4 });

  constructor(
    private readonly baseUrl: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /**
   * Take one message from `queue`. Never throws. With `lease` (a Go duration, kjobs servers only)
   * the item is leased and the result carries its `leaseId` for `ack`.
   */
  async dequeue(queue: string, lease?: string): Promise<DequeueResult> {
    const url = queueUrl(this.baseUrl, queue, 'dequeue') + (lease ? `?lease=${encodeURIComponent(lease)}` : '');
    const r = await this.post(url);
    if (r.kind !== 'ok') return r;
    if (r.status === 204) return { kind: 'empty' };
    try {
      const m = JSON.parse(r.body) as { id?: unknown; body?: unknown; leaseId?: unknown };
      return {
        kind: 'message',
        id: String(m.id ?? ''),
        body: String(m.body ?? ''),
        ...(typeof m.leaseId === 'string' ? { leaseId: m.leaseId } : {}),
      };
    } catch (err) {
      return { kind: 'error', message: (err as Error).message };
    }
  }

  /** Settle a lease (kjobs servers only). Resolves with an error text, or undefined on success. */
  async ack(queue: string, leaseId: string): Promise<string | undefined> {
    const r = await this.post(queueUrl(this.baseUrl, queue, 'ack', leaseId));
    return r.kind === 'error' ? r.message : undefined;
  }

  /** POST with Go's redirect following and error wording; statuses ≥ 300 become errors. */
  private async post(start: string): Promise<{ kind: 'ok'; status: number; body: string } | { kind: 'error'; message: string }> {
    let url = start;
    let method = 'POST';
    for (let redirects = 0; ; redirects++) {
      let a: Attempt;
      try {
        a = await this.send(method, url);
      } catch (err) {
        return { kind: 'error', message: `${goMethod(method)} ${url}: ${(err as Error).message}` };
      }
      if ([301, 302, 303, 307, 308].includes(a.status) && a.location) {
        if (redirects >= 9) return { kind: 'error', message: `${goMethod(method)} ${a.location}: stopped after 10 redirects` };
        url = new URL(a.location, url).toString();
        if (a.status !== 307 && a.status !== 308 && method === 'POST') method = 'GET';
        continue;
      }
      if (a.status >= 300) return { kind: 'error', message: `HTTP Error: ${a.status} ${STATUS_TEXT[a.status] ?? ''}`.trimEnd() };
      return { kind: 'ok', status: a.status, body: a.body };
    }
  }

  /** Release pooled connections. */
  close(): void {
    this.agent.destroy();
  }

  private send(method: string, url: string): Promise<Attempt> {
    const u = new URL(url);
    if (u.protocol !== 'http:') return Promise.reject(new Error(`unsupported protocol scheme "${u.protocol.replace(/:$/, '')}"`));
    const target = resolveServiceHost(u.hostname, u.port, 80, this.env);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: target.host,
          port: target.port,
          method,
          path: u.pathname + u.search,
          headers: { host: u.host, 'user-agent': 'Go-http-client/1.1', 'content-length': '0' },
          agent: this.agent,
        },
        (res: IncomingMessage) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () =>
            resolve({
              status: res.statusCode ?? 0,
              ...(typeof res.headers.location === 'string' ? { location: res.headers.location } : {}),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', reject);
        },
      );
      req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(goDialError(err, target.host, target.port))));
      req.end();
    });
  }
}

function goMethod(m: string): string {
  return m[0] + m.slice(1).toLowerCase();
}

/** Node's socket errors in the words of Go's net package. */
export function goDialError(err: NodeJS.ErrnoException, host: string, port: number): string {
  const addr = host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
  switch (err.code) {
    case 'ECONNREFUSED':
      return `dial tcp ${addr}: connect: connection refused`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
    case 'EAI_FAIL':
      return `dial tcp: lookup ${host}: no such host`;
    case 'ETIMEDOUT':
      return `dial tcp ${addr}: connect: connection timed out`;
    case 'EHOSTUNREACH':
      return `dial tcp ${addr}: connect: no route to host`;
    case 'ENETUNREACH':
      return `dial tcp ${addr}: connect: network is unreachable`;
    case 'ECONNRESET':
    case 'EPIPE':
      return 'EOF';
    default:
      return err.message;
  }
}
