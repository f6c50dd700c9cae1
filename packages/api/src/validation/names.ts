/**
 * Name and format checks from `k8s.io/apimachinery/pkg/util/validation` (Kubernetes 1.32). Each
 * `*Errors` function returns Kubernetes' message strings (empty when valid); the `is*` predicates
 * are the boolean form for defensive checks, e.g. before a name becomes part of a Redis key.
 */

const dns1123LabelFmt = '[a-z0-9]([-a-z0-9]*[a-z0-9])?';
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = '[a-z]([-a-z0-9]*[a-z0-9])?';
const qualifiedNameFmt = '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]';
const labelValueFmt = `(${qualifiedNameFmt})?`;
const httpHeaderNameFmt = '[-A-Za-z0-9]+';
const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";

const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1035LabelRe = new RegExp(`^${dns1035LabelFmt}$`);
const qualifiedNameRe = new RegExp(`^${qualifiedNameFmt}$`);
const labelValueRe = new RegExp(`^${labelValueFmt}$`);
const httpHeaderNameRe = new RegExp(`^${httpHeaderNameFmt}$`);
const httpPathRe = new RegExp(`^${httpPathFmt}$`);

const qualifiedNameErrMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** `must be no more than N characters`. */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** Kubernetes' regex failure text: `msg (e.g. 'a' or 'b', regex used for validation is 'fmt')`. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join('or ')}regex used for validation is '${fmt}')`;
}

/** `must be between lo and hi, inclusive`. */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** Messages for a DNS-1123 label (max 63): container names, namespaces, hostnames. */
export function dns1123LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!dns1123LabelRe.test(value)) {
    if (dns1123SubdomainRe.test(value)) errs.push('must not contain dots');
    else errs.push(regexError('a lowercase RFC 1123 label must consist of lower case alphanumeric characters or \'-\', and must start and end with an alphanumeric character', dns1123LabelFmt, 'my-name', '123-abc'));
  }
  return errs;
}

/** Messages for a DNS-1123 subdomain (max 253): most object names. */
export function dns1123SubdomainErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainRe.test(value)) {
    errs.push(regexError("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character", dns1123SubdomainFmt, 'example.com'));
  }
  return errs;
}

/** Messages for a DNS-1035 label (max 63, starts with a letter): Service names. */
export function dns1035LabelErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!dns1035LabelRe.test(value)) {
    errs.push(regexError("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character", dns1035LabelFmt, 'my-name', 'abc-123'));
  }
  return errs;
}

/** Messages for a qualified name (`[prefix/]name`): label keys, annotation keys, finalizers. */
export function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split('/');
  let name: string;
  if (parts.length === 1) {
    name = parts[0]!;
  } else if (parts.length === 2) {
    const prefix = parts[0]!;
    name = parts[1]!;
    if (prefix.length === 0) errs.push('prefix part must be non-empty');
    else errs.push(...dns1123SubdomainErrors(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [`a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`];
  }
  if (name.length === 0) errs.push('name part must be non-empty');
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!qualifiedNameRe.test(name)) errs.push(`name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, 'MyName', 'my.name', '123-abc')}`);
  return errs;
}

/** Messages for a label value (empty allowed, max 63). */
export function labelValueErrors(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(value)) {
    errs.push(regexError("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character", labelValueFmt, 'MyValue', 'my_value', '12345'));
  }
  return errs;
}

