import {
  badRequest, decodeK8sProtobuf, invalid, JsonSyntaxError, JsonTooDeepError, parseFieldValidation, parseJsonText,
  parseYamlText, PATCH_MEDIA_TYPES, unsupportedMediaType, YamlSyntaxError, type FieldValidation,
} from '@kjobs/api';
import type { RequestDecoding } from '../decode-rules.js';
import { assertBodyDepth, MAX_BODY_DEPTH } from '../body-depth.js';
import { yamlNestsDeeperThan } from '../yaml-depth.js';

/**
 * kube-apiserver's request decoding rules, in one place:
 *
 *   body media type   POST/PUT/DELETE and subresource POSTs: application/json, application/yaml,
 *                     application/vnd.kubernetes.protobuf (none given: JSON); PATCH: the patch
 *                     types. Anything else: 415 UnsupportedMediaType naming the accepted ones.
 *   body text         malformed JSON/YAML: 400 with Go's parser message; nesting past
 *                     MAX_BODY_DEPTH: 400; repeated keys and exact number literals are kept for
 *                     the decode rules (decode-rules.ts) that run against the kind's Go type.
 *   query             dryRun ∈ {All}, fieldValidation ∈ {"", Ignore, Warn, Strict}: else 422 on
 *                     <Verb>Options; resourceVersion: "" or an unsigned integer, else 400; integer
 *                     parameters: strconv's message, 400.
 */

/** The media types an object body may have, in kube-apiserver's order. */
export const OBJECT_MEDIA_TYPES: readonly string[] = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

/** A decoded request body and what its text showed. */
export interface DecodedBody {
  /** undefined for an empty body. */
  value: unknown;
  decoding?: RequestDecoding;
}

/** The media type of a Content-Type header, lower-cased, without parameters ('' when absent). */
export function mediaTypeOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

function unsupported(accepted: readonly string[]): Error {
  return unsupportedMediaType(`the body of the request was in an unknown format - accepted media types include: ${accepted.join(', ')}`);
}

/**
 * Decode the body of a create, update, delete or subresource POST. `kind` names the expected type
 * in kube-apiserver's messages (`the object provided is unrecognized (must be of type Job)`);
 * `required` makes an empty body that error rather than undefined.
 */
export function decodeObjectBody(buf: Buffer | undefined, contentType: string | undefined, kind: string, required: boolean): DecodedBody {
  const mt = mediaTypeOf(contentType) || 'application/json';
  if (!OBJECT_MEDIA_TYPES.includes(mt)) throw unsupported(OBJECT_MEDIA_TYPES);
  const empty = !buf || buf.length === 0;
  if (empty) {
    if (required) throw unrecognized(kind, 'couldn\'t get version/kind; json parse error: unexpected end of JSON input', buf);
    return { value: undefined };
  }
  if (mt === 'application/vnd.kubernetes.protobuf') return checkedDepth({ value: decodeK8sProtobuf(buf) });
  if (mt === 'application/yaml') {
    try {
      return checkedDepth(decodeYaml(buf));
    } catch (e) {
      if (e instanceof YamlSyntaxError) throw unrecognized(kind, `error converting YAML to JSON: ${e.message}`, buf);
      throw e;
    }
  }
  try {
    return decodeJson(buf);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw unrecognized(kind, `couldn't get version/kind; json parse error: ${e.message}`, buf);
    throw e;
  }
}

/** Decode a PATCH body: JSON for the JSON, merge and strategic patch types; 415 for any other type. */
export function decodePatchBody(buf: Buffer | undefined, contentType: string | undefined): DecodedBody {
  const mt = mediaTypeOf(contentType);
  if (!PATCH_MEDIA_TYPES.includes(mt)) throw unsupported(PATCH_MEDIA_TYPES);
  if (!buf || buf.length === 0) throw badRequest('the request body of a patch must not be empty');
  try {
    return decodeJson(buf);
  } catch (e) {
    if (e instanceof JsonSyntaxError) throw badRequest(e.message);
    throw e;
  }
}

function decodeJson(buf: Buffer): DecodedBody {
  try {
    const { value, facts } = parseJsonText(buf.toString('utf8'), { maxDepth: MAX_BODY_DEPTH });
    return { value, decoding: { facts } };
  } catch (e) {
    if (e instanceof JsonTooDeepError) throw badRequest(e.message);
    throw e;
  }
}

