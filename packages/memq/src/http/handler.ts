import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MemqBroker } from '../types.js';
import { addMemqRoutes, MEMQ_BASE, type MemqRouteOptions } from './memq-routes.js';
import { Router, type RouteContext } from './router.js';

/** kuard mounts one broker under each of these prefixes (`pkg/app/app.go`). */
export const KUARD_PREFIXES = ['', '/a', '/b', '/c'] as const;

/** Options of `createMemqHandler`. */
export interface MemqHandlerOptions extends MemqRouteOptions {
  /** Prefixes to mount `/memq/server` under. Default: kuard's `""`, `/a`, `/b`, `/c`. */
  prefixes?: readonly string[];
  /** Answer for paths that match no MemQ route. Default: `404 page not found`. */
  notFound?: (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => void;
}

/**
 * A plain Node request listener serving kuard's MemQ API byte for byte (status codes, bodies,
 * headers, redirects) plus the kjobs lease routes, for one broker mounted under every prefix.
 */
export function createMemqHandler(broker: MemqBroker, opts: MemqHandlerOptions = {}): (req: IncomingMessage, res: ServerResponse) => void {
  const router = new Router(opts.notFound ? { notFound: opts.notFound } : {});
  for (const prefix of opts.prefixes ?? KUARD_PREFIXES) addMemqRoutes(router, broker, prefix + MEMQ_BASE, opts);
  return router.serve;
}
