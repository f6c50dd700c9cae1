import { describe, expect, it } from 'vitest';
import { loadConfig, parseAddress } from './config.js';

describe('parseAddress', () => {
  it.each([
    ['127.0.0.1:8080', { host: '127.0.0.1', port: 8080 }],
    [':8080', { host: '0.0.0.0', port: 8080 }],
    ['[::1]:9000', { host: '::1', port: 9000 }],
    ['localhost:0', { host: 'localhost', port: 0 }],
  ])('%s', (addr, want) => {
    expect(parseAddress(addr)).toEqual(want);
  });
  it.each(['8080', 'host:', 'a:b', 'x:70000'])('rejects %s', (addr) => {
    expect(() => parseAddress(addr)).toThrow();
  });
});

describe('loadConfig', () => {
  const files: Record<string, string> = { '/run/secrets/redis': 's3cret\n' };
  const read = (p: string): string => {
    const v = files[p];
    if (v === undefined) throw new Error(`ENOENT ${p}`);
    return v;
  };
  it.each([
    [{}, { host: '127.0.0.1', port: 8090, redisUrl: 'redis://127.0.0.1:6379', prefix: 'memq:', maxBodyBytes: 16777216, logLevel: 'info' }],
    [
      { MEMQ_ADDR: ':9090', REDIS_URL: 'redis://r:1', MEMQ_PREFIX: 'x:', REDIS_PASSWORD_FILE: '/run/secrets/redis', MEMQ_MAX_BODY_BYTES: '10' },
      { host: '0.0.0.0', port: 9090, redisUrl: 'redis://r:1', redisPassword: 's3cret', prefix: 'x:', maxBodyBytes: 10, logLevel: 'info' },
    ],
    [{ REDIS_PASSWORD: 'direct' }, { redisPassword: 'direct' }],
  ])('%j', (env, want) => {
    expect(loadConfig(env, read)).toMatchObject(want);
  });
  it('fails on an unreadable password file, both password sources, a bad address and a bad body limit', () => {
    expect(() => loadConfig({ REDIS_PASSWORD_FILE: '/missing' }, read)).toThrow(/REDIS_PASSWORD_FILE="\/missing" cannot be read: ENOENT/);
    expect(() => loadConfig({ REDIS_PASSWORD: 'direct', REDIS_PASSWORD_FILE: '/run/secrets/redis' }, read)).toThrow(/both set/);
    expect(() => loadConfig({ MEMQ_ADDR: '8090' }, read)).toThrow(/^MEMQ_ADDR="8090" is not host:port/);
    expect(() => loadConfig({ MEMQ_MAX_BODY_BYTES: '-1' }, read)).toThrow(/MEMQ_MAX_BODY_BYTES="-1" is not an integer ≥ 1/);
  });
  it('takes flags over the environment', () => {
    expect(loadConfig({ MEMQ_PREFIX: 'env:' }, read, 2, ['--memq-prefix=flag:', '--memq-workers', '1'])).toMatchObject({ prefix: 'flag:', workers: 1 });
  });
  it('runs two workers on a multi-core machine, one on a single core, or what MEMQ_WORKERS says', () => {
    expect(loadConfig({}, read, 8).workers).toBe(2);
    expect(loadConfig({}, read, 1).workers).toBe(1);
    expect(loadConfig({ MEMQ_WORKERS: '3' }, read, 1).workers).toBe(3);
    for (const bad of ['0', '1.5', 'two', '65']) expect(() => loadConfig({ MEMQ_WORKERS: bad }, read)).toThrow(/MEMQ_WORKERS/);
  });
});
