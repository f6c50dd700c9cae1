/** core/v1 Node validation: a DNS subdomain name, unique well-formed taints, valid resource lists. */
import { duplicate, index, invalid, notSupported, required, type FieldCause } from './field-errors.js';
import { FieldReader } from './json-fields.js';
import { labelValueErrors, nameIsDNSSubdomain, qualifiedNameErrors } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';
import { quantityError } from './quantity.js';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function validateTaints(list: unknown[] | undefined, path: string, out: FieldCause[]): void {
  const seen = new Set<string>();
  (list ?? []).forEach((raw, i) => {
    const t = FieldReader.of(raw, index(path, i), out);
    const k = t.str('key') ?? '';
    for (const m of qualifiedNameErrors(k)) out.push(invalid(t.at('key'), k, m));
    const value = t.str('value') ?? '';
    const valueErrs = labelValueErrors(value);
    if (valueErrs.length) out.push(invalid(t.at('value'), value, valueErrs.join(';')));
    const effect = t.str('effect') ?? '';
    if (!effect) out.push(required(t.at('effect'), ''));
    else if (!TAINT_EFFECTS.includes(effect)) out.push(notSupported(t.at('effect'), effect, TAINT_EFFECTS));
    const id = `${effect}\u0000${k}`;
    if (seen.has(id)) out.push(duplicate(t.path, t.obj, 'taints must be unique by key and effect pair'));
    seen.add(id);
  });
}

function validateResourceList(list: Record<string, string> | undefined, path: string, out: FieldCause[]): void {
  for (const name of Object.keys(list ?? {}).sort()) {
    const q = list![name]!;
    const err = quantityError(q);
    if (err) out.push(invalid(`${path}[${name}]`, q, err));
    for (const m of qualifiedNameErrors(name)) out.push(invalid(`${path}[${name}]`, name, m));
  }
}

function validateNodeFields(node: Record<string, unknown>, out: FieldCause[]): void {
  const spec = FieldReader.of(node.spec, 'spec', out);
  validateTaints(spec.list('taints'), spec.at('taints'), out);
  spec.bool('unschedulable');
  const status = FieldReader.of(node.status, 'status', out);
  validateResourceList(status.stringMap('capacity'), status.at('capacity'), out);
  validateResourceList(status.stringMap('allocatable'), status.at('allocatable'), out);
}

/** A new Node. */
export function validateNode(node: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMeta(node.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain });
  validateNodeFields(node, out);
  return out;
}

/** An updated Node. */
export function validateNodeUpdate(node: Record<string, unknown>, old: Record<string, unknown>): FieldCause[] {
  const out = validateObjectMetaUpdate(node.metadata, old.metadata);
  validateNodeFields(node, out);
  return out;
}
