import os from 'node:os';
import { type Logger, pino } from 'pino';

/** What every kjobs log line carries: which service wrote it (and which node, for an agent). */
export interface LoggerOptions {
  /** pino level (default info; LOG_LEVEL in the services). */
  level?: string;
  /** The kubelet-agent's node name. */
  node?: string;
  /** More fields fixed for the process (memq's `worker`). */
  fields?: Record<string, string | number>;
}

/**
 * The one naming scheme of kjobs' logs: `service` (api-server, scheduler, job-controller,
 * kubelet-agent, memq), `node` for an agent, `component` on child loggers for a part of a
 * service; `pid` and `hostname` as pino has them. Each field is set once, here or in one child.
 */
export function createLogger(service: string, o: LoggerOptions = {}): Logger {
  return pino({ level: o.level ?? 'info', base: { service, pid: process.pid, hostname: os.hostname(), ...(o.node ? { node: o.node } : {}), ...o.fields } });
}

export type { Logger };
