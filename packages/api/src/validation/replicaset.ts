/**
 * apps/v1 ReplicaSet validation (Kubernetes 1.32 `ValidateReplicaSet` / `ValidateReplicaSetUpdate`):
 * a non-empty selector matching the template labels, replicas ≥ 0, restartPolicy Always.
 */
import { invalid, notSupported, required, validateImmutable, validateNonnegative, type FieldCause } from './field-errors.js';
import { FieldReader, asRecord } from './json-fields.js';
import { isEmptySelector, selectorMatches, validateLabelSelector } from './label-selector.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validatePodTemplateSpec } from './pod-spec.js';

function validateReplicaSetSpec(raw: unknown, out: FieldCause[]): void {
  const s = FieldReader.of(raw, 'spec', out);
  out.push(...validateNonnegative(s.int('replicas') ?? 0, s.at('replicas')));
  out.push(...validateNonnegative(s.int('minReadySeconds') ?? 0, s.at('minReadySeconds')));
  const selector = s.obj.selector;
  if (selector == null) out.push(required(s.at('selector'), ''));
  else {
    out.push(...validateLabelSelector(selector, s.at('selector')));
    if (isEmptySelector(selector)) out.push(invalid(s.at('selector'), selector, 'empty selector is invalid for deployment'));
  }
  const template = asRecord(s.obj.template) ?? {};
  const labels = asRecord(asRecord(template.metadata)?.labels) as Record<string, string> | undefined;
  if (selector != null && !isEmptySelector(selector) && selectorMatches(selector, labels) === false) {
    out.push(invalid(`${s.at('template')}.metadata.labels`, labels ?? null, '`selector` does not match template `labels`'));
  }
  validatePodTemplateSpec(s.obj.template, s.at('template'), out);
  const podSpec = asRecord(template.spec) ?? {};
  const policy = podSpec.restartPolicy ?? '';
  if (policy !== 'Always') out.push(notSupported(`${s.at('template')}.spec.restartPolicy`, policy, ['Always']));
  if (podSpec.activeDeadlineSeconds != null) {
    out.push(invalid(`${s.at('template')}.spec.activeDeadlineSeconds`, podSpec.activeDeadlineSeconds, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
}

/** A new ReplicaSet. */
export function validateReplicaSet(rs: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMeta(rs.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  validateReplicaSetSpec(rs.spec, out);
  return out;
}

/** An updated ReplicaSet: valid as new, and the selector never changes (apps/v1). */
export function validateReplicaSetUpdate(rs: Record<string, unknown>, old: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMetaUpdate(rs.metadata, old.metadata);
  validateReplicaSetSpec(rs.spec, out);
  out.push(...validateImmutable(asRecord(rs.spec)?.selector, asRecord(old.spec)?.selector, 'spec.selector'));
  return out;
}