function decodeYaml(buf: Buffer): DecodedBody {
  const text = buf.toString('utf8');
  // Measured before parsing: a deep document overflows the YAML composer's stack (and can abort the process).
  if (yamlNestsDeeperThan(text, MAX_BODY_DEPTH)) throw badRequest(`the request body is nested more than ${MAX_BODY_DEPTH} levels deep`);
  const { value, facts, duplicateLines } = parseYamlText(text);
  return { value, decoding: { facts, yamlDuplicates: duplicateLines } };
}

function checkedDepth(d: DecodedBody): DecodedBody {
  assertBodyDepth(d.value);
  return d;
}

/** kube-apiserver's transformDecodeError for a body whose kind it could not even read. */
function unrecognized(kind: string, why: string, buf: Buffer | undefined): Error {
  return badRequest(`the object provided is unrecognized (must be of type ${kind}): ${why} (${summarizeData(buf)})`);
}

/** apimachinery's summarizeData: the first 30 bytes, as text for an object, else in hex. */
export function summarizeData(buf: Buffer | undefined, max = 30): string {
  if (!buf || buf.length === 0) return '<empty>';
  const head = buf.subarray(0, max);
  const more = buf.length > max ? ' ...' : '';
  return buf[0] === 0x7b ? `${head.toString('utf8')}${more}` : `${head.toString('hex')}${more}`;
}

/** The verb whose Options a write query is validated as. */
export type OptionsKind = 'CreateOptions' | 'UpdateOptions' | 'PatchOptions' | 'DeleteOptions';

/** Query values as Express parses them (a repeated parameter is an array). */
export type QueryValues = Record<string, unknown>;

function values(q: QueryValues, name: string): string[] | undefined {
  const v = q[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).map((x) => (typeof x === 'string' ? x : String(x)));
}

/** `dryRun` and `fieldValidation` of a write, validated as ValidateCreateOptions & co. do (422 Invalid). */
export function writeQuery(q: QueryValues, kind: OptionsKind): { dryRun: boolean; fieldValidation: FieldValidation } {
  const dry = values(q, 'dryRun') ?? [];
  const causes: { reason: string; field: string; message: string }[] = [];
  if (dry.some((v) => v !== 'All')) {
    causes.push({ reason: 'FieldValueNotSupported', field: 'dryRun', message: `Unsupported value: []string{${dry.map((v) => JSON.stringify(v)).join(', ')}}: supported values: "All"` });
  }
  const fvRaw = kind === 'DeleteOptions' ? undefined : values(q, 'fieldValidation')?.[0];
  const fieldValidation = parseFieldValidation(fvRaw);
  if (!fieldValidation) {
    causes.push({ reason: 'FieldValueNotSupported', field: 'fieldValidation', message: `Unsupported value: ${JSON.stringify(fvRaw)}: supported values: "", "Ignore", "Strict", "Warn"` });
  }
  if (causes.length) throw invalid({ group: 'meta.k8s.io', kind }, '', causes);
  return { dryRun: dry.length > 0, fieldValidation: fieldValidation ?? 'Warn' };
}

/** `resourceVersion` of a get, list or watch: "" or an unsigned decimal integer (storage's ParseResourceVersion), else 400. */
export function resourceVersionParam(q: QueryValues): string | undefined {
  const rv = values(q, 'resourceVersion')?.[0];
  if (rv === undefined || rv === '' || rv === '0') return rv;
  if (!/^\d+$/.test(rv) || BigInt(rv) > 2n ** 64n - 1n) {
    const why = /^\d+$/.test(rv) ? 'value out of range' : 'invalid syntax';
    throw badRequest(`invalid resource version: resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: ${why}`);
  }
  return rv;
}

/**
 * A bool query parameter (watch, allowWatchBookmarks, orphanDependents) as apimachinery converts
 * it: absent → false; "0" or "false" in any case → false; any other value, "" included → true.
 */
export function boolParam(q: QueryValues, name: string): boolean {
  const v = values(q, name)?.[0];
  if (v === undefined) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

/** An int64 query parameter (limit, timeoutSeconds, gracePeriodSeconds) with strconv.ParseInt's message for a bad one. */
export function int64Param(q: QueryValues, name: string): number | undefined {
  const v = values(q, name)?.[0];
  if (v === undefined || v === '') return undefined;
  if (!/^[+-]?\d+$/.test(v)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  const n = BigInt(v);
  if (n > 2n ** 63n - 1n || n < -(2n ** 63n)) throw badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: value out of range`);
  if (!Number.isSafeInteger(Number(n))) throw badRequest(`invalid ${name}: ${v} is beyond the integers kjobs handles exactly`);
  return Number(n);
}
