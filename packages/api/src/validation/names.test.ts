import { describe, expect, it } from 'vitest';
import {
  dns1035LabelErrors, dns1123LabelErrors, dns1123SubdomainErrors, domainPrefixedPathErrors, envVarNameErrors, isDNS1123Label,
  isDNS1123Subdomain, labelValueErrors, nameIsDNSSubdomain, portNameErrors, qualifiedNameErrors,
} from './names.js';

const SUBDOMAIN_MSG = "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const LABEL_MSG = "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const QNAME_MSG = "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

describe('DNS-1123 subdomain', () => {
  it.each([
    ['pi', []],
    ['a.b-c.d', []],
    ['x'.repeat(253), []],
    ['Foo', [SUBDOMAIN_MSG]],
    ['-a', [SUBDOMAIN_MSG]],
    ['a_b', [SUBDOMAIN_MSG]],
    ['', [SUBDOMAIN_MSG]],
    ['x'.repeat(254), ['must be no more than 253 characters']],
  ])('%s', (value, want) => {
    expect(dns1123SubdomainErrors(value)).toEqual(want);
    expect(isDNS1123Subdomain(value)).toBe(want.length === 0);
  });
});

describe('DNS-1123 label', () => {
  it.each([
    ['my-name', []],
    ['123-abc', []],
    ['a.b', ['must not contain dots']],
    ['My', [LABEL_MSG]],
    ['x'.repeat(64), ['must be no more than 63 characters']],
  ])('%s', (value, want) => {
    expect(dns1123LabelErrors(value)).toEqual(want);
    expect(isDNS1123Label(value)).toBe(want.length === 0);
  });

  it('DNS-1035 labels must start with a letter', () => {
    expect(dns1035LabelErrors('queue')).toEqual([]);
    expect(dns1035LabelErrors('1queue')[0]).toMatch(/^a DNS-1035 label must consist of/);
  });
});

describe('qualified names (label keys)', () => {
  it.each([
    ['app', []],
    ['batch.kubernetes.io/job-name', []],
    ['Example.com/x', ["prefix part " + SUBDOMAIN_MSG]],
    ['/x', ['prefix part must be non-empty']],
    ['a/', ['name part must be non-empty', QNAME_MSG]],
    ['-a', [QNAME_MSG]],
    ['x'.repeat(64), ['name part must be no more than 63 characters']],
  ])('%s', (value, want) => {
    expect(qualifiedNameErrors(value)).toEqual(want);
  });

  it('a key with two slashes gets the whole-name message', () => {
    expect(qualifiedNameErrors('a/b/c')).toEqual([
      "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ]);
  });
});

describe('label values', () => {
  it.each([
    ['', 0],
    ['v1.2_x-y', 0],
    ['-x', 1],
    ['x'.repeat(64), 1],
    ['a b', 1],
  ])('%s has %i problems', (value, n) => {
    expect(labelValueErrors(value)).toHaveLength(n);
  });
});

describe('other formats', () => {
  it.each([
    ['http', []],
    ['a'.repeat(16), ['must be no more than 15 characters']],
    ['80', ['must contain at least one letter (a-z)']],
    ['a--b', ['must not contain consecutive hyphens']],
    ['-ab', ['must not begin or end with a hyphen']],
    ['A', ['must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)', 'must contain at least one letter (a-z)']],
  ])('port name %s', (value, want) => {
    expect(portNameErrors(value)).toEqual(want);
  });

  it.each([
    ['MY_VAR', []],
    ['1.x-y', []],
    ['A=B', ["a valid environment variable name must consist only of printable ASCII characters other than '='"]],
    ['tab\t', ["a valid environment variable name must consist only of printable ASCII characters other than '='"]],
  ])('env var name %j', (value, want) => {
    expect(envVarNameErrors(value)).toEqual(want);
  });

  it.each([
    ['example.com/controller', []],
    ['kubernetes.io/job-controller', []],
    ['nopath', [{ value: 'nopath', message: 'must be a domain-prefixed path (such as "acme.io/foo")' }]],
    ['Bad.com/x', [{ value: 'Bad.com', message: SUBDOMAIN_MSG }]],
  ])('domain-prefixed path %s', (value, want) => {
    expect(domainPrefixedPathErrors(value)).toEqual(want);
  });

  it('generateName masks its trailing dash before checking', () => {
    expect(nameIsDNSSubdomain('pi-', true)).toEqual([]);
    expect(nameIsDNSSubdomain('pi-', false)).toEqual([SUBDOMAIN_MSG]);
  });
});
