import { describe, expect, it } from 'vitest';
import { boolParam, deleteParams, int64Param, listParams, logParams, resourceVersionParam, writeQuery } from './params.js';
import { thrownApiError } from '@kjobs/api/testing';


describe('query parameters', () => {
  it.each([
    [{}, { dryRun: false, fieldValidation: 'Warn' }],
    [{ dryRun: 'All' }, { dryRun: true, fieldValidation: 'Warn' }],
    [{ dryRun: ['All', 'All'], fieldValidation: 'Strict' }, { dryRun: true, fieldValidation: 'Strict' }],
    [{ fieldValidation: '' }, { dryRun: false, fieldValidation: 'Warn' }],
    [{ fieldValidation: 'Ignore' }, { dryRun: false, fieldValidation: 'Ignore' }],
  ])('writeQuery(%j) = %j', (query, out) => {
    expect(writeQuery(query, 'CreateOptions')).toEqual(out);
  });

  it.each([
    [{ dryRun: 'true' }, 'CreateOptions', 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"true"}: supported values: "All"'],
    [{ dryRun: 'server' }, 'DeleteOptions', 'DeleteOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"server"}: supported values: "All"'],
    [{ fieldValidation: 'strict' }, 'PatchOptions', 'PatchOptions.meta.k8s.io "" is invalid: fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"'],
  ] as const)('writeQuery(%j) as %s → 422 Invalid', (query, kind, message) => {
    const e = thrownApiError(() => writeQuery(query, kind));
    expect([e.code, e.reason, e.message]).toEqual([422, 'Invalid', message]);
  });

  it.each([[undefined, undefined], ['', ''], ['0', '0'], ['123', '123']])('resourceVersion %j is fine', (rv, out) => {
    expect(resourceVersionParam(rv === undefined ? {} : { resourceVersion: rv })).toBe(out);
  });

  it.each([
    ['abc', 'invalid resource version: resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax'],
    ['-1', 'invalid resource version: resourceVersion: Invalid value: "-1": strconv.ParseUint: parsing "-1": invalid syntax'],
    ['18446744073709551616', 'invalid resource version: resourceVersion: Invalid value: "18446744073709551616": strconv.ParseUint: parsing "18446744073709551616": value out of range'],
  ])('resourceVersion %j → 400', (rv, message) => {
    const e = thrownApiError(() => resourceVersionParam({ resourceVersion: rv }));
    expect([e.code, e.reason, e.message]).toEqual([400, 'BadRequest', message]);
  });

  it.each([
    ['10', 10], ['-5', -5], ['', undefined],
  ])('int64Param(%j) = %j', (v, out) => {
    expect(int64Param({ limit: v }, 'limit')).toBe(out);
  });

  it.each([
    ['abc', 'strconv.ParseInt: parsing "abc": invalid syntax'],
    ['1.5', 'strconv.ParseInt: parsing "1.5": invalid syntax'],
    ['9223372036854775808', 'strconv.ParseInt: parsing "9223372036854775808": value out of range'],
  ])('int64Param(%j) → 400 %s', (v, message) => {
    const e = thrownApiError(() => int64Param({ limit: v }, 'limit'));
    expect([e.code, e.message]).toEqual([400, message]);
  });

  it.each([
    [undefined, false], ['true', true], ['1', true], ['True', true], ['', true], ['yes', true],
    ['false', false], ['FALSE', false], ['0', false],
  ])('boolParam(watch=%j) = %j (apimachinery: only "0" and "false" are false)', (v, out) => {
    expect(boolParam(v === undefined ? {} : { watch: v }, 'watch')).toBe(out);
  });
});

describe('request parameters, from an HTTP query or a NATS query object', () => {
  it('reads a list from either (a NATS limit may be a number; a repeated HTTP parameter counts once)', () => {
    expect(listParams({ labelSelector: ['a=1', 'b=2'], limit: '10', continue: 'c' }, 'ns')).toEqual({ namespace: 'ns', labelSelector: 'a=1', fieldSelector: undefined, limit: 10, continue: 'c' });
    expect(listParams({ limit: 5 }, '').limit).toBe(5);
    expect(() => listParams({ limit: 'ten' }, '')).toThrowError('strconv.ParseInt: parsing "ten": invalid syntax');
  });

  it.each<[Record<string, unknown>, unknown, object]>([
    [{}, undefined, {}],
    [{ propagationPolicy: 'Foreground', gracePeriodSeconds: '0' }, { propagationPolicy: 'Orphan', gracePeriodSeconds: 30 }, { propagationPolicy: 'Foreground', gracePeriodSeconds: 0 }],
    [{}, { propagationPolicy: 'Background', gracePeriodSeconds: 5, preconditions: { uid: 'u' } }, { propagationPolicy: 'Background', gracePeriodSeconds: 5, preconditions: { uid: 'u' } }],
    [{ orphanDependents: 'true' }, undefined, { propagationPolicy: 'Orphan' }],
    [{}, { orphanDependents: true }, { propagationPolicy: 'Orphan' }],
    [{ dryRun: 'All' }, undefined, { dryRun: true }],
    [{}, { kind: 'DeleteOptions', dryRun: ['All'] }, { dryRun: true }],
  ])('deleteParams(%j, %j) = %j (the query wins over the body)', (query, body, out) => {
    expect(deleteParams(query, body)).toStrictEqual(out);
  });

  it('refuses a DeleteOptions dryRun other than All in the query', () => {
    expect(thrownApiError(() => deleteParams({ dryRun: 'yes' }, undefined)).code).toBe(422);
  });

  it('reads a log request\'s parameters, "" as absent', () => {
    expect(logParams({ container: 'c', tailLines: '5', follow: '', previous: 'true' })).toEqual({
      container: 'c', follow: undefined, previous: 'true', tailLines: '5', sinceSeconds: undefined, timestamps: undefined, limitBytes: undefined,
    });
  });
});
