import { RESOURCES, type ResourceInfo } from '@kjobs/api';
import { jobStrategy } from './job.js';
import { namespaceStrategy } from './namespace.js';
import { nodeStrategy } from './node.js';
import { podStrategy } from './pod.js';
import { serviceStrategy } from './service.js';
import { defineStrategy, type KindStrategy } from './strategy.js';

export type { KindStrategy } from './strategy.js';

/**
 * The strategy of every kind kjobs serves. CronJob, ReplicaSet, ConfigMap, Secret, Event and Lease
 * have nothing of their own beyond their rules in @kjobs/api (defaults, validation, printer) and
 * the generic spec/status split, so they take the generic strategy.
 */
const STRATEGIES: ReadonlyMap<string, KindStrategy> = new Map(
  [podStrategy, jobStrategy, serviceStrategy, nodeStrategy, namespaceStrategy].map((s) => [s.res.kind, s]),
);

const ALL = new Map(RESOURCES.map((r) => [r.kind, STRATEGIES.get(r.kind) ?? defineStrategy(r.kind)]));

/** The strategy of a served resource. */
export function strategyFor(res: ResourceInfo): KindStrategy {
  const s = ALL.get(res.kind);
  if (!s) throw new Error(`no strategy for kind ${res.kind}`);
  return s;
}
