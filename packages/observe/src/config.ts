/**
 * @kjobs/observe/config: a service's settings and logger alone, without the HTTP server and the
 * Prometheus registry of the full index (memq's workers start faster without them).
 */
export * from './logger.js';
export * from './setting-kinds.js';
export * from './settings.js';
export * from './settings-table.js';
export * from './common-settings.js';
