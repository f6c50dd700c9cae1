import http from 'node:http';
import https from 'node:https';
import { ApiError, type Status } from '@kjobs/api';
import { HttpClient } from '@kjobs/client';
import { CliError, unreachableMessage } from './errors.js';
import type { Connection } from './kubeconfig.js';
import { klogLine } from './request-options.js';

/** How requests are bounded and traced (kubectl's `--request-timeout` and `-v`). */
export interface RestOptions {
  /** Give up on a request after this long (ms); 0 or unset: never. */
  timeoutMs?: number;
  /** klog verbosity: from 6 on, `GET URL 200 OK in N milliseconds` per request on `log`. */
  verbosity?: number;
  /** Where trace lines go (stderr). */
  log?: (line: string) => void;
  /** The pid klog lines carry. */
  pid?: number;
}

/** The Accept header that asks the server for meta/v1 Tables (`kubectl get`). */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';

/** Options of one buffered request. */
export interface RequestOptions {
  /** JSON value or pre-serialized string. */
  body?: unknown;
  contentType?: string;
  accept?: string;
}

const REASONS: Record<number, [string, string]> = {
  400: ['BadRequest', 'the server rejected our request for an unknown reason'],
  401: ['Unauthorized', 'the server has asked for the client to provide credentials'],
  403: ['Forbidden', 'the server does not allow access to the requested resource'],
  404: ['NotFound', 'the server could not find the requested resource'],
  405: ['MethodNotAllowed', 'the server does not allow this method on the requested resource'],
  409: ['Conflict', 'the server reported a conflict'],
  415: ['UnsupportedMediaType', 'the server responded with the status code 415 but did not return more information'],
  422: ['Invalid', 'the server rejected our request due to an error in our request'],
  429: ['TooManyRequests', 'the server has received too many requests and has asked us to try again later'],
  503: ['ServiceUnavailable', 'the server is currently unable to handle the request'],
};

/** An ApiError from an error response body: its Status, or kubectl's generic wording. */
export function errorFromResponse(status: number, text: string): ApiError {
  try {
    const parsed = JSON.parse(text) as Partial<Status>;
    if (parsed && parsed.kind === 'Status') return ApiError.fromStatus({ code: status, ...parsed });
  } catch {
    // not JSON: fall through to the generic message
  }
  const known = REASONS[status];
  if (known) return new ApiError(status, known[0], text.trim() && status !== 404 ? text.trim() : known[1]);
  return new ApiError(status, 'InternalError', `an error on the server ("${text.trim()}") has prevented the request from succeeding`);
}

/** Turn a socket-level failure into a message that says what to do. */
export function networkError(e: Error & { code?: string }, server: string): Error {
  if (e instanceof ApiError && /connection refused/.test(e.message)) return new CliError(unreachableMessage(server));
  switch (e.code) {
    case 'ECONNREFUSED':
      return new CliError(unreachableMessage(server));
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new CliError(`cannot resolve the kjobs api-server host in ${server}: check the server address in your kubeconfig`);
    case 'DEPTH_ZERO_SELF_SIGNED_CERT':
    case 'SELF_SIGNED_CERT_IN_CHAIN':
    case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
    case 'ERR_TLS_CERT_ALTNAME_INVALID':
      return new CliError(`tls: failed to verify the certificate of ${server} (${e.message}): use the kubeconfig the cluster wrote `
        + '(.kjobs/kubeconfig, with its certificate-authority-data), or pass --insecure-skip-tls-verify');
    default:
      return e;
  }
}

/**
 * The CLI's view of the REST API: buffered JSON requests through `HttpClient.raw`, and
 * streaming GETs (watch, followed logs) over its own socket. Every failure is an ApiError
 * (server said no) or a CliError (could not talk to it).
 */
export class RestClient {
  readonly http: HttpClient;
  private readonly url: URL;
  private readonly streamAgent: http.Agent;

