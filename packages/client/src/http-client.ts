import http from 'node:http';
import https from 'node:https';
import { ApiError, type KList, type KObject, type Status, type WatchEvent } from '@kjobs/api';
import { queryString, resourceOf, restPath } from './kinds.js';
import type { ApiClient, DeleteOptions, ListOptions, LogOptions, PatchType, WatchHandle } from './types.js';

/** Options of the HTTP transport. */
export interface HttpClientOptions {
  /** https://127.0.0.1:6443 */
  server: string;
  token?: string;
  /** PEM CA bundle to trust (the cluster's generated CA). */
  ca?: string | Buffer;
  insecureSkipTLSVerify?: boolean;
  timeoutMs?: number;
}

const PATCH_TYPES: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
};

/** The ApiClient over the Kubernetes REST API (for people, the CLI and tests). */
export class HttpClient implements ApiClient {
  private readonly url: URL;
  private readonly agent: http.Agent;

  constructor(private readonly opts: HttpClientOptions) {
    this.url = new URL(opts.server);
    this.agent = this.url.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, ca: opts.ca, rejectUnauthorized: !opts.insecureSkipTLSVerify })
      : new http.Agent({ keepAlive: true });
  }

  /** Low-level request: returns status, headers and body text. */
  raw(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body);
      const req = this.request(method, path, {
        accept: 'application/json',
        ...(data !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(data)) } : {}),
        ...headers,
      });
      req.setTimeout(this.opts.timeoutMs ?? 30_000, () => req.destroy(new Error(`timeout after ${this.opts.timeoutMs ?? 30_000} ms`)));
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('error', (e) => reject(connectionError(e, this.opts.server)));
      req.end(data);
    });
  }

  private request(method: string, path: string, headers: Record<string, string>): http.ClientRequest {
    const mod = this.url.protocol === 'https:' ? https : http;
    return mod.request({
      method,
      host: this.url.hostname,
      port: this.url.port || (this.url.protocol === 'https:' ? 443 : 80),
      path,
      agent: this.agent,
      headers: { ...(this.opts.token ? { authorization: `Bearer ${this.opts.token}` } : {}), ...headers },
    });
  }

  private async json<T>(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    const r = await this.raw(method, path, body, headers);
    let parsed: unknown;
    try {
      parsed = r.text ? JSON.parse(r.text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (r.status >= 400) {
      if (parsed && typeof parsed === 'object' && (parsed as Status).kind === 'Status') throw ApiError.fromStatus(parsed as Status);
      throw new ApiError(r.status, 'InternalError', r.text || `HTTP ${r.status}`);
    }
    return (parsed ?? r.text) as T;
  }

  get<T extends KObject>(kind: string, namespace: string, name: string): Promise<T> {
    return this.json('GET', restPath(resourceOf(kind), namespace, name));
  }

  list<T extends KObject>(kind: string, opts: ListOptions = {}): Promise<KList<T>> {
    const q = queryString({ labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector, limit: opts.limit, continue: opts.continue, resourceVersion: opts.resourceVersion });
    return this.json('GET', restPath(resourceOf(kind), opts.namespace) + q);
  }

  create<T extends KObject>(kind: string, obj: T): Promise<T> {
    return this.json('POST', restPath(resourceOf(kind), obj.metadata.namespace), obj);
  }

  update<T extends KObject>(kind: string, obj: T, opts: { subresource?: 'status' } = {}): Promise<T> {
    return this.json('PUT', restPath(resourceOf(kind), obj.metadata.namespace, obj.metadata.name, opts.subresource), obj);
  }

  patch<T extends KObject>(kind: string, namespace: string, name: string, type: PatchType, patch: unknown, opts: { subresource?: 'status' } = {}): Promise<T> {
    return this.json('PATCH', restPath(resourceOf(kind), namespace, name, opts.subresource), patch, { 'content-type': PATCH_TYPES[type] });
  }

  delete(kind: string, namespace: string, name: string, opts: DeleteOptions = {}): Promise<KObject | Status> {
    return this.json('DELETE', restPath(resourceOf(kind), namespace, name), { kind: 'DeleteOptions', apiVersion: 'v1', ...opts });
  }

  createSubresource(kind: string, namespace: string, name: string, subresource: string, body: unknown): Promise<unknown> {
    return this.json('POST', restPath(resourceOf(kind), namespace, name, subresource), body);
  }

  async logs(namespace: string, name: string, opts: LogOptions = {}): Promise<string> {
    const r = await this.raw('GET', restPath(resourceOf('Pod'), namespace, name, 'log') + queryString({ ...opts }));
    if (r.status >= 400) {
      try {
        throw ApiError.fromStatus(JSON.parse(r.text) as Status);
      } catch (e) {
        if (e instanceof ApiError) throw e;
        throw new ApiError(r.status, 'InternalError', r.text);
      }
    }
    return r.text;
  }

  /** Follow a pod's log; resolves when the server ends the stream. */
  followLogs(namespace: string, name: string, opts: LogOptions, onChunk: (b: Buffer) => void, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const req = this.request('GET', restPath(resourceOf('Pod'), namespace, name, 'log') + queryString({ ...opts, follow: true }), { accept: '*/*' });
      signal?.addEventListener('abort', () => req.destroy(), { once: true });
      req.on('response', (res) => {
        if ((res.statusCode ?? 0) >= 400) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(new ApiError(res.statusCode ?? 500, 'BadRequest', Buffer.concat(chunks).toString())));
          return;
        }
        res.on('data', onChunk);
        res.on('end', () => resolve());
        res.on('close', () => resolve());
        res.on('error', () => resolve());
      });
      req.on('error', (e) => (signal?.aborted ? resolve() : reject(connectionError(e, this.opts.server))));
      req.end();
    });
  }

  watch<T extends KObject>(kind: string, opts: ListOptions, onEvent: (ev: WatchEvent<T>) => void): WatchHandle {
    const q = queryString({
      watch: true, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector,
      resourceVersion: opts.resourceVersion, allowWatchBookmarks: opts.allowWatchBookmarks, timeoutSeconds: opts.timeoutSeconds,
    });
    const req = this.request('GET', restPath(resourceOf(kind), opts.namespace) + q, { accept: 'application/json' });
    let resolveDone!: (e: Error | undefined) => void;
    const done = new Promise<Error | undefined>((r) => (resolveDone = r));
    let stopped = false;
    req.on('response', (res) => {
      if ((res.statusCode ?? 0) >= 400) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          try {
            resolveDone(ApiError.fromStatus(JSON.parse(Buffer.concat(chunks).toString()) as Status));
          } catch {
            resolveDone(new ApiError(res.statusCode ?? 500, 'InternalError', 'watch failed'));
          }
        });
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => {
        buf += c;
        let i;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i).trim();
          buf = buf.slice(i + 1);
          if (line && !stopped) onEvent(JSON.parse(line) as WatchEvent<T>);
        }
      });
      res.on('close', () => resolveDone(undefined));
    });
    req.on('error', (e) => resolveDone(stopped ? undefined : e));
    req.end();
    return {
      stop: () => {
        stopped = true;
        req.destroy();
      },
      done,
    };
  }

  async close(): Promise<void> {
    this.agent.destroy();
  }
}

function connectionError(e: Error & { code?: string }, server: string): Error {
  if (e.code === 'ECONNREFUSED') {
    return new ApiError(503, 'ServiceUnavailable', `cannot reach the kjobs api-server at ${server} (connection refused): start the cluster with \`npm start\` (or \`docker compose up\`)`);
  }
  return e;
}
