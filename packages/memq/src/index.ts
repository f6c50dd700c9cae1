export type { Message, Stat, ExtendedStat, Stats, StatsOptions, LeasedMessage, MemqBroker } from './types.js';
export {
  MemqError,
  QueueNotFoundError,
  QueueExistsError,
  EmptyNameError,
  LeaseNotFoundError,
  InvalidLeaseError,
} from './errors.js';
export { type Clock, systemClock, createSystemClock, formatGoTime } from './clock.js';
export { goJson, goJsonIndent, goJsonString, goJsonBytes } from './go-json.js';
export { messageWire } from './message.js';
export { parseLeaseDuration } from './duration.js';
export { MemoryBroker, type MemoryBrokerOptions } from './memory/memory-broker.js';
export { RedisBroker, type RedisBrokerOptions } from './redis/redis-broker.js';
export { MemqKeys } from './redis/keys.js';
export { Router, param, type RouteContext, type RouteHandler, type RouterOptions } from './http/router.js';
export type { Param } from './http/tree.js';
export { sendJson, sendError, sendEmpty, sendNoContent, sendNotFound, sendText } from './http/responses.js';
export { addMemqRoutes, encodeStats, MEMQ_BASE, type MemqRouteOptions } from './http/memq-routes.js';
export { createMemqHandler, KUARD_PREFIXES, type MemqHandlerOptions } from './http/handler.js';
export { MEMQ_PAGE_HTML } from './http/memq-page.js';
