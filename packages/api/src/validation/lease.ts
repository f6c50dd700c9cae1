/** coordination.k8s.io/v1 Lease validation: a DNS subdomain name, positive duration, transitions ≥ 0. */
import { invalid, type FieldCause } from './field-errors.js';
import { FieldReader } from './json-fields.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

function validateLeaseSpec(raw: unknown, out: FieldCause[]): void {
  const s = FieldReader.of(raw, 'spec', out);
  const duration = s.int('leaseDurationSeconds');
  if (duration !== undefined && duration <= 0) out.push(invalid(s.at('leaseDurationSeconds'), duration, 'must be greater than 0'));
  const transitions = s.int('leaseTransitions');
  if (transitions !== undefined && transitions < 0) out.push(invalid(s.at('leaseTransitions'), transitions, 'must be greater than or equal to 0'));
  s.str('holderIdentity');
  s.str('acquireTime');
  s.str('renewTime');
}

/** A new Lease. */
export function validateLease(lease: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMeta(lease.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  validateLeaseSpec(lease.spec, out);
  return out;
}

/** An updated Lease. */
export function validateLeaseUpdate(lease: Record<string, unknown>, old: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMetaUpdate(lease.metadata, old.metadata);
  validateLeaseSpec(lease.spec, out);
  return out;
}
