import type { KObject } from '@kjobs/api';
import { goJson } from '../go-json.js';
import { BUILTIN_SCHEMA, MERGE_PATCH_SCHEMA, threeWayPatch, type PatchSchema } from './three-way-patch.js';

/** The annotation `kubectl apply` keeps the applied manifest in. */
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/** Kinds kubectl compiles in: patched with strategic merge patch (others: JSON merge patch). */
const BUILTIN_KINDS = new Set(['Pod', 'Node', 'Event', 'Namespace', 'Service', 'ReplicaSet', 'Job', 'CronJob', 'Lease', 'ConfigMap', 'Secret', 'Deployment']);

/**
 * The annotation value exactly as kubectl writes it (`GetModifiedConfiguration`): the manifest
 * (namespace already filled in for namespaced kinds) without any previous last-applied
 * annotation but with an `annotations` map (possibly `{}`), as compact Go JSON with sorted
 * keys, ending in "\n".
 */
export function lastAppliedConfiguration(manifest: KObject): string {
  const annotations = { ...(manifest.metadata?.annotations ?? {}) };
  delete annotations[LAST_APPLIED_ANNOTATION];
  const obj = { ...manifest, metadata: { ...manifest.metadata, annotations } };
  return `${goJson(obj)}\n`;
}

/** The manifest with its last-applied annotation set (what apply creates, and `modified` for patches). */
export function withLastApplied(manifest: KObject): KObject {
  const value = lastAppliedConfiguration(manifest);
  return {
    ...manifest,
    metadata: { ...manifest.metadata, annotations: { ...(manifest.metadata?.annotations ?? {}), [LAST_APPLIED_ANNOTATION]: value } },
  };
}

/** Which patch an apply sends for a kind. */
export function patchTypeFor(kind: string | undefined): { contentType: string; schema: PatchSchema } {
  return kind && BUILTIN_KINDS.has(kind)
    ? { contentType: 'application/strategic-merge-patch+json', schema: BUILTIN_SCHEMA }
    : { contentType: 'application/merge-patch+json', schema: MERGE_PATCH_SCHEMA };
}

/** Result of planning one apply against an existing object. */
export interface ApplyPlan {
  /** The patch; `{}` means "unchanged" and nothing is sent. */
  patch: Record<string, unknown>;
  contentType: string;
  /** The live object had no last-applied annotation (kubectl warns). */
  missingAnnotation: boolean;
}

/** Plan `kubectl apply` for a manifest (namespace filled in) whose object already exists. */
export function planApply(manifest: KObject, current: KObject): ApplyPlan {
  const modified = withLastApplied(manifest);
  const raw = current.metadata.annotations?.[LAST_APPLIED_ANNOTATION];
  let original: Record<string, unknown> | undefined;
  if (raw) {
    try {
      original = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      original = undefined;
    }
  }
  const { contentType, schema } = patchTypeFor(manifest.kind);
  const patch = threeWayPatch(original, modified as Record<string, unknown>, current as Record<string, unknown>, schema);
  return { patch, contentType, missingAnnotation: raw === undefined };
}
