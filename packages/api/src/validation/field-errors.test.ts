import { describe, expect, it } from 'vitest';
import {
  deepEqual, duplicate, forbidden, formatBadValue, goJson, goQuote, invalid, notSupported, OMIT, required, tooLong, tooMany,
  validateImmutable, validateNonnegative,
} from './field-errors.js';

describe('bad values print as Go ErrorBody prints them', () => {
  it.each([
    [-1, '-1'],
    [0.5, '0.5'],
    [true, 'true'],
    ['Foo', '"Foo"'],
    ['a"b\\c\n', '"a\\"b\\\\c\\n"'],
    [{ b: 1, a: ['x'] }, '{"a":["x"],"b":1}'],
    [null, 'null'],
    [undefined, 'null'],
    ['<&>', '"<&>"'],
  ])('%j → %s', (value, want) => {
    expect(formatBadValue(value)).toBe(want);
  });

  it('JSON escapes HTML characters as Go does', () => {
    expect(goJson({ k: '<&>' })).toBe('{"k":"\\u003c\\u0026\\u003e"}');
  });

  it('quotes control characters with \\x', () => {
    expect(goQuote('\u0001')).toBe('"\\x01"');
  });
});

describe('cause constructors', () => {
  it.each([
    [required('spec.selector'), 'FieldValueRequired', 'Required value'],
    [required('spec.template.spec.restartPolicy', 'valid values: "OnFailure", "Never"'), 'FieldValueRequired', 'Required value: valid values: "OnFailure", "Never"'],
    [invalid('spec.parallelism', -1, 'must be greater than or equal to 0'), 'FieldValueInvalid', 'Invalid value: -1: must be greater than or equal to 0'],
    [invalid('spec.podFailurePolicy.rules[0]', OMIT, 'specifying one of OnExitCodes and OnPodConditions is required'), 'FieldValueInvalid', 'Invalid value: specifying one of OnExitCodes and OnPodConditions is required'],
    [notSupported('spec.template.spec.restartPolicy', 'Sometimes', ['OnFailure', 'Never']), 'FieldValueNotSupported', 'Unsupported value: "Sometimes": supported values: "OnFailure", "Never"'],
    [duplicate('spec.containers[1].name', 'a'), 'FieldValueDuplicate', 'Duplicate value: "a"'],
    [forbidden('metadata.namespace', 'not allowed on this type'), 'FieldValueForbidden', 'Forbidden: not allowed on this type'],
    [tooLong('metadata.annotations', 262144), 'FieldValueTooLong', 'Too long: may not be more than 262144 bytes'],
    [tooMany('spec.podFailurePolicy.rules', 21, 20), 'FieldValueTooMany', 'Too many: 21: must have at most 20 items'],
  ])('%#', (cause, reason, message) => {
    expect(cause.reason).toBe(reason);
    expect(cause.message).toBe(message);
  });

  it('non-negative and immutable helpers', () => {
    expect(validateNonnegative(0, 'x')).toEqual([]);
    expect(validateNonnegative(-2, 'x')[0]?.message).toBe('Invalid value: -2: must be greater than or equal to 0');
    expect(validateImmutable(3, 2, 'spec.completions')[0]?.message).toBe('Invalid value: 3: field is immutable');
    expect(validateImmutable({ a: [] }, {}, 'x')).toEqual([]);
  });
});

describe('deepEqual (semantic)', () => {
  it.each([
    [undefined, null, true],
    [[], undefined, true],
    [{}, undefined, true],
    [{ a: 1 }, { a: 1, b: undefined }, true],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [0, undefined, false],
    ['', undefined, false],
  ])('%j vs %j', (a, b, want) => {
    expect(deepEqual(a, b)).toBe(want);
  });
});
