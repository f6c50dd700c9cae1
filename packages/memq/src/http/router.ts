import type { IncomingMessage, ServerResponse } from 'node:http';
import { cleanPath, goPathClean } from './clean-path.js';
import { binaryToUtf8, escapePath, hexEscapeNonAscii, htmlEscape, parseRequestTarget } from './go-url.js';
import { sendEmpty, sendError, sendNotFound } from './responses.js';
import { Node, type Param } from './tree.js';

/** What a route handler gets besides req/res. */
export interface RouteContext {
  /** Route parameters; values are binary strings — use `param()` for the UTF-8 text. */
  params: Param[];
  /** Decoded request path (binary string). */
  path: string;
  /** Raw query string without `?`. */
  rawQuery: string;
}

/** A route handler. It may return a promise; the router does not await it. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => void | Promise<void>;

/** Options of the router: httprouter's defaults are kuard's. */
export interface RouterOptions {
  /** Called when nothing matches (default: Go's `404 page not found`). */
  notFound?: (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => void;
}

/** The UTF-8 text of a route parameter ("" when absent). */
export function param(ctx: RouteContext, key: string): string {
  for (const p of ctx.params) if (p.key === key) return binaryToUtf8(p.value);
  return '';
}

const STATUS_TEXT: Record<number, string> = { 301: 'Moved Permanently', 307: 'Temporary Redirect' };

/**
 * julienschmidt/httprouter v1.2.0's Router (RedirectTrailingSlash, RedirectFixedPath,
 * HandleMethodNotAllowed and HandleOPTIONS all on, as in kuard) over Node's http: routes per
 * method, 301 (GET) / 307 (other methods) redirects for a trailing slash or an unclean /
 * wrong-case path, 405 with `Allow`, OPTIONS answered with `Allow`, else 404.
 * `Allow` lists the methods sorted, OPTIONS included (`DELETE, OPTIONS, PUT`), as seen on kuard.
 */
export class Router {
  private readonly trees = new Map<string, Node<RouteHandler>>();

  constructor(private readonly opts: RouterOptions = {}) {}

  /** Register a handler; the pattern uses `:name` segments and a final `*name` catch-all. */
  handle(method: string, pattern: string, handler: RouteHandler): this {
    if (pattern[0] !== '/') throw new Error(`path must begin with '/' in path '${pattern}'`);
    let root = this.trees.get(method);
    if (!root) {
      root = new Node<RouteHandler>();
      this.trees.set(method, root);
    }
    root.addRoute(pattern, handler);
    return this;
  }

  /** Serve one request (a plain Node request listener). */
  readonly serve = (req: IncomingMessage, res: ServerResponse): void => {
    const target = parseRequestTarget(req.url ?? '/');
    if (!target) {
      res.writeHead(400, ['Content-Type', 'text/plain; charset=utf-8', 'Connection', 'close']);
      res.end('400 Bad Request');
      return;
    }
    const method = req.method ?? 'GET';
    const { path, rawQuery } = target;
    const root = this.trees.get(method);
    if (root) {
      const found = root.getValue(path);
      if (found.handle) {
        const result = found.handle(req, res, { params: found.params, path, rawQuery });
        if (result) result.catch((err: unknown) => failRequest(res, err));
        return;
      }
      if (method !== 'CONNECT' && path !== '/') {
        const code = method === 'GET' ? 301 : 307;
        if (found.tsr) {
          const fixed = path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path + '/';
          return redirect(req, res, fixed, rawQuery, code);
        }
        const ci = root.findCaseInsensitivePath(cleanPath(path), true);
        if (ci.found) return redirect(req, res, ci.path, rawQuery, code);
      }
    }
    const allow = this.allowed(path, method);
    if (method === 'OPTIONS') {
      if (allow) return sendEmpty(res, 200, ['Allow', allow]);
    } else if (allow) {
      return sendError(res, 405, 'Method Not Allowed', ['Allow', allow]);
    }
    if (this.opts.notFound) this.opts.notFound(req, res, { params: [], path, rawQuery });
    else sendNotFound(res);
  };

  private allowed(path: string, reqMethod: string): string {
    const methods: string[] = [];
    for (const [method, root] of this.trees) {
      if (method === reqMethod || method === 'OPTIONS') continue;
      if (path === '*' || root.getValue(path).handle) methods.push(method);
    }
    if (methods.length === 0) return '';
    methods.push('OPTIONS');
    return methods.sort().join(', ');
  }
}

/** Go's http.Redirect as httprouter calls it: Location is the escaped, cleaned path plus the query. */
function redirect(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string, code: number): void {
  const escaped = escapePath(path);
  let url = goPathClean(escaped);
  if (escaped.endsWith('/') && !url.endsWith('/')) url += '/';
  if (rawQuery !== '') url += '?' + rawQuery;
  const location = hexEscapeNonAscii(url);
  if (req.method === 'GET') {
    const body = '<a href="' + htmlEscape(url) + '">' + STATUS_TEXT[code] + '</a>.\n\n';
    res.writeHead(code, ['Location', location, 'Content-Type', 'text/html; charset=utf-8', 'Content-Length', String(Buffer.byteLength(body))]);
    res.end(body);
    return;
  }
  const extra = req.method === 'HEAD' ? ['Content-Type', 'text/html; charset=utf-8'] : [];
  sendEmpty(res, code, ['Location', location, ...extra]);
}

/** Last resort for a handler that threw: a 500 if nothing was sent yet. */
function failRequest(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendError(res, 500, err instanceof Error ? err.message : String(err));
}
