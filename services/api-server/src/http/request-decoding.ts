import {
  badRequest, decodeK8sProtobuf, JsonSyntaxError, JsonTooDeepError, parseJsonText, parseYamlText, PATCH_MEDIA_TYPES,
  unsupportedMediaType, YamlSyntaxError,
} from '@kjobs/api';
import type { RequestDecoding } from '../decode-rules.js';
import { assertBodyDepth, MAX_BODY_DEPTH } from '../body-depth.js';
import { yamlNestsDeeperThan } from '../yaml-depth.js';

/**
 * kube-apiserver's request body decoding rules, in one place (the query's are request/params.ts):
 *
 *   body media type   POST/PUT/DELETE and subresource POSTs: application/json, application/yaml,
 *                     application/vnd.kubernetes.protobuf (none given: JSON); PATCH: the patch
 *                     types. Anything else: 415 UnsupportedMediaType naming the accepted ones.
 *   body text         malformed JSON/YAML: 400 with Go's parser message; nesting past
 *                     MAX_BODY_DEPTH: 400; repeated keys and exact number literals are kept for
 *                     the decode rules (decode-rules.ts) that run against the kind's Go type.
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
