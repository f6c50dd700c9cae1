/** core/v1 Namespace validation: a DNS-1123 label name, no namespace, valid spec.finalizers. */
import { type FieldCause } from './field-errors.js';
import { FieldReader } from './json-fields.js';
import { nameIsDNSLabel } from './names.js';
import { validateKubeFinalizerName, validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

function validateSpecFinalizers(raw: unknown, out: FieldCause[]): void {
  const s = FieldReader.of(raw, 'spec', out);
  for (const f of s.stringList('finalizers') ?? []) out.push(...validateKubeFinalizerName(f, s.at('finalizers')));
}

/** A new Namespace. */
export function validateNamespace(ns: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMeta(ns.metadata, { namespaced: false, nameFn: nameIsDNSLabel });
  validateSpecFinalizers(ns.spec, out);
  return out;
}

/** An updated Namespace (spec and status are kept by the api-server; only metadata rules apply). */
export function validateNamespaceUpdate(ns: Record<string, unknown>, old: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMetaUpdate(ns.metadata, old.metadata);
  validateSpecFinalizers(ns.spec, out);
  return out;
}