  constructor(readonly conn: Connection, private readonly opts: RestOptions = {}) {
    this.http = new HttpClient({
      server: conn.server, token: conn.token, ca: conn.ca, insecureSkipTLSVerify: conn.insecureSkipTLSVerify,
      // Timeouts are --request-timeout's (below): HttpClient's own 30 s idle timeout would cut a 0 (none) short.
      timeoutMs: 0,
    });
    this.url = new URL(conn.server);
    this.streamAgent = this.url.protocol === 'https:'
      ? new https.Agent({ ca: conn.ca, rejectUnauthorized: !conn.insecureSkipTLSVerify })
      : new http.Agent();
  }

  /** One request; the parsed JSON body (or text) on 2xx, an ApiError otherwise. */
  async request<T = unknown>(method: string, path: string, o: RequestOptions = {}): Promise<T> {
    const text = await this.requestText(method, path, o);
    if (!text) return undefined as T;
    try {
      return JSON.parse(text) as T;
    } catch {
      return text as T;
    }
  }

  /** One request returning the body text on 2xx. */
  async requestText(method: string, path: string, o: RequestOptions = {}): Promise<string> {
    const headers: Record<string, string> = { accept: o.accept ?? 'application/json' };
    let body: string | undefined;
    if (o.body !== undefined) {
      body = typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
      headers['content-type'] = o.contentType ?? 'application/json';
    }
    let r: Awaited<ReturnType<HttpClient['raw']>> | undefined;
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      const request = this.http.raw(method, path, body, headers);
      r = !this.opts.timeoutMs ? await request : await Promise.race([request, new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new CliError('Unable to connect to the server: context deadline exceeded (Client.Timeout exceeded while awaiting headers)', 1, true)), this.opts.timeoutMs);
      })]);
    } catch (e) {
      throw e instanceof CliError ? e : networkError(e as Error, this.conn.server);
    } finally {
      clearTimeout(timer);
      this.trace(method, path, r?.status, started);
    }
    if (r.status >= 400) throw errorFromResponse(r.status, r.text);
    return r.text;
  }

  /** At -v=6 and above: one klog line per request, as kubectl's round tripper writes it. */
  private trace(method: string, path: string, status: number | undefined, started: number): void {
    if ((this.opts.verbosity ?? 0) < 6 || !this.opts.log) return;
    const statusText = status === undefined ? '' : `${status} ${http.STATUS_CODES[status] ?? ''}`.trim();
    const ms = Math.round(performance.now() - started);
    this.opts.log(klogLine(new Date(), this.opts.pid ?? 0, 'round_trippers.go:560', `${method} ${this.conn.server}${path} ${statusText} in ${ms} milliseconds`));
  }

  /**
   * A streaming GET (watch, `follow=true` logs): resolves with the response once the headers
   * arrived with a 2xx status; the caller reads it and may `destroy()` it.
   */
  stream(path: string, accept: string, signal?: AbortSignal): Promise<http.IncomingMessage> {
    return new Promise((resolve, reject) => {
      const mod = this.url.protocol === 'https:' ? https : http;
      const req = mod.request({
        method: 'GET',
        host: this.url.hostname.replace(/^\[|\]$/g, ''),
        port: this.url.port || (this.url.protocol === 'https:' ? 443 : 80),
        path,
        agent: this.streamAgent,
        headers: { accept, ...(this.conn.token ? { authorization: `Bearer ${this.conn.token}` } : {}) },
      });
      const onAbort = () => req.destroy();
      signal?.addEventListener('abort', onAbort, { once: true });
      const started = performance.now();
      req.on('response', (res) => {
        this.trace('GET', path, res.statusCode, started);
        if ((res.statusCode ?? 0) >= 400) {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => reject(errorFromResponse(res.statusCode ?? 500, Buffer.concat(chunks).toString('utf8'))));
          res.on('error', reject);
          return;
        }
        resolve(res);
      });
      req.on('error', (e) => reject(signal?.aborted ? new CliError('aborted') : networkError(e, this.conn.server)));
      req.end();
    });
  }

  /** Release sockets. */
  close(): void {
    void this.http.close();
    this.streamAgent.destroy();
  }
}
