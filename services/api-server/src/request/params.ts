import { badRequest, invalid, parseFieldValidation, type FieldValidation } from '@kjobs/api';
import type { DeleteOpts, ListQuery } from '../api-service.js';
import type { WriteOptions } from '../decode-rules.js';
import type { DecodedBody } from '../http/request-decoding.js';

/**
 * The one parser of request parameters, for HTTP query strings and NATS `query` objects alike, by
 * kube-apiserver's rules:
 *
 *   dryRun ∈ {All}, fieldValidation ∈ {"", Ignore, Warn, Strict}     else 422 on <Verb>Options
 *   resourceVersion: "" or an unsigned integer                        else 400 (ParseUint's message)
 *   limit, timeoutSeconds, gracePeriodSeconds: int64                  else 400 (ParseInt's message)
 *   watch, allowWatchBookmarks, orphanDependents: bool                only "0"/"false" are false
 *   labelSelector, fieldSelector, continue, propagationPolicy: text   the first value
 *
 * DeleteOptions may also come in the body (the query wins, as in kube-apiserver).
 */

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

/** A text parameter: its first value; undefined when absent. */
export function stringParam(q: QueryValues, name: string): string | undefined {
  return values(q, name)?.[0];
}

/** A list's selectors and page. */
export function listParams(q: QueryValues, namespace: string): ListQuery {
  return {
    namespace, labelSelector: stringParam(q, 'labelSelector'), fieldSelector: stringParam(q, 'fieldSelector'),
    limit: int64Param(q, 'limit'), continue: stringParam(q, 'continue'),
  };
}

/** The options of a create, update or patch: the query's dryRun and fieldValidation, what decoding the body found, a list for the warnings. */
export function writeParams(q: QueryValues, kind: OptionsKind, body: DecodedBody): WriteOptions & { warnings: string[] } {
  const { dryRun, fieldValidation } = writeQuery(q, kind);
  return { dryRun, fieldValidation, decoded: body.decoding, warnings: [] };
}

/** DeleteOptions from the query and the body (`orphanDependents` is the old spelling of propagationPolicy=Orphan). */
export function deleteParams(q: QueryValues, body: unknown): DeleteOpts {
  const b = (body && typeof body === 'object' ? body : {}) as DeleteOpts & { orphanDependents?: boolean };
  const opts: DeleteOpts = {};
  const pp = stringParam(q, 'propagationPolicy') ?? b.propagationPolicy;
  if (pp) opts.propagationPolicy = pp as DeleteOpts['propagationPolicy'];
  else if (b.orphanDependents === true || boolParam(q, 'orphanDependents')) opts.propagationPolicy = 'Orphan';
  const g = int64Param(q, 'gracePeriodSeconds') ?? b.gracePeriodSeconds;
  if (g !== undefined) opts.gracePeriodSeconds = g;
  if (b.preconditions) opts.preconditions = b.preconditions;
  const bodyDryRun = (b as { dryRun?: unknown }).dryRun;
  if (writeQuery(q, 'DeleteOptions').dryRun || (Array.isArray(bodyDryRun) && bodyDryRun.includes('All'))) opts.dryRun = true;
  return opts;
}

/** The parameters of pods/log, as text ("" is absent); logRequestFor checks them. */
export function logParams(q: QueryValues): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const k of ['container', 'follow', 'previous', 'tailLines', 'sinceSeconds', 'timestamps', 'limitBytes']) {
    const v = stringParam(q, k);
    out[k] = v === '' ? undefined : v;
  }
  return out;
}
