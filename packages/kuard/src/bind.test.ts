import { describe, expect, it } from 'vitest';
import { bindAddress } from './bind.js';

describe('bindAddress', () => {
  it.each([
    [':8080', undefined, { host: '0.0.0.0', port: 8080 }],
    [':8080', '127.0.1.5', { host: '127.0.1.5', port: 8080 }],
    ['127.0.0.1:9000', '127.0.1.5', { host: '127.0.0.1', port: 9000 }],
    ['[::1]:80', undefined, { host: '::1', port: 80 }],
    [':0', undefined, { host: '0.0.0.0', port: 0 }],
  ])('%s (POD_IP %s)', (addr, pod, want) => {
    expect(bindAddress(addr, pod)).toEqual(want);
  });
  it.each(['8080', 'host:http', ':99999'])('rejects %s', (addr) => {
    expect(bindAddress(addr, undefined)).toHaveProperty('error');
  });
});
