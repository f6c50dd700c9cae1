import { ApiError, badRequest, tooLarge } from '../errors.js';
import { cloneJson, hasKey, isJsonObject, jsonEqual, setKey, type Json, type JsonObject } from './json-value.js';

/** The media type of an RFC 6902 JSON patch (`kubectl patch --type=json`). */
export const JSON_PATCH_MEDIA_TYPE = 'application/json-patch+json';

/** kube-apiserver refuses JSON patches with more operations than this (413). */
export const MAX_JSON_PATCH_OPERATIONS = 10000;

/** One RFC 6902 operation. */
export type JsonPatchOperation =
  | { op: 'add' | 'replace' | 'test'; path: string; value: unknown }
  | { op: 'remove'; path: string }
  | { op: 'move' | 'copy'; from: string; path: string };

const OPS = new Set(['add', 'remove', 'replace', 'move', 'copy', 'test']);

/** 422 Invalid: an operation that is well formed but does not apply to this document. */
function opFailed(message: string): ApiError {
  return new ApiError(422, 'Invalid', message);
}

/**
 * Parse an RFC 6901 JSON pointer into unescaped reference tokens ("" is the whole document).
 * Throws 400 BadRequest on a pointer that does not start with "/" or has a bad "~" escape.
 */
export function parseJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw badRequest(`json patch: invalid JSON pointer "${pointer}": it must be empty or start with "/"`);
  return pointer.slice(1).split('/').map((token) => {
    if (/~[^01]|~$/.test(token)) throw badRequest(`json patch: invalid JSON pointer "${pointer}": "~" must be followed by 0 or 1`);
    return token.replace(/~1/g, '/').replace(/~0/g, '~');
  });
}

/** Validate the patch document's shape; 400 when it is not a list of well-formed operations. */
function validateOperations(ops: unknown): JsonPatchOperation[] {
  if (!Array.isArray(ops)) throw badRequest('json patch: the patch document must be a JSON array of operations');
  if (ops.length > MAX_JSON_PATCH_OPERATIONS) {
    throw tooLarge(`The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${ops.length}`);
  }
  ops.forEach((op: unknown, i) => {
    const where = `json patch: operation ${i}`;
    if (!isJsonObject(op)) throw badRequest(`${where} is not an object`);
    if (typeof op.op !== 'string' || !OPS.has(op.op)) throw badRequest(`${where} has an unknown "op": ${JSON.stringify(op.op ?? null)}`);
    if (typeof op.path !== 'string') throw badRequest(`${where} (${op.op}) is missing a string "path"`);
    parseJsonPointer(op.path);
    if ((op.op === 'add' || op.op === 'replace' || op.op === 'test') && !hasKey(op, 'value')) {
      throw badRequest(`${where} (${op.op} ${op.path}) is missing "value"`);
    }
    if (op.op === 'move' || op.op === 'copy') {
      if (typeof op.from !== 'string') throw badRequest(`${where} (${op.op}) is missing a string "from"`);
      parseJsonPointer(op.from);
    }
  });
  return ops as JsonPatchOperation[];
}

type Container = JsonObject | Json[];

/** Resolve all but the last token: the container the operation acts on, and the last token. */
function parentOf(doc: Json, tokens: string[], op: string, path: string): { parent: Container; last: string } {
  let cur: Json = doc;
  for (const token of tokens.slice(0, -1)) {
    const next = childOf(cur, token);
    if (next === undefined) throw opFailed(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    cur = next;
  }
  if (!isJsonObject(cur) && !Array.isArray(cur)) {
    throw opFailed(`${op} operation does not apply: "${path}": the parent is not an object or array`);
  }
  return { parent: cur, last: tokens[tokens.length - 1]! };
}

function arrayIndex(token: string, length: number, allowEnd: boolean): number | undefined {
  if (allowEnd && token === '-') return length;
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const i = Number(token);
  return i < length || (allowEnd && i === length) ? i : undefined;
}

function childOf(cur: Json, token: string): Json | undefined {
  if (Array.isArray(cur)) {
    const i = arrayIndex(token, cur.length, false);
    return i === undefined ? undefined : cur[i];
  }
  if (isJsonObject(cur)) return hasKey(cur, token) ? cur[token] : undefined;
  return undefined;
}

function getValue(doc: Json, path: string, op: string): Json {
  let cur: Json | undefined = doc;
  for (const token of parseJsonPointer(path)) {
    cur = cur === undefined ? undefined : childOf(cur, token);
  }
  if (cur === undefined) throw opFailed(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  return cur;
}

/** Add `value` at `path`; returns the new document (a new root when path is ""). */
function addValue(doc: Json, path: string, value: Json, op: string): Json {
  const tokens = parseJsonPointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, true);
    if (i === undefined) throw opFailed(`${op} operation does not apply: "${path}": invalid index referenced: ${last}`);
    parent.splice(i, 0, value);
  } else {
    setKey(parent, last, value);
  }
  return doc;
}

function removeValue(doc: Json, path: string, op: string): Json {
  const tokens = parseJsonPointer(path);
  if (tokens.length === 0) throw opFailed(`${op} operation does not apply: the whole document cannot be removed`);
  const { parent, last } = parentOf(doc, tokens, op, path);
  if (Array.isArray(parent)) {
    const i = arrayIndex(last, parent.length, false);
    if (i === undefined) throw opFailed(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
    return parent.splice(i, 1)[0]!;
  }
  if (!hasKey(parent, last)) throw opFailed(`${op} operation does not apply: doc is missing path: "${path}": missing value`);
  const old = parent[last]!;
  delete parent[last];
  return old;
}

function applyOne(doc: Json, o: JsonPatchOperation): Json {
  switch (o.op) {
    case 'add':
      return addValue(doc, o.path, cloneJson(o.value as Json), 'add');
    case 'remove':
      removeValue(doc, o.path, 'remove');
      return doc;
    case 'replace':
      getValue(doc, o.path, 'replace');
      if (o.path === '') return cloneJson(o.value as Json);
      removeValue(doc, o.path, 'replace');
      return addValue(doc, o.path, cloneJson(o.value as Json), 'replace');
    case 'move': {
      if (o.path !== o.from && o.path.startsWith(`${o.from}/`)) {
        throw opFailed(`move operation does not apply: "from" ${o.from} is a prefix of "path" ${o.path}`);
      }
      getValue(doc, o.from, 'move');
      const value = o.from === '' ? doc : removeValue(doc, o.from, 'move');
      return addValue(o.from === '' ? null : doc, o.path, value, 'move');
    }
    case 'copy':
      return addValue(doc, o.path, cloneJson(getValue(doc, o.from, 'copy')), 'copy');
    case 'test':
      if (!jsonEqual(getValue(doc, o.path, 'test'), o.value)) throw opFailed(`testing value ${o.path} failed: test failed`);
      return doc;
  }
}

/**
 * Apply an RFC 6902 JSON patch: add / remove / replace / move / copy / test with RFC 6901 pointers
 * (`~0` = "~", `~1` = "/", "-" = past the end of an array for add). All or nothing: returns a new
 * document and never mutates `target` or `ops`.
 *
 * Errors: 400 BadRequest for a malformed patch document, 413 beyond 10000 operations (as
 * kube-apiserver), 422 Invalid when an operation does not apply (missing path, failed test...).
 */
export function applyJsonPatch(target: unknown, ops: unknown): unknown {
  let doc = cloneJson(target) as Json;
  for (const o of validateOperations(ops)) doc = applyOne(doc, o);
  return doc;
}
