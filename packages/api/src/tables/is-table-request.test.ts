import { describe, expect, it } from 'vitest';
import { isTableRequest } from './is-table-request.js';

describe('isTableRequest', () => {
  it.each([
    ['application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json', true],
    ['application/json;as=Table;v=v1beta1;g=meta.k8s.io', true],
    ['application/json; as=Table; v=v1; g=meta.k8s.io', true],
    ['application/json;AS=Table;V=v1;G=meta.k8s.io', true],
    ['application/json;as=Table', true],
    ['application/vnd.kubernetes.protobuf;as=Table;v=v1;g=meta.k8s.io', true],
    ['application/json', false],
    ['application/json, */*', false],
    ['application/vnd.kubernetes.protobuf,application/json', false],
    ['application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json', false],
    ['application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', false],
    ['application/json;as=Table;v=v2;g=meta.k8s.io', false],
    ['application/json;as=Table;v=v1;g=other.io', false],
    ['', false],
    [undefined, false],
  ])('%s → %s', (accept, want) => {
    expect(isTableRequest(accept)).toBe(want);
  });
});
