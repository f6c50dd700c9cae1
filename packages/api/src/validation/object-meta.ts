/**
 * metadata validation: `ValidateObjectMeta` / `ValidateObjectMetaUpdate` (apimachinery
 * pkg/api/validation) plus core's extra finalizer-name rule, and the label/annotation checks
 * (`metav1/validation.ValidateLabels`, `ValidateAnnotations`).
 */
import {
  child, forbidden, goQuote, index, invalid, key, required, tooLong, validateImmutable, validateNonnegative,
  type FieldCause,
} from './field-errors.js';
import { FieldReader, asRecord } from './json-fields.js';
import { dns1123LabelErrors, labelValueErrors, qualifiedNameErrors, type NameValidator } from './names.js';

/** Total size limit of all annotation keys and values (256 KiB). */
export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);
const utf8 = new TextEncoder();

/**
 * Label keys must be qualified names and values valid label values. Causes use `field` (the map's
 * path, as Kubernetes does: no key suffix); keys are checked in sorted order.
 */
export function validateLabels(labels: Record<string, string> | undefined, field = 'metadata.labels'): FieldCause[] {
  const out: FieldCause[] = [];
  for (const k of Object.keys(labels ?? {}).sort()) {
    for (const msg of qualifiedNameErrors(k)) out.push(invalid(field, k, msg));
    const v = labels![k];
    if (typeof v !== 'string') out.push(invalid(field, v ?? null, 'must be a string'));
    else for (const msg of labelValueErrors(v)) out.push(invalid(field, v, msg));
  }
  return out;
}

/** Annotation keys are qualified names (case-insensitive); all keys and values total ≤ 256 KiB. */
export function validateAnnotations(annotations: Record<string, string> | undefined, field = 'metadata.annotations'): FieldCause[] {
  const out: FieldCause[] = [];
  let size = 0;
  for (const k of Object.keys(annotations ?? {}).sort()) {
    for (const msg of qualifiedNameErrors(k.toLowerCase())) out.push(invalid(field, k, msg));
    size += utf8.encode(k).length + utf8.encode(String(annotations![k] ?? '')).length;
  }
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) out.push(tooLong(field, TOTAL_ANNOTATION_SIZE_LIMIT));
  return out;
}

function apiVersionHasVersion(apiVersion: string): boolean {
  const parts = apiVersion.split('/');
  if (parts.length === 1) return parts[0] !== '';
  return parts.length === 2 && parts[1] !== '';
}

/** Every owner reference names apiVersion, kind, name and uid; at most one is the controller. */
export function validateOwnerReferences(refs: unknown[] | undefined, field = 'metadata.ownerReferences'): FieldCause[] {
  const out: FieldCause[] = [];
  let firstController = '';
  for (const [i, raw] of (refs ?? []).entries()) {
    const r = FieldReader.of(raw, index(field, i), out);
    const apiVersion = r.str('apiVersion') ?? '';
    const kind = r.str('kind') ?? '';
    const name = r.str('name') ?? '';
    const uid = r.str('uid') ?? '';
    if (!apiVersionHasVersion(apiVersion)) out.push(invalid(child(field, 'apiVersion'), apiVersion, 'version must not be empty'));
    if (!kind) out.push(invalid(child(field, 'kind'), kind, 'kind must not be empty'));
    if (!name) out.push(invalid(child(field, 'name'), name, 'name must not be empty'));
    if (!uid) out.push(invalid(child(field, 'uid'), uid, 'uid must not be empty'));
    if (apiVersion === 'v1' && kind === 'Event') out.push(invalid(field, raw, '/v1, Kind=Event is disallowed from being an owner'));
    if (r.bool('controller') === true) {
      const current = `${kind}/${name}`;
      if (firstController) {
        out.push(invalid(field, refs, `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`));
      } else {
        firstController = current;
      }
    }
  }
  return out;
}

