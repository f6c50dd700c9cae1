import { describe, expect, it } from 'vitest';
import { nameIsDNSLabel, nameIsDNSSubdomain } from './names.js';
import {
  validateAnnotations, validateFinalizers, validateLabels, validateObjectMeta, validateObjectMetaUpdate, validateOwnerReferences,
} from './object-meta.js';

const msgs = (causes: { field: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);
const namespaced = { namespaced: true, nameFn: nameIsDNSSubdomain };

describe('validateObjectMeta', () => {
  it.each<[string, unknown, string[]]>([
    ['a valid name', { name: 'pi', namespace: 'default' }, []],
    ['no name', { namespace: 'default' }, ['metadata.name: Required value: name or generateName is required']],
    ['generateName only', { generateName: 'pi-', namespace: 'default' }, ['metadata.name: Required value: name or generateName is required']],
    ['no namespace', { name: 'pi' }, ['metadata.namespace: Required value']],
    ['bad namespace', { name: 'pi', namespace: 'Dev' }, [
      "metadata.namespace: Invalid value: \"Dev\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]],
    ['negative generation', { name: 'pi', namespace: 'default', generation: -1 }, ['metadata.generation: Invalid value: -1: must be greater than or equal to 0']],
    ['missing metadata', undefined, ['metadata: Required value']],
  ])('%s', (_, meta, want) => {
    expect(msgs(validateObjectMeta(meta, namespaced))).toEqual(want);
  });

  it('a name over 253 characters gets both messages', () => {
    const causes = validateObjectMeta({ name: 'A'.repeat(254), namespace: 'default' }, namespaced);
    expect(causes.map((c) => c.message.split(': ').slice(-1)[0]?.slice(0, 24))).toEqual(['must be no more than 253', "a lowercase RFC 1123 sub"]);
  });

  it('cluster-scoped kinds must not have a namespace', () => {
    expect(msgs(validateObjectMeta({ name: 'n1', namespace: 'x' }, { namespaced: false, nameFn: nameIsDNSLabel }))).toEqual([
      'metadata.namespace: Forbidden: not allowed on this type',
    ]);
  });

  it('reports wrong JSON types instead of throwing', () => {
    const causes = validateObjectMeta({ name: 5, namespace: 'default', labels: ['x'] }, namespaced);
    expect(causes.map((c) => [c.field, c.reason])).toEqual([
      ['metadata.name', 'FieldValueTypeInvalid'],
      ['metadata.name', 'FieldValueRequired'],
      ['metadata.labels', 'FieldValueTypeInvalid'],
    ]);
  });
});

describe('labels and annotations', () => {
  it.each<[Record<string, string>, string[]]>([
    [{ app: 'web', 'batch.kubernetes.io/job-name': 'pi' }, []],
    [{ app: 'has space' }, ["metadata.labels: Invalid value: \"has space\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue', or 'my_value', or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]],
    [{ 'a/b/c': 'x' }, ["metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName', or 'my.name', or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"]],
    [{ k: 'v'.repeat(64) }, [`metadata.labels: Invalid value: "${'v'.repeat(64)}": must be no more than 63 characters`]],
  ])('%j', (labels, want) => {
    expect(msgs(validateLabels(labels))).toEqual(want);
  });

  it('annotation keys are checked case-insensitively and the total is capped at 256 KiB', () => {
    expect(validateAnnotations({ 'Example.com/Note': 'x' })).toEqual([]);
    expect(msgs(validateAnnotations({ big: 'x'.repeat(256 * 1024) }))).toEqual(['metadata.annotations: Too long: may not be more than 262144 bytes']);
    expect(validateAnnotations({ big: 'x'.repeat(256 * 1024 - 3) })).toEqual([]);
  });
});

describe('owner references and finalizers', () => {
  it('requires apiVersion, kind, name and uid', () => {
    expect(msgs(validateOwnerReferences([{ apiVersion: 'batch/', kind: '', name: '', uid: '' }]))).toEqual([
      'metadata.ownerReferences.apiVersion: Invalid value: "batch/": version must not be empty',
      'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
      'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
      'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
    ]);
  });

  it('allows one controller only', () => {
    const refs = [
      { apiVersion: 'batch/v1', kind: 'Job', name: 'a', uid: '1', controller: true },
      { apiVersion: 'batch/v1', kind: 'CronJob', name: 'b', uid: '2', controller: true },
    ];
    expect(validateOwnerReferences(refs)[0]?.message).toMatch(/Only one reference can have Controller set to true. Found "true" in references for Job\/a and CronJob\/b$/);
  });

  it.each<[string[], string[]]>([
    [['kubernetes', 'batch.kubernetes.io/job-tracking', 'foregroundDeletion'], []],
    [['custom'], ['metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified']],
    [['orphan', 'foregroundDeletion'], ['metadata.finalizers: Invalid value: ["orphan","foregroundDeletion"]: finalizer orphan and foregroundDeletion cannot be both set']],
  ])('finalizers %j', (finalizers, want) => {
    expect(msgs(validateFinalizers(finalizers))).toEqual(want);
  });
});

describe('validateObjectMetaUpdate', () => {
  const old = { name: 'pi', namespace: 'default', uid: 'u1', generation: 2 };
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string[]]>([
    ['unchanged', { ...old }, old, []],
    ['uid left out', { name: 'pi', namespace: 'default' }, old, []],
    ['renamed', { ...old, name: 'pj' }, old, ['metadata.name: Invalid value: "pj": field is immutable']],
    ['uid changed', { ...old, uid: 'u2' }, old, ['metadata.uid: Invalid value: "u2": field is immutable']],
    ['generation decremented', { ...old, generation: 1 }, old, ['metadata.generation: Invalid value: 1: must not be decremented']],
    ['finalizer added while deleting', { ...old, finalizers: ['a.io/x', 'kubernetes'] }, { ...old, finalizers: ['kubernetes'], deletionTimestamp: '2026-01-01T00:00:00Z' },
      ['metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"a.io/x"}']],
  ])('%s', (_, meta, before, want) => {
    expect(msgs(validateObjectMetaUpdate(meta, before))).toEqual(want);
  });
});
