import YAML from 'yaml';
import type { KObject } from '@kjobs/api';
import { sortKeys } from '../go-json.js';

/** `-o json`: four-space indented, keys sorted as kubectl prints an unstructured object. */
export function toJsonOutput(value: unknown): string {
  return `${JSON.stringify(sortKeys(value), null, 4)}\n`;
}

/** `-o yaml`: keys sorted, sequences not indented under their key (go-yaml's style). */
export function toYamlOutput(value: unknown): string {
  return YAML.stringify(sortKeys(value), { indentSeq: false, lineWidth: 0, aliasDuplicateObjects: false });
}

/** The List kubectl wraps several objects in for `-o json|yaml`. */
export function asList(items: KObject[]): Record<string, unknown> {
  return { apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } };
}