/** Messages for a port number (1..65535). */
export function portNumErrors(port: number): string[] {
  return Number.isInteger(port) && port >= 1 && port <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

/** Messages for an IANA_SVC_NAME port name (≤15 chars, a-z0-9-, at least one letter). */
export function portNameErrors(port: string): string[] {
  const errs: string[] = [];
  if (port.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(port)) errs.push('must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)');
  if (!/[a-z]/.test(port)) errs.push('must contain at least one letter (a-z)');
  if (port.includes('--')) errs.push('must not contain consecutive hyphens');
  if (port.length > 0 && (port.startsWith('-') || port.endsWith('-'))) errs.push('must not begin or end with a hyphen');
  return errs;
}

/**
 * Messages for an environment variable name. Kubernetes 1.32 has RelaxedEnvironmentVariableValidation
 * on (beta): any printable ASCII except '='.
 */
export function envVarNameErrors(value: string): string[] {
  if (value.length === 0) return ['environment variable name must be non-empty'];
  for (const ch of value) {
    const c = ch.codePointAt(0)!;
    if (c > 0x7e || c < 0x20 || ch === '=') return ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
  }
  return [];
}

/** Messages for an HTTP header name. */
export function httpHeaderNameErrors(value: string): string[] {
  return httpHeaderNameRe.test(value) ? [] : [regexError("a valid HTTP header must consist of alphanumeric characters or '-'", httpHeaderNameFmt, 'X-Header-Name')];
}

/** One problem with a domain-prefixed path (`acme.io/foo`): the bad part and the message. */
export interface DomainPathError {
  value: string;
  message: string;
}

/** Problems with a domain-prefixed path such as Job `spec.managedBy`; empty is the caller's Required. */
export function domainPrefixedPathErrors(value: string): DomainPathError[] {
  const i = value.indexOf('/');
  const host = i < 0 ? value : value.slice(0, i);
  const path = i < 0 ? '' : value.slice(i + 1);
  if (i < 0 || !host || !path) return [{ value, message: 'must be a domain-prefixed path (such as "acme.io/foo")' }];
  const errs = dns1123SubdomainErrors(host).map((message) => ({ value: host, message }));
  if (!httpPathRe.test(path)) errs.push({ value: path, message: regexError('Invalid path', httpPathFmt) });
  return errs;
}

/** True when `value` is a DNS-1123 label (`[a-z0-9]([-a-z0-9]*[a-z0-9])?`, ≤ 63). */
export function isDNS1123Label(value: string): boolean {
  return typeof value === 'string' && dns1123LabelErrors(value).length === 0;
}

/** True when `value` is a DNS-1123 subdomain (dot-separated labels, ≤ 253). */
export function isDNS1123Subdomain(value: string): boolean {
  return typeof value === 'string' && dns1123SubdomainErrors(value).length === 0;
}

/** True when `value` is a DNS-1035 label (starts with a letter, ≤ 63). */
export function isDNS1035Label(value: string): boolean {
  return typeof value === 'string' && dns1035LabelErrors(value).length === 0;
}

/** True when `value` is a qualified name (a valid label key). */
export function isQualifiedName(value: string): boolean {
  return typeof value === 'string' && qualifiedNameErrors(value).length === 0;
}

/** True when `value` is a valid label value. */
export function isValidLabelValue(value: string): boolean {
  return typeof value === 'string' && labelValueErrors(value).length === 0;
}

/**
 * Name validators as Kubernetes' `ValidateNameFunc`: `prefix` is true for `generateName`, whose
 * trailing dash is masked first (`maskTrailingDash`, which — as upstream — drops two characters).
 */
export type NameValidator = (name: string, prefix: boolean) => string[];

function maskTrailingDash(name: string): string {
  return name.length > 1 && name.endsWith('-') ? `${name.slice(0, -2)}a` : name;
}

/** NameIsDNSSubdomain: Pods, Jobs, CronJobs, ReplicaSets, Nodes, Events, Leases. */
export const nameIsDNSSubdomain: NameValidator = (name, prefix) => dns1123SubdomainErrors(prefix ? maskTrailingDash(name) : name);

/** NameIsDNSLabel: Namespaces. */
export const nameIsDNSLabel: NameValidator = (name, prefix) => dns1123LabelErrors(prefix ? maskTrailingDash(name) : name);

/** NameIsDNS1035Label: Services. */
export const nameIsDNS1035Label: NameValidator = (name, prefix) => dns1035LabelErrors(prefix ? maskTrailingDash(name) : name);

