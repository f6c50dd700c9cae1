import type { KObject } from '@kjobs/api';
import { writeEvents } from './describe-events.js';
import type { DescribeContext } from './describe-job.js';
import { DescribeWriter, LEVEL_0, writeAnnotations, writeLabels } from './describe-writer.js';

/** kubectl's `smartLabelFor`: "concurrencyPolicy" → "Concurrency Policy", "podIP" → "Pod IP". */
export function smartLabel(field: string): string {
  const words = field.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').split(/[\s_-]+/);
  return words.filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join(' ');
}

function writeValue(w: DescribeWriter, level: number, key: string, value: unknown): void {
  if (value === null || value === undefined) return;
  if (Array.isArray(value)) {
    if (value.length === 0) return;
    w.write(level, `${smartLabel(key)}:\n`);
    for (const item of value) {
      if (item && typeof item === 'object') {
        for (const [k, v] of Object.entries(item as Record<string, unknown>)) writeValue(w, level + 1, k, v);
      } else {
        w.write(level + 1, `${String(item)}\n`);
      }
    }
    return;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return;
    w.write(level, `${smartLabel(key)}:\n`);
    for (const [k, v] of entries) writeValue(w, level + 1, k, v);
    return;
  }
  w.write(level, `${smartLabel(key)}:\t${String(value)}\n`);
}

/**
 * kubectl's GenericDescriber for kinds without a dedicated printer (ReplicaSet, Service,
 * Namespace, …): identity, labels, annotations, then every other field as indented "Key: value".
 */
export function describeGeneric(obj: KObject, ctx: DescribeContext): string {
  const w = new DescribeWriter();
  w.write(LEVEL_0, `Name:\t${obj.metadata.name ?? ''}\n`);
  if (obj.metadata.namespace) w.write(LEVEL_0, `Namespace:\t${obj.metadata.namespace}\n`);
  writeLabels(w, 'Labels', obj.metadata.labels);
  writeAnnotations(w, 'Annotations', obj.metadata.annotations);
  if (obj.apiVersion) w.write(LEVEL_0, `API Version:\t${obj.apiVersion}\n`);
  if (obj.kind) w.write(LEVEL_0, `Kind:\t${obj.kind}\n`);
  const meta = { ...obj.metadata } as Record<string, unknown>;
  for (const k of ['name', 'namespace', 'labels', 'annotations', 'managedFields']) delete meta[k];
  writeValue(w, LEVEL_0, 'metadata', meta);
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    writeValue(w, LEVEL_0, k, v);
  }
  writeEvents(w, ctx.events, ctx.now);
  return w.toString();
}
