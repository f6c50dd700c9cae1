import { describe, expect, it } from 'vitest';
import { httpUrlOf, parseListenAddress } from './listen-address.js';

describe('parseListenAddress', () => {
  it.each([
    ['127.0.0.1:0', { host: '127.0.0.1', port: 0 }],
    ['0.0.0.0:10259', { host: '0.0.0.0', port: 10259 }],
    ['localhost:8080', { host: 'localhost', port: 8080 }],
    ['[::1]:9090', { host: '::1', port: 9090 }],
    [':9090', { host: '127.0.0.1', port: 9090 }],
  ])('%s', (text, want) => expect(parseListenAddress(text)).toEqual(want));

  it.each(['', '127.0.0.1', '127.0.0.1:', '127.0.0.1:notanumber', '127.0.0.1:70000', '::1:80', 'http://127.0.0.1:80'])('refuses %j, naming the setting', (text) => {
    expect(() => parseListenAddress(text, 'KJOBS_HTTP_ADDR')).toThrow(/^KJOBS_HTTP_ADDR: /);
  });
});

describe('httpUrlOf', () => {
  it.each([
    ['127.0.0.1', 4000, 'http://127.0.0.1:4000'],
    ['::1', 4000, 'http://[::1]:4000'],
  ])('%s %d', (host, port, want) => expect(httpUrlOf(host, port)).toBe(want));
});
