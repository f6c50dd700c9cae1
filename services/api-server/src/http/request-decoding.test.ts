import { describe, expect, it } from 'vitest';
import { decodeObjectBody, decodePatchBody, summarizeData } from './request-decoding.js';
import { thrownApiError } from '@kjobs/api/testing';


const buf = (s: string): Buffer => Buffer.from(s);
const OBJECT_415 = 'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf';
const PATCH_415 = 'the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json';

describe('decodeObjectBody', () => {
  it.each([
    ['text/plain', 415, 'UnsupportedMediaType', OBJECT_415],
    ['text/yaml', 415, 'UnsupportedMediaType', OBJECT_415],
    ['application/merge-patch+json', 415, 'UnsupportedMediaType', OBJECT_415],
    ['application/json', 400, 'BadRequest', 'the object provided is unrecognized (must be of type Job): couldn\'t get version/kind; json parse error: unexpected end of JSON input ({"kind":)'],
  ])('Content-Type %s with a broken body → %i %s', (ct, code, reason, message) => {
    const e = thrownApiError(() => decodeObjectBody(buf('{"kind":'), ct, 'Job', true));
    expect([e.code, e.reason, e.message]).toEqual([code, reason, message]);
  });

  it.each([
    [undefined, '{"a":1}', { a: 1 }],
    ['application/json; charset=utf-8', '{"a":1}', { a: 1 }],
    ['application/yaml', 'a: 1\n', { a: 1 }],
    ['APPLICATION/JSON', '{"a":1}', { a: 1 }],
  ])('Content-Type %s decodes', (ct, text, value) => {
    expect(decodeObjectBody(buf(text), ct, 'Job', true).value).toEqual(value);
  });

  it.each([
    ['an empty create', '', true, 'the object provided is unrecognized (must be of type Job): couldn\'t get version/kind; json parse error: unexpected end of JSON input (<empty>)'],
    ['a malformed create', '{"apiVersion":"batch/v1","kind":"Job","metadata":{"name":x}}', true,
      'the object provided is unrecognized (must be of type Job): couldn\'t get version/kind; json parse error: invalid character \'x\' looking for beginning of value ({"apiVersion":"batch/v1","kind ...)'],
    ['deep nesting', '['.repeat(5000) + ']'.repeat(5000), false, 'the request body is nested more than 100 levels deep'],
  ])('%s → 400', (_name, text, required, message) => {
    const e = thrownApiError(() => decodeObjectBody(buf(text), 'application/json', 'Job', required));
    expect([e.code, e.message]).toEqual([400, message]);
  });

  it('refuses malformed YAML as a YAML-to-JSON conversion error', () => {
    const e = thrownApiError(() => decodeObjectBody(buf('apiVersion: batch/v1\nkind: Job\n  metadata: [unclosed'), 'application/yaml', 'Job', true));
    expect(e.code).toBe(400);
    // The summary is hex: the body does not start with '{' (apimachinery's summarizeData).
    expect(e.message).toBe('the object provided is unrecognized (must be of type Job): error converting YAML to JSON: '
      + 'yaml: line 2: Nested mappings are not allowed in compact mappings (61706956657273696f6e3a2062617463682f76310a6b696e643a204a6f62 ...)');
  });

  it('gives undefined for an empty optional body (DELETE without options)', () => {
    expect(decodeObjectBody(Buffer.alloc(0), undefined, 'DeleteOptions', false).value).toBeUndefined();
  });

  it('keeps YAML repeats and JSON repeats for strict decoding', () => {
    expect(decodeObjectBody(buf('a: 1\na: 2\n'), 'application/yaml', 'Job', true).decoding?.yamlDuplicates).toEqual(['line 2: key "a" already set in map']);
    expect(decodeObjectBody(buf('{"a":1,"a":2}'), 'application/json', 'Job', true).decoding?.facts.duplicates.map((d) => d.path)).toEqual(['a']);
  });
});

describe('decodePatchBody', () => {
  it.each(['application/json', 'application/yaml', 'application/apply-patch+yaml', 'text/plain', undefined])('Content-Type %s → 415', (ct) => {
    const e = thrownApiError(() => decodePatchBody(buf('{}'), ct));
    expect([e.code, e.reason, e.message]).toEqual([415, 'UnsupportedMediaType', PATCH_415]);
  });

  it('refuses malformed JSON with Go\'s message', () => {
    const e = thrownApiError(() => decodePatchBody(buf('{"spec":}'), 'application/merge-patch+json'));
    expect([e.code, e.message]).toEqual([400, 'invalid character \'}\' looking for beginning of value']);
  });
});

describe('summarizeData', () => {
  it('summarizes a body as apimachinery does', () => {
    expect(summarizeData(undefined)).toBe('<empty>');
    expect(summarizeData(buf('{"a":1}'))).toBe('{"a":1}');
    expect(summarizeData(buf('x'.repeat(31)))).toBe(`${'78'.repeat(30)} ...`);
  });
});
