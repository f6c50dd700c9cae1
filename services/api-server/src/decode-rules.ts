import {
  badRequest, checkAgainstSchema, DecodeTypeError, enforceFieldValidation, strictMessages, yamlDuplicatesMessage,
  type DecodeFacts, type FieldValidation, type KObject, type ResourceInfo, type UnknownField,
} from '@kjobs/api';

/** Options of a create, update or patch (kube-apiserver's CreateOptions/UpdateOptions/PatchOptions). */
export interface WriteOptions {
  /** `dryRun=All`: decode, default, validate and answer; store, publish and start nothing. */
  dryRun?: boolean;
  /** Unknown and repeated fields: Strict → 400, Warn (the default) → warnings, Ignore → silence. Dropped either way. */
  fieldValidation?: FieldValidation;
  /** What decoding the request text found (repeated keys, exact number literals); absent for NATS requests. */
  decoded?: RequestDecoding;
  /** Receives the warnings of a successful write (the HTTP front end sends them as `Warning` headers). */
  warnings?: string[];
}

/** The facts of one decoded request body. */
export interface RequestDecoding {
  facts: DecodeFacts;
  /** Set for a YAML body: its repeated keys in go-yaml's words. */
  yamlDuplicates?: string[];
}

/**
 * Decode rules for a whole object (create, update, status update), as kube-apiserver's typed
 * decoder applies them before anything else: a value its Go field cannot hold is a 400; unknown
 * fields are removed from `body` and, with repeated keys, answered by the fieldValidation
 * directive. Returns the warnings.
 */
export function checkObjectFields(res: ResourceInfo, body: unknown, opts: WriteOptions): string[] {
  const prefix = `${res.kind} in version "${res.version}" cannot be handled as a ${res.kind}: `;
  const yaml = opts.decoded?.yamlDuplicates;
  const unknown = decodeChecked(prefix, () => checkAgainstSchema(res.kind, body, { facts: opts.decoded?.facts, sortKeys: yaml !== undefined }));
  const mode = opts.fieldValidation ?? 'Warn';
  if (yaml !== undefined) {
    // A YAML body: go-yaml's repeats (one item when strict, a warning each otherwise), then the unknown fields.
    const unknownMessages = strictMessages({ duplicates: [], unknown, order: 'duplicates-first' });
    const leading = yaml.length === 0 ? [] : mode === 'Strict' ? [yamlDuplicatesMessage(yaml)] : yaml;
    return enforceFieldValidation(mode, [...leading, ...unknownMessages], prefix);
  }
  const messages = strictMessages({ duplicates: opts.decoded?.facts.duplicates ?? [], unknown, order: 'document' });
  return enforceFieldValidation(mode, messages, prefix);
}

/**
 * Decode rules for a patch: the patch's own values must fit their fields, a JSON patch's operations
 * may hold only op/path/value/from, and the patched object's unknown fields (removed from
 * `patched`) and the patch's repeated keys are answered by the directive. Returns the warnings.
 */
export function checkPatchedFields(res: ResourceInfo, contentType: string, patch: unknown, patched: KObject, opts: WriteOptions): string[] {
  const isJsonPatch = contentType.split(';')[0]!.trim() === 'application/json-patch+json';
  const facts = opts.decoded?.facts;
  let leading: string[] = [];
  let duplicates = facts?.duplicates ?? [];
  if (isJsonPatch) {
    leading = jsonPatchOpFindings(patch, facts);
    duplicates = [];
  } else {
    decodeChecked('', () => checkAgainstSchema(res.kind, patch, { facts, patchDirectives: true, prune: false }));
  }
  const unknown = decodeChecked('', () => checkAgainstSchema(res.kind, patched, { sortKeys: true }));
  const messages = strictMessages({ leading, duplicates, unknown, order: 'duplicates-first' });
  return enforceFieldValidation(opts.fieldValidation ?? 'Warn', messages);
}

const JSON_PATCH_OP_FIELDS = new Set(['op', 'path', 'value', 'from']);

/** `json patch unknown field "[0].foo"`, `json patch duplicate field "[1].path"`, in document order. */
function jsonPatchOpFindings(patch: unknown, facts: DecodeFacts | undefined): string[] {
  if (!Array.isArray(patch)) return [];
  const found: { at: number; text: string }[] = [];
  patch.forEach((op, i) => {
    if (op === null || typeof op !== 'object' || Array.isArray(op)) return;
    const offsets = facts?.keyOffsets.get(op);
    for (const k of Object.keys(op)) {
      if (!JSON_PATCH_OP_FIELDS.has(k)) found.push({ at: offsets?.get(k) ?? 0, text: `json patch unknown field "[${i}].${k}"` });
    }
  });
  for (const d of facts?.duplicates ?? []) {
    if (/^\[\d+\]\.[^.[]+$/.test(d.path)) found.push({ at: d.offset, text: `json patch duplicate field "${d.path}"` });
  }
  return found.sort((a, b) => a.at - b.at).map((f) => f.text);
}

function decodeChecked(prefix: string, check: () => UnknownField[]): UnknownField[] {
  try {
    return check();
  } catch (e) {
    if (e instanceof DecodeTypeError) throw badRequest(`${prefix}${e.message}`);
    throw e;
  }
}
