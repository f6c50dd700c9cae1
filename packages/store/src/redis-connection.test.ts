import { describe, expect, it } from 'vitest';
import { createRedisClient, describeRedis, durabilityOf, reconnectOnFailover } from './redis-connection.js';

const base = { redisUrl: 'redis://127.0.0.1:6379/3', redisMasterName: 'kjobs', redisWaitTimeout: 2000 };
const sentinels = [{ host: '10.0.0.5', port: 26379 }, { host: '10.0.0.6', port: 26379 }];

describe('durabilityOf', () => {
  it.each([
    [{}, undefined],
    [{ redisSentinels: sentinels }, { replicas: 1, timeoutMs: 2000 }],
    [{ redisSentinels: sentinels, redisWaitReplicas: 0 }, undefined],
    [{ redisWaitReplicas: 2 }, { replicas: 2, timeoutMs: 2000 }],
  ])('%j', (s, want) => {
    expect(durabilityOf({ ...base, ...s })).toEqual(want);
  });
});

describe('createRedisClient', () => {
  it('asks the Sentinels for the named primary, with REDIS_URL\'s database and password', () => {
    const c = createRedisClient({ ...base, redisUrl: 'redis://:urlpw@127.0.0.1:6379/3', redisSentinels: sentinels }, { lazyConnect: true });
    expect(c.options).toMatchObject({ sentinels, name: 'kjobs', db: 3, password: 'urlpw', lazyConnect: true, reconnectOnError: reconnectOnFailover });
    expect(c.options.failoverDetector).toBeFalsy(); // it can end the client for good (redis-connection.ts)
    c.disconnect();
  });
  it('reconnects and resends a command a replica refused (READONLY) or a loading server put off; other errors are the caller\'s', () => {
    expect(reconnectOnFailover(new Error("READONLY You can't write against a read only replica."))).toBe(2);
    expect(reconnectOnFailover(new Error('LOADING Redis is loading the dataset in memory'))).toBe(2);
    expect(reconnectOnFailover(new Error('NOSCRIPT No matching script'))).toBe(false);
    expect(reconnectOnFailover(new Error('ERR wrong number of arguments'))).toBe(false);
  });
  it('uses REDIS_URL as it is without Sentinels; REDIS_PASSWORD wins', () => {
    const c = createRedisClient({ ...base, redisPassword: 'pw' }, { lazyConnect: true });
    expect(c.options).toMatchObject({ host: '127.0.0.1', port: 6379, db: 3, password: 'pw' });
    expect(c.options.sentinels).toBeFalsy();
    c.disconnect();
  });
});

describe('describeRedis', () => {
  it('names the Sentinels, or the URL without its password', () => {
    expect(describeRedis({ ...base, redisSentinels: sentinels })).toBe('the primary "kjobs" of Sentinels 10.0.0.5:26379,10.0.0.6:26379');
    expect(describeRedis({ ...base, redisUrl: 'redis://u:secret@h:1/0' })).toBe('redis://***@h:1/0');
  });
});
