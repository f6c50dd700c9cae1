/**
 * Pod validation: create (`ValidatePodCreate`), update (`ValidatePodUpdate`: only images,
 * activeDeadlineSeconds, added tolerations and a negative grace period fixed to 1 may change) and
 * status update (`ValidatePodStatusUpdate`: nodeName fixed, terminated containers stay terminated).
 */
import { deepEqual, forbidden, index, invalid, required, type FieldCause } from './field-errors.js';
import { asRecord } from './json-fields.js';
import { inclusiveRangeError, nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { validatePodSpec } from './pod-spec.js';

const MAX_INT32 = 2147483647;

/** The fields a Pod update may change, as Kubernetes lists them in its Forbidden message. */
export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

/** A new Pod: metadata (DNS subdomain name), spec; ephemeral containers only via their subresource. */
export function validatePod(pod: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMeta(pod.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  validatePodSpec(pod.spec, 'spec', out);
  const ephemeral = asRecord(pod.spec)?.ephemeralContainers;
  if (Array.isArray(ephemeral) && ephemeral.length > 0) out.push(forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  return out;
}

function containers(spec: Record<string, unknown>, name: string): Record<string, unknown>[] {
  const v = spec[name];
  return Array.isArray(v) ? v.map((c) => asRecord(c) ?? {}) : [];
}

function validateContainerUpdates(spec: Record<string, unknown>, old: Record<string, unknown>, name: string, out: FieldCause[]): boolean {
  const now = containers(spec, name);
  const before = containers(old, name);
  if (now.length !== before.length) {
    out.push(forbidden(`spec.${name}`, 'pod updates may not add or remove containers'));
    return false;
  }
  now.forEach((c, i) => {
    if (!c.image) out.push(required(`${index(`spec.${name}`, i)}.image`, ''));
  });
  return true;
}

/** Old tolerations must all still be there (only additions are allowed). */
function onlyAddedTolerations(now: unknown, before: unknown): boolean {
  const n = Array.isArray(now) ? now : [];
  const b = Array.isArray(before) ? before : [];
  return b.every((t) => n.some((x) => deepEqual(x, t)));
}

/** An update of a Pod: the new object is valid and its spec differs only where Kubernetes allows. */
export function validatePodUpdate(pod: Record<string, unknown>, old: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMetaUpdate(pod.metadata, old.metadata);
  validatePodSpec(pod.spec, 'spec', out);
  const spec = asRecord(pod.spec) ?? {};
  const oldSpec = asRecord(old.spec) ?? {};
  const sameShape = validateContainerUpdates(spec, oldSpec, 'containers', out) && validateContainerUpdates(spec, oldSpec, 'initContainers', out);
  if (!sameShape) return out;
  const ads = spec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (typeof ads === 'number') {
    if (ads < 0 || ads > MAX_INT32) return [...out, invalid('spec.activeDeadlineSeconds', ads, inclusiveRangeError(0, MAX_INT32))];
    if (typeof oldAds === 'number' && oldAds < ads) return [...out, invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
  } else if (typeof oldAds === 'number') {
    out.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  if (deepEqual(spec, oldSpec)) return out;
  const munged: Record<string, unknown> = { ...spec, activeDeadlineSeconds: oldSpec.activeDeadlineSeconds };
  for (const name of ['containers', 'initContainers']) {
    const before = containers(oldSpec, name);
    if (Array.isArray(spec[name])) munged[name] = containers(spec, name).map((c, i) => ({ ...c, image: before[i]?.image }));
  }
  if (onlyAddedTolerations(spec.tolerations, oldSpec.tolerations)) munged.tolerations = oldSpec.tolerations;
  const grace = spec.terminationGracePeriodSeconds;
  const oldGrace = oldSpec.terminationGracePeriodSeconds;
  if (typeof oldGrace === 'number' && oldGrace < 0 && grace === 1) munged.terminationGracePeriodSeconds = oldGrace;
  if (!deepEqual(munged, oldSpec)) {
    out.push(forbidden('spec', `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}`));
  }
  return out;
}

function terminatedByName(statuses: unknown): Map<string, Record<string, unknown>> {
  const m = new Map<string, Record<string, unknown>>();
  for (const s of Array.isArray(statuses) ? statuses : []) {
    const r = asRecord(s);
    const term = asRecord(asRecord(r?.state)?.terminated);
    if (r && typeof r.name === 'string' && term) m.set(r.name, term);
  }
  return m;
}

/**
 * A Pod `/status` write: metadata rules, nodeName unchanged, and with restartPolicy Never (or
 * OnFailure after exit 0) a terminated container may not go back to running or waiting.
 */
export function validatePodStatusUpdate(pod: Record<string, unknown>, old: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMetaUpdate(pod.metadata, old.metadata);
  const spec = asRecord(pod.spec) ?? {};
  const oldSpec = asRecord(old.spec) ?? {};
  if ((spec.nodeName ?? '') !== (oldSpec.nodeName ?? '')) out.push(forbidden('status.nodeName', 'may not be changed directly'));
  const policy = oldSpec.restartPolicy;
  if (policy === 'Always') return out;
  for (const list of ['containerStatuses', 'initContainerStatuses']) {
    if (list === 'initContainerStatuses' && policy !== 'Never') continue;
    const before = terminatedByName(asRecord(old.status)?.[list]);
    const now = asRecord(pod.status)?.[list];
    (Array.isArray(now) ? now : []).forEach((s, i) => {
      const r = asRecord(s) ?? {};
      const was = before.get(String(r.name));
      if (!was || asRecord(asRecord(r.state)?.terminated)) return;
      if (policy === 'Never' || was.exitCode === 0) {
        out.push(forbidden(index(`status.${list}`, i), 'may not be transitioned to non-terminated state'));
      }
    });
  }
  return out;
}
