import { describe, expect, it } from 'vitest';
import { ApiError, findResource, parseJsonText, parseYamlText, type KObject } from '@kjobs/api';
import { checkObjectFields, checkPatchedFields, type WriteOptions } from './decode-rules.js';

const jobs = findResource('batch', 'jobs')!;

function fromJson(text: string, mode?: WriteOptions['fieldValidation']): { value: Record<string, unknown>; opts: WriteOptions } {
  const { value, facts } = parseJsonText(text);
  return { value: value as Record<string, unknown>, opts: { fieldValidation: mode, decoded: { facts } } };
}

function thrown(f: () => unknown): ApiError {
  try {
    f();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('nothing thrown');
}

const BODY = '{"metadata":{"name":"j","name":"k"},"spec":{"bogusField":1,"template":{"spec":{"containers":[{"name":"c","nope":true}]}}}}';

describe('checkObjectFields (create, update)', () => {
  it.each([
    ['Strict', 'throws'],
    ['Warn', ['duplicate field "metadata.name"', 'unknown field "spec.bogusField"', 'unknown field "spec.template.spec.containers[0].nope"']],
    [undefined, ['duplicate field "metadata.name"', 'unknown field "spec.bogusField"', 'unknown field "spec.template.spec.containers[0].nope"']],
    ['Ignore', []],
  ] as const)('fieldValidation %s', (mode, want) => {
    const { value, opts } = fromJson(BODY, mode);
    if (want === 'throws') {
      const e = thrown(() => checkObjectFields(jobs, value, opts));
      expect([e.code, e.reason, e.message]).toEqual([400, 'BadRequest',
        'Job in version "v1" cannot be handled as a Job: strict decoding error: duplicate field "metadata.name", unknown field "spec.bogusField", unknown field "spec.template.spec.containers[0].nope"']);
      return;
    }
    expect(checkObjectFields(jobs, value, opts)).toEqual(want);
    expect(value.spec).toEqual({ template: { spec: { containers: [{ name: 'c' }] } } });
  });

  it('a YAML body: go-yaml\'s repeats as one strict item, then the unknown fields sorted', () => {
    const y = parseYamlText('metadata:\n  name: a\n  name: b\nspec:\n  zeta: 1\n  alpha: 2\n');
    const opts: WriteOptions = { fieldValidation: 'Strict', decoded: { facts: y.facts, yamlDuplicates: y.duplicateLines } };
    expect(thrown(() => checkObjectFields(jobs, y.value, opts)).message).toBe(
      'Job in version "v1" cannot be handled as a Job: strict decoding error: yaml: unmarshal errors:\n  line 3: key "name" already set in map, unknown field "spec.alpha", unknown field "spec.zeta"');
    const warn = parseYamlText('metadata:\n  name: a\n  name: b\n');
    expect(checkObjectFields(jobs, warn.value, { decoded: { facts: warn.facts, yamlDuplicates: warn.duplicateLines } })).toEqual(['line 3: key "name" already set in map']);
  });

  it('a value its Go field cannot hold is a 400 whatever the directive', () => {
    const { value, opts } = fromJson('{"spec":{"parallelism":9007199254740993}}', 'Ignore');
    expect(thrown(() => checkObjectFields(jobs, value, opts)).message).toBe(
      'Job in version "v1" cannot be handled as a Job: json: cannot unmarshal number 9007199254740993 into Go struct field JobSpec.spec.parallelism of type int32');
  });
});

describe('checkPatchedFields', () => {
  const stored = (): KObject => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'j' }, spec: { parallelism: 1 } });

  it('a merge patch: its repeats first, then the patched object\'s unknown fields (sorted), all pruned', () => {
    const { value, opts } = fromJson('{"spec":{"zeta":1,"parallelism":2,"parallelism":3,"alpha":1}}', 'Warn');
    const patched = { ...stored(), spec: { parallelism: 3, zeta: 1, alpha: 1 } };
    expect(checkPatchedFields(jobs, 'application/merge-patch+json', value, patched, opts)).toEqual([
      'duplicate field "spec.parallelism"', 'unknown field "spec.alpha"', 'unknown field "spec.zeta"',
    ]);
    expect(patched.spec).toEqual({ parallelism: 3 });
  });

  it('a JSON patch: unknown and repeated operation fields, in document order', () => {
    const { value, opts } = fromJson('[{"op":"add","path":"/spec/a","value":1,"foo":"bar"},{"op":"add","path":"/spec/b","path":"/spec/c","value":1}]', 'Strict');
    const patched = { ...stored(), spec: { parallelism: 1, a: 1, c: 1 } };
    expect(thrown(() => checkPatchedFields(jobs, 'application/json-patch+json', value, patched, opts)).message).toBe(
      'strict decoding error: json patch unknown field "[0].foo", json patch duplicate field "[1].path", unknown field "spec.a", unknown field "spec.c"');
  });

  it('the patch\'s own values must fit their fields (a strategic directive is not a field)', () => {
    const { value, opts } = fromJson('{"spec":{"$retainKeys":["x"],"completions":2147483648}}');
    expect(thrown(() => checkPatchedFields(jobs, 'application/strategic-merge-patch+json', value, stored(), opts)).message).toBe(
      'json: cannot unmarshal number 2147483648 into Go struct field JobSpec.spec.completions of type int32');
  });
});
