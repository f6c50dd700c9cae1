import type { KObject, ListMeta, WatchEvent } from '@kjobs/api';
import { describe, expect, it } from 'vitest';
import { Informer } from './informer.js';
import type { ApiClient, WatchHandle } from './types.js';

/** Just enough of an ApiClient for an informer: an empty list, then a watch the test drives. */
function scriptedClient(): { client: ApiClient; send: (ev: WatchEvent<KObject>) => void } {
  let deliver: ((ev: WatchEvent<KObject>) => void) | undefined;
  const client = {
    list: async () => ({ apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: '1' } as ListMeta, items: [] }),
    watch: (_kind: string, _opts: unknown, onEvent: (ev: WatchEvent<KObject>) => void): WatchHandle => {
      deliver = onEvent;
      return { stop: () => undefined, done: new Promise(() => undefined) };
    },
  } as unknown as ApiClient;
  return { client, send: (ev) => deliver!(ev) };
}

const obj = (name: string, owner: string, rv: number): KObject => ({
  apiVersion: 'v1', kind: 'Pod',
  metadata: { name, namespace: 'ns', resourceVersion: String(rv), ownerReferences: [{ apiVersion: 'v1', kind: 'Job', name: owner, uid: `uid-${owner}` }] },
});

describe('Informer indexes', () => {
  it('drop a value once its last object is gone or moved, so uid-keyed indexes do not grow forever', async () => {
    const { client, send } = scriptedClient();
    const inf = new Informer(client, 'Pod').addIndex('owner', (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid));
    await inf.start();
    send({ type: 'ADDED', object: obj('a', 'j1', 2) });
    send({ type: 'ADDED', object: obj('b', 'j1', 3) });
    send({ type: 'ADDED', object: obj('c', 'j2', 4) });
    expect(inf.indexValues('owner').sort()).toEqual(['uid-j1', 'uid-j2']);
    expect(inf.byIndex('owner', 'uid-j1').map((o) => o.metadata.name).sort()).toEqual(['a', 'b']);

    send({ type: 'DELETED', object: obj('a', 'j1', 5) });
    expect(inf.indexValues('owner').sort()).toEqual(['uid-j1', 'uid-j2']);
    send({ type: 'DELETED', object: obj('b', 'j1', 6) });
    expect(inf.indexValues('owner')).toEqual(['uid-j2']);
    // An update that moves the object to another value drops the old one too.
    send({ type: 'MODIFIED', object: obj('c', 'j3', 7) });
    expect(inf.indexValues('owner')).toEqual(['uid-j3']);
    expect(inf.byIndex('owner', 'uid-j2')).toEqual([]);
    inf.stop();
  });
});
