import { describe, expect, it } from 'vitest';
import type { KObject } from '@kjobs/api';
import { HttpError, ObjectCache, runReflector, splitLines, type ReflectorState, type Transport } from './reflector.js';

const obj = (name: string, rv: string): KObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', resourceVersion: rv } });
const line = (type: string, o: unknown) => `${JSON.stringify({ type, object: o })}\n`;

describe('splitLines', () => {
  it('returns complete lines and keeps the tail', () => {
    expect(splitLines('a\nb\n\nc')).toEqual({ lines: ['a', 'b'], rest: 'c' });
    expect(splitLines('a\n')).toEqual({ lines: ['a'], rest: '' });
    expect(splitLines('')).toEqual({ lines: [], rest: '' });
  });
});

describe('ObjectCache', () => {
  it('replace, add, modify, delete, bookmark; an error is not applied', () => {
    const c = new ObjectCache();
    c.replace([obj('a', '5')], '7');
    expect([...c.items.keys()]).toEqual(['default/a']);
    expect(c.apply({ type: 'ADDED', object: obj('b', '8') })).toBe(true);
    expect(c.apply({ type: 'MODIFIED', object: obj('a', '9') })).toBe(true);
    expect(c.items.get('default/a')?.metadata.resourceVersion).toBe('9');
    const v = c.version;
    c.apply({ type: 'BOOKMARK', object: { metadata: { resourceVersion: '12' } } as KObject });
    expect([c.resourceVersion, c.version]).toEqual(['12', v]);
    c.apply({ type: 'DELETED', object: obj('b', '13') });
    expect([...c.items.keys()]).toEqual(['default/a']);
    expect(c.apply({ type: 'ERROR', object: { code: 410 } as unknown as KObject })).toBe(false);
    expect(c.resourceVersion).toBe('13');
  });
});

/** A scripted API: each list and watch call takes the next entry of its script. */
function scripted(lists: (KObject[] | HttpError)[], watches: (string[] | HttpError)[]) {
  const calls: string[] = [];
  const transport: Transport = {
    async getJson<R>(path: string): Promise<R> {
      calls.push(`list ${path}`);
      const next = lists.shift();
      if (!next) return new Promise<R>(() => {});
      if (next instanceof HttpError) throw next;
      return { items: next, metadata: { resourceVersion: next.at(-1)?.metadata.resourceVersion ?? '1' } } as R;
    },
    async *stream(path: string, signal: AbortSignal): AsyncIterable<string> {
      calls.push(`watch ${path.replace(/timeoutSeconds=\d+/, 'timeoutSeconds=T')}`);
      const next = watches.shift();
      if (!next) {
        await new Promise((resolve) => signal.addEventListener('abort', resolve));
        return;
      }
      if (next instanceof HttpError) throw next;
      yield* next;
    },
  };
  return { transport, calls };
}

async function run(lists: (KObject[] | HttpError)[], watches: (string[] | HttpError)[], until: (c: ObjectCache, calls: string[]) => boolean) {
  const { transport, calls } = scripted(lists, watches);
  const cache = new ObjectCache();
  const ac = new AbortController();
  const states: ReflectorState[] = [];
  const fatal: HttpError[] = [];
  const sleeps: number[] = [];
  const done = runReflector({
    path: '/api/v1/pods', cache, transport, signal: ac.signal, onChange: () => {}, onState: (s) => states.push(s), onFatal: (e) => fatal.push(e),
    sleep: async (ms) => void sleeps.push(ms),
  });
  for (let i = 0; i < 1000 && !until(cache, calls) && fatal.length === 0; i++) await new Promise((r) => setImmediate(r));
  ac.abort();
  await done;
  return { cache, calls, states, fatal, sleeps };
}

describe('runReflector', () => {
  it('lists, then watches from the list version; a chunk may split a line', async () => {
    const events = line('ADDED', obj('b', '11')) + line('MODIFIED', obj('a', '12'));
    const r = await run([[obj('a', '10')]], [[events.slice(0, 30), events.slice(30)]], (c) => c.resourceVersion === '12');
    expect(r.calls.slice(0, 2)).toEqual(['list /api/v1/pods', 'watch /api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=T&resourceVersion=10']);
    expect([...r.cache.items.keys()].sort()).toEqual(['default/a', 'default/b']);
    expect(r.states[0]).toEqual({ state: 'connecting' });
    expect(r.states[1]).toEqual({ state: 'live' });
  });

  it('a watch that ends resumes from the last version seen, bookmarks included', async () => {
    const r = await run([[obj('a', '10')]], [[line('BOOKMARK', { metadata: { resourceVersion: '20' } })]], (_c, calls) => calls.length >= 3);
    expect(r.calls).toEqual([
      'list /api/v1/pods',
      'watch /api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=T&resourceVersion=10',
      'watch /api/v1/pods?watch=1&allowWatchBookmarks=true&timeoutSeconds=T&resourceVersion=20',
    ]);
  });

  it('410 Gone relists at once; other errors back off and relist', async () => {
    const gone = line('ERROR', { kind: 'Status', code: 410, reason: 'Expired', message: 'too old resource version' });
    const r = await run(
      [[obj('a', '10')], new HttpError(503, 'unavailable'), [obj('c', '30')]],
      [[gone]],
      (c) => c.items.has('default/c'),
    );
    expect(r.calls.filter((c) => c.startsWith('list')).length).toBe(3);
    expect([...r.cache.items.keys()]).toEqual(['default/c']);
    expect(r.sleeps).toEqual([1000]);
    expect(r.states).toContainEqual({ state: 'retrying', error: 'unavailable' });
  });

  it('401 stops the reflector and reports it', async () => {
    const r = await run([new HttpError(401, 'Unauthorized')], [], () => false);
    expect(r.fatal.map((e) => e.status)).toEqual([401]);
    expect(r.calls).toEqual(['list /api/v1/pods']);
  });
});
