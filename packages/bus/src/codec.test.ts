import { describe, expect, it } from 'vitest';
import { decodeWatchMessage, encodeJson, encodeWatchMessage } from './codec.js';

describe('watch messages', () => {
  it('encodeWatchMessage passes the stored JSON through; decodeWatchMessage restores resourceVersion from rv', () => {
    const stored = '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"ns","labels":{"a":"b"}},"spec":{"x":"é"}}';
    const m = decodeWatchMessage(encodeWatchMessage('MODIFIED', '42', '40', stored));
    expect(m).toEqual({
      type: 'MODIFIED', rv: '42', prev: '40',
      object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', labels: { a: 'b' }, resourceVersion: '42' }, spec: { x: 'é' } },
    });
  });

  it('reads a message whose object already has a resourceVersion, or no metadata', () => {
    const full = decodeWatchMessage(encodeJson({ type: 'ADDED', rv: '7', prev: '3', object: { metadata: { name: 'n', resourceVersion: '7' } } }));
    expect(full.object.metadata).toEqual({ name: 'n', resourceVersion: '7' });
    const bare = decodeWatchMessage(encodeWatchMessage('DELETED', '9', '7', '{"kind":"Event"}'));
    expect(bare.object).toEqual({ kind: 'Event', metadata: { resourceVersion: '9' } });
  });
});
