/**
 * core/v1 ConfigMap and Secret validation (Kubernetes 1.32 `ValidateConfigMap`,
 * `ValidateConfigMapUpdate`, `ValidateSecret`, `ValidateSecretUpdate`): key names, the 1 MiB total,
 * the per-type required keys of a Secret, and `immutable`. Secret `stringData` never reaches here:
 * defaulting merges it into `data` first, as the v1 → internal conversion does.
 */
import { child, forbidden, invalid, key, required, tooLong, validateImmutable, type FieldCause } from './field-errors.js';
import { asRecord } from './json-fields.js';
import { maxLenError, nameIsDNSSubdomain, regexError } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './object-meta.js';

/** core.MaxSecretSize: the most bytes of data a ConfigMap or Secret may hold. */
export const MAX_SECRET_SIZE = 1024 * 1024;

const CONFIG_MAP_KEY_FMT = '[-._a-zA-Z0-9]+';
const CONFIG_MAP_KEY_RE = new RegExp(`^${CONFIG_MAP_KEY_FMT}$`);
const IMMUTABLE_MSG = 'field is immutable when `immutable` is set';

type Obj = Record<string, unknown>;

/** validation.IsConfigMapKey: the messages for a bad ConfigMap/Secret key (also a projected file name). */
export function configMapKeyErrors(k: string): string[] {
  const errs: string[] = [];
  if (k.length > 253) errs.push(maxLenError(253));
  if (!CONFIG_MAP_KEY_RE.test(k)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", CONFIG_MAP_KEY_FMT, 'key.name', 'KEY_NAME', 'key-name'));
  }
  if (k === '.') errs.push("must not be '.'");
  else if (k === '..') errs.push("must not be '..'");
  else if (k.startsWith('..')) errs.push("must not start with '..'");
  return errs;
}

/** The bytes of a base64 value (the stored form of Secret data and ConfigMap binaryData). */
export function base64Length(v: unknown): number {
  return typeof v === 'string' ? Buffer.from(v, 'base64').length : 0;
}

function sortedKeys(m: Obj | undefined): string[] {
  return m ? Object.keys(m).sort() : [];
}

/** A new ConfigMap. */
export function validateConfigMap(cm: Obj): FieldCause[] {
  const out = validateObjectMeta(cm.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const data = asRecord(cm.data);
  const binary = asRecord(cm.binaryData);
  let total = 0;
  for (const k of sortedKeys(data)) {
    for (const m of configMapKeyErrors(k)) out.push(invalid(key('data', k), k, m));
    if (binary && k in binary) out.push(invalid(key('data', k), k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(String(data![k] ?? ''), 'utf8');
  }
  for (const k of sortedKeys(binary)) {
    for (const m of configMapKeyErrors(k)) out.push(invalid(key('binaryData', k), k, m));
    total += base64Length(binary![k]);
  }
  if (total > MAX_SECRET_SIZE) out.push(tooLong('', MAX_SECRET_SIZE));
  return out;
}

function immutableCauses(obj: Obj, old: Obj, fields: string[]): FieldCause[] {
  if (old.immutable !== true) return [];
  const out: FieldCause[] = [];
  if (obj.immutable !== true) out.push(forbidden('immutable', IMMUTABLE_MSG));
  for (const f of fields) {
    if (!sameMap(obj[f], old[f])) out.push(forbidden(f, IMMUTABLE_MSG));
  }
  return out;
}

function sameMap(a: unknown, b: unknown): boolean {
  const x = asRecord(a) ?? {};
  const y = asRecord(b) ?? {};
  const kx = Object.keys(x);
  return kx.length === Object.keys(y).length && kx.every((k) => k in y && x[k] === y[k]);
}

/** An updated ConfigMap: metadata rules, then `immutable` freezes data and binaryData. */
export function validateConfigMapUpdate(cm: Obj, old: Obj): FieldCause[] {
  const out = validateObjectMetaUpdate(cm.metadata, old.metadata);
  out.push(...immutableCauses(cm, old, ['data', 'binaryData']));
  out.push(...validateConfigMap(cm));
  return out;
}

/** The keys each well-known Secret type requires (ValidateSecret's switch). */
function secretTypeCauses(type: string, data: Obj, annotations: Obj | undefined): FieldCause[] {
  const has = (k: string): boolean => k in data;
  switch (type) {
    case 'kubernetes.io/service-account-token':
      return annotations?.['kubernetes.io/service-account.name'] ? [] : [required(key(child('metadata', 'annotations'), 'kubernetes.io/service-account.name'))];
    case 'kubernetes.io/dockercfg':
      return jsonKeyCauses(data, '.dockercfg');
    case 'kubernetes.io/dockerconfigjson':
      return jsonKeyCauses(data, '.dockerconfigjson');
    case 'kubernetes.io/basic-auth':
      return has('username') || has('password') ? [] : [required(key('data', 'username')), required(key('data', 'password'))];
    case 'kubernetes.io/ssh-auth':
      return base64Length(data['ssh-privatekey']) > 0 ? [] : [required(key('data', 'ssh-privatekey'))];
    case 'kubernetes.io/tls':
      return [
        ...(has('tls.crt') ? [] : [required(key('data', 'tls.crt'))]),
        ...(has('tls.key') ? [] : [required(key('data', 'tls.key'))]),
      ];
    default:
      return [];
  }
}

function jsonKeyCauses(data: Obj, k: string): FieldCause[] {
  if (!(k in data)) return [required(key('data', k))];
  const text = typeof data[k] === 'string' ? Buffer.from(data[k], 'base64').toString('utf8') : '';
  try {
    const v: unknown = JSON.parse(text);
    if (asRecord(v)) return [];
    return [invalid(key('data', k), '<secret contents redacted>', 'json: cannot unmarshal into Go value of type map[string]interface {}')];
  } catch (e) {
    return [invalid(key('data', k), '<secret contents redacted>', (e as Error).message)];
  }
}

/** A new Secret (after defaulting: `type` set, `stringData` merged into `data`). */
export function validateSecret(s: Obj): FieldCause[] {
  const out = validateObjectMeta(s.metadata, { namespaced: true, nameFn: nameIsDNSSubdomain });
  const data = asRecord(s.data) ?? {};
  let total = 0;
  for (const k of sortedKeys(data)) {
    for (const m of configMapKeyErrors(k)) out.push(invalid(key('data', k), k, m));
    total += base64Length(data[k]);
  }
  if (total > MAX_SECRET_SIZE) out.push(tooLong('data', MAX_SECRET_SIZE));
  const type = typeof s.type === 'string' ? s.type : '';
  out.push(...secretTypeCauses(type, data, asRecord(asRecord(s.metadata)?.annotations)));
  return out;
}

/** An updated Secret: `type` never changes; `immutable` freezes `data`. */
export function validateSecretUpdate(s: Obj, old: Obj): FieldCause[] {
  const out = validateObjectMetaUpdate(s.metadata, old.metadata);
  out.push(...validateImmutable(s.type, old.type, 'type'));
  out.push(...immutableCauses(s, old, ['data']));
  out.push(...validateSecret(s));
  return out;
}
