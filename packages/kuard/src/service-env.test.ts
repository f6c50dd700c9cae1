import { describe, expect, it } from 'vitest';
import { resolveServiceHost } from './service-env.js';

describe('resolveServiceHost (Kubernetes service env vars instead of DNS)', () => {
  const env = { QUEUE_SERVICE_HOST: '127.0.2.7', QUEUE_SERVICE_PORT: '8080', MY_QUEUE_SERVICE_HOST: '127.0.2.8', MY_QUEUE_SERVICE_PORT: '9999' };
  it.each([
    ['queue', '8080', { host: '127.0.2.7', port: 8080 }],
    ['queue', '9000', { host: '127.0.2.7', port: 9000 }],
    ['queue', '', { host: '127.0.2.7', port: 8080 }],
    ['my-queue', '', { host: '127.0.2.8', port: 9999 }],
    ['QUEUE', '1', { host: '127.0.2.7', port: 1 }],
    ['other', '8080', { host: 'other', port: 8080 }],
    ['queue.default.svc', '8080', { host: 'queue.default.svc', port: 8080 }],
    ['127.0.0.1', '5', { host: '127.0.0.1', port: 5 }],
    ['[::1]', '5', { host: '::1', port: 5 }],
    ['localhost', '', { host: 'localhost', port: 80 }],
  ])('%s:%s', (host, port, want) => {
    expect(resolveServiceHost(host, port, 80, env)).toEqual(want);
  });
});
