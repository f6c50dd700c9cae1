import { describe, expect, it } from 'vitest';
import { findResource, type ResourceInfo } from '@kjobs/api';
import { streamReadPairs, toChangeRecord, type RawStreamEntry } from './stream-entries.js';

const pods = findResource('', 'pods') as ResourceInfo;
const entry: RawStreamEntry = ['17-0', ['t', 'DELETED', 'k', 'ns/a', 'p', '12', 'd', '{"metadata":{"name":"a","namespace":"ns"}}']];

describe('toChangeRecord', () => {
  it('reads type, revision, prev and the object with its resourceVersion', () => {
    expect(toChangeRecord(pods, entry)).toEqual({
      resource: pods, type: 'DELETED', rv: '17', prev: '12',
      object: { metadata: { name: 'a', namespace: 'ns', resourceVersion: '17' } },
      raw: { json: '{"metadata":{"name":"a","namespace":"ns"}}', namespace: 'ns' },
    });
  });

  it('decodes the object once, on first use', () => {
    const rec = toChangeRecord(pods, entry);
    expect(rec.object).toBe(rec.object);
  });
});

describe('streamReadPairs', () => {
  it.each<[string, unknown]>([
    ['RESP2 pairs', [['k1', [entry]], ['k2', []]]],
    ['RESP3 flattened map', ['k1', [entry], 'k2', []]],
    ['RESP3 object map', { k1: [entry], k2: [] }],
  ])('%s', (_what, reply) => {
    expect(streamReadPairs(reply)).toEqual([['k1', [entry]], ['k2', []]]);
  });

  it('null and empty replies mean nothing', () => {
    expect(streamReadPairs(null)).toEqual([]);
    expect(streamReadPairs([])).toEqual([]);
  });
});
