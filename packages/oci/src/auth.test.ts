import { describe, expect, it } from 'vitest';
import { TokenCache, parseBearerChallenge } from './auth.js';

describe('parseBearerChallenge', () => {
  it.each([
    ['Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
      { realm: 'https://auth.docker.io/token', service: 'registry.docker.io', scope: 'repository:library/busybox:pull' }],
    ['bearer realm=https://x/token, service="a \\"b\\""', { realm: 'https://x/token', service: 'a "b"', scope: undefined }],
    ['Basic realm="x"', undefined],
    ['Bearer service="x"', undefined],
    [null, undefined],
  ])('%s', (header, want) => { expect(parseBearerChallenge(header)).toEqual(want); });
});

describe('TokenCache', () => {
  it('fetches once per realm+scope, accepts token or access_token, and renews after expiry', async () => {
    let now = 1_000_000;
    const asked: string[] = [];
    const fakeFetch = (async (input: string | URL | Request) => {
      const url = new URL(String(input));
      asked.push(url.searchParams.get('scope') ?? '');
      const body = url.searchParams.get('scope')?.endsWith('push') ? { token: `t${asked.length}` } : { access_token: `a${asked.length}`, expires_in: 100 };
      return new Response(JSON.stringify(body));
    }) as typeof fetch;
    const cache = new TokenCache(fakeFetch, () => now);
    const ch = { realm: 'https://auth/token', service: 's' };
    const [a, b] = await Promise.all([cache.token(ch, 'repository:x:pull'), cache.token(ch, 'repository:x:pull')]);
    expect([a, b]).toEqual(['a1', 'a1']);
    expect(await cache.token(ch, 'repository:x:pull,push')).toBe('t2');
    now += 90_000;
    expect(cache.cached(ch, 'repository:x:pull')).toBe('a1');
    now += 6_000; // within 5 s of expiry: renewed
    expect(cache.cached(ch, 'repository:x:pull')).toBeUndefined();
    expect(await cache.token(ch, 'repository:x:pull')).toBe('a3');
    expect(asked).toEqual(['repository:x:pull', 'repository:x:pull,push', 'repository:x:pull']);
  });

  it('reports a refused token request', async () => {
    const cache = new TokenCache((async () => new Response('no', { status: 403, statusText: 'Forbidden' })) as typeof fetch);
    await expect(cache.token({ realm: 'https://auth/token' }, 'repository:x:pull')).rejects.toThrow(/failed to fetch anonymous token: .* 403 Forbidden/);
  });
});
