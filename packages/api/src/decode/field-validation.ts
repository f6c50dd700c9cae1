import { badRequest, type ApiError } from '../errors.js';
import type { DuplicateKey } from './json-text.js';
import type { UnknownField } from './schema-check.js';

/** The `fieldValidation` directive of a create, update or patch. */
export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** What strict decoding found in one request, in the order kube-apiserver reports it. */
export interface StrictFindings {
  /** Ready-made messages (YAML's `line 5: key "name" already set in map`, JSON patch op fields) reported first. */
  leading?: string[];
  /** Repeated keys of the request text. */
  duplicates: DuplicateKey[];
  /** Fields the kind does not have. */
  unknown: UnknownField[];
  /**
   * 'document': duplicates and unknown fields interleaved by their place in the text (a JSON
   * create or update); 'duplicates-first': the patch's repeats, then the unknown fields of the
   * patched object as found (a patch, a YAML body).
   */
  order: 'document' | 'duplicates-first';
}

/**
 * The messages of strict decoding: `duplicate field "spec.paused"`, `unknown field "spec.bogus"`.
 * A field that is unknown is not also reported as duplicated in a document (kube-apiserver's typed
 * decoder sees it once, as unknown).
 */
export function strictMessages(f: StrictFindings): string[] {
  const unknown = f.unknown.map((u) => ({ at: u.offset, text: `unknown field "${u.path}"`, path: u.path }));
  if (f.order === 'duplicates-first') {
    return [...(f.leading ?? []), ...f.duplicates.map((d) => `duplicate field "${d.path}"`), ...unknown.map((u) => u.text)];
  }
  const isUnder = (p: string, u: string): boolean => p === u || p.startsWith(`${u}.`) || p.startsWith(`${u}[`);
  const dups = f.duplicates
    .filter((d) => !f.unknown.some((u) => isUnder(d.path, u.path)))
    .map((d) => ({ at: d.offset, text: `duplicate field "${d.path}"` }));
  return [...(f.leading ?? []), ...[...dups, ...unknown].sort((a, b) => a.at - b.at).map((x) => x.text)];
}

/**
 * Apply the directive: Strict → the 400 kube-apiserver answers (`prefix` is its "Job in version
 * "v1" cannot be handled as a Job: " for creates and updates); Warn → the messages as warnings;
 * Ignore → nothing. Returns the warnings.
 */
export function enforceFieldValidation(mode: FieldValidation, messages: string[], prefix = ''): string[] {
  if (messages.length === 0 || mode === 'Ignore') return [];
  if (mode === 'Strict') throw strictDecodingError(messages, prefix);
  return messages;
}

function strictDecodingError(messages: string[], prefix: string): ApiError {
  return badRequest(`${prefix}strict decoding error: ${messages.join(', ')}`);
}

/** The YAML repeats as one strict-decoding item, as go-yaml words it. */
export function yamlDuplicatesMessage(lines: string[]): string {
  return `yaml: unmarshal errors:\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** Parse the `fieldValidation` query value ('' → the default, Warn); undefined when not one kube-apiserver accepts. */
export function parseFieldValidation(v: string | undefined): FieldValidation | undefined {
  if (v === undefined || v === '') return 'Warn';
  return v === 'Strict' || v === 'Warn' || v === 'Ignore' ? v : undefined;
}

/** The HTTP Warning header value for one warning (RFC 7234 code 299, quoted as Go's strconv.Quote does). */
export function warningHeader(text: string): string {
  return `299 - ${JSON.stringify(text)}`;
}
