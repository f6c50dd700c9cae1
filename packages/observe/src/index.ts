/**
 * @kjobs/observe: what makes a service observable — its settings (declared once: --help,
 * validation at start, docs/configuration.md), its HTTP port with /healthz, /readyz and
 * Prometheus /metrics, the named checks behind them, and the Kubernetes-named metrics every
 * controller shares (work queues, syncs, leader election).
 */
export * from './listen-address.js';
export * from './health-checks.js';
export * from './observe-server.js';
export * from './workqueue-metrics.js';
export * from './leader-metric.js';
export * from './nats-connected.js';
export * from './address-file.js';
export * from './logger.js';
export * from './setting-kinds.js';
export * from './settings.js';
export * from './settings-table.js';
export * from './common-settings.js';