/** Finalizers are qualified names; one without a prefix must be a standard one ("kubernetes", ...). */
export function validateFinalizers(finalizers: string[] | undefined, field = 'metadata.finalizers'): FieldCause[] {
  const out: FieldCause[] = [];
  const list = finalizers ?? [];
  for (const f of list) for (const msg of qualifiedNameErrors(f)) out.push(invalid(field, f, msg));
  if (list.includes('orphan') && list.includes('foregroundDeletion')) {
    out.push(invalid(field, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  list.forEach((f, i) => out.push(...validateKubeFinalizerName(f, index(field, i))));
  return out;
}

/** Core's finalizer rule at one path: a qualified name, fully qualified unless standard. */
export function validateKubeFinalizerName(f: string, field: string): FieldCause[] {
  const out = qualifiedNameErrors(f).map((msg) => invalid(field, f, msg));
  if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) {
    out.push(invalid(field, f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return out;
}

/** How a kind's metadata is validated. */
export interface MetaRules {
  /** Namespaced kinds need metadata.namespace; cluster-scoped kinds must not have one. */
  namespaced: boolean;
  /** The name rule (DNS subdomain, DNS label, DNS-1035 label). */
  nameFn: NameValidator;
}

/** ValidateObjectMeta for a create. `meta` is the raw `metadata` value. */
export function validateObjectMeta(meta: unknown, rules: MetaRules, path = 'metadata'): FieldCause[] {
  const out: FieldCause[] = [];
  if (meta == null) return [required(path, '')];
  const m = FieldReader.of(meta, path, out);
  const generateName = m.str('generateName') ?? '';
  const name = m.str('name') ?? '';
  if (generateName) for (const msg of rules.nameFn(generateName, true)) out.push(invalid(m.at('generateName'), generateName, msg));
  if (!name) out.push(required(m.at('name'), 'name or generateName is required'));
  else for (const msg of rules.nameFn(name, false)) out.push(invalid(m.at('name'), name, msg));
  const namespace = m.str('namespace') ?? '';
  if (rules.namespaced) {
    if (!namespace) out.push(required(m.at('namespace'), ''));
    else for (const msg of dns1123LabelErrors(namespace)) out.push(invalid(m.at('namespace'), namespace, msg));
  } else if (namespace) {
    out.push(forbidden(m.at('namespace'), 'not allowed on this type'));
  }
  out.push(...validateNonnegative(m.int('generation') ?? 0, m.at('generation')));
  out.push(...validateMetaMaps(m));
  out.push(...validateFinalizers(m.stringList('finalizers'), m.at('finalizers')));
  return out;
}

function validateMetaMaps(m: FieldReader): FieldCause[] {
  return [
    ...validateLabels(m.stringMap('labels'), m.at('labels')),
    ...validateAnnotations(m.stringMap('annotations'), m.at('annotations')),
    ...validateOwnerReferences(m.list('ownerReferences'), m.at('ownerReferences')),
  ];
}

/**
 * ValidateObjectMetaUpdate: name, namespace and uid cannot change, generation cannot go down, no
 * new finalizers once deleting. An absent uid/generation means "keep the stored one" (the
 * api-server fills them from the old object, as Kubernetes' BeforeUpdate does).
 */
export function validateObjectMetaUpdate(meta: unknown, oldMeta: unknown, path = 'metadata'): FieldCause[] {
  const out: FieldCause[] = [];
  const m = FieldReader.of(meta, path, out);
  const o = asRecord(oldMeta) ?? {};
  if (o.deletionTimestamp) {
    const old = new Set(Array.isArray(o.finalizers) ? (o.finalizers as string[]) : []);
    const extra = [...new Set(m.stringList('finalizers') ?? [])].filter((f) => !old.has(f)).sort();
    if (extra.length) {
      out.push(forbidden(m.at('finalizers'), `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => goQuote(f)).join(', ')}}`));
    }
  }
  const generation = m.int('generation');
  if (generation !== undefined && typeof o.generation === 'number' && generation < o.generation) {
    out.push(invalid(m.at('generation'), generation, 'must not be decremented'));
  }
  out.push(...validateImmutable(m.str('name') ?? '', o.name ?? '', m.at('name')));
  out.push(...validateImmutable(m.str('namespace') ?? '', o.namespace ?? '', m.at('namespace')));
  const uid = m.str('uid');
  if (uid) out.push(...validateImmutable(uid, o.uid ?? '', m.at('uid')));
  out.push(...validateMetaMaps(m));
  return out;
}

/** ValidateHasLabel: the template must carry `key=value` (used for generated Job selectors). */
export function validateHasLabel(labels: Record<string, string> | undefined, path: string, k: string, v: string): FieldCause[] {
  const field = key(child(path, 'labels'), k);
  const actual = labels?.[k];
  if (actual === undefined) return [required(field, `must be '${v}'`)];
  if (actual !== v) return [invalid(field, labels, `must be '${v}'`)];
  return [];
}
