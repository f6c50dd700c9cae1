import { describe, expect, it } from 'vitest';
import { IpAllocator, ipToNumber, isReservedAddress, numberToIp, parseCidr } from './ip-allocator.js';

describe('ip helpers', () => {
  it.each([
    ['127.1.0.0/16', '127.1.0.0', '127.1.255.255'],
    ['127.1.2.3/24', '127.1.2.0', '127.1.2.255'],
    ['10.0.0.8/30', '10.0.0.8', '10.0.0.11'],
  ])('parseCidr %s', (cidr, first, last) => {
    const r = parseCidr(cidr);
    expect([numberToIp(r.first), numberToIp(r.last)]).toEqual([first, last]);
  });

  it.each(['127.1.0.0', '127.1.0.0/33', '300.1.0.0/8', 'x/8'])('rejects %s', (cidr) => {
    expect(() => parseCidr(cidr)).toThrow(/invalid podIPRange/);
  });

  it.each([
    ['127.1.0.0', true],
    ['127.1.0.1', true],
    ['127.1.0.255', true],
    ['127.1.0.2', false],
    ['127.1.1.0', true],
    ['127.1.1.254', false],
  ])('isReservedAddress %s = %s', (ip, want) => {
    expect(isReservedAddress(ipToNumber(ip) ?? -1)).toBe(want);
  });
});

describe('IpAllocator', () => {
  it('skips .0/.1/.255 and gives each owner one stable address', () => {
    const a = new IpAllocator('127.1.0.0/16');
    expect(a.allocate('p1')).toBe('127.1.0.2');
    expect(a.allocate('p2')).toBe('127.1.0.3');
    expect(a.allocate('p1')).toBe('127.1.0.2');
    expect(a.ipOf('p2')).toBe('127.1.0.3');
    expect(a.size).toBe(2);
  });

  it('crosses /24 boundaries skipping reserved addresses', () => {
    const a = new IpAllocator('127.1.0.0/23');
    const got = Array.from({ length: 254 }, (_, i) => a.allocate(`p${i}`));
    expect(got.at(252)).toBe('127.1.0.254');
    expect(got.at(253)).toBe('127.1.1.2');
    expect(got.every((ip) => ip && !/\.(0|1|255)$/.test(ip))).toBe(true);
  });

  it('reuses freed addresses once the range wrapped, round-robin', () => {
    const a = new IpAllocator('127.9.9.0/29'); // .2 … .7 usable
    const ips = ['a', 'b', 'c', 'd', 'e', 'f'].map((o) => a.allocate(o));
    expect(ips).toEqual(['127.9.9.2', '127.9.9.3', '127.9.9.4', '127.9.9.5', '127.9.9.6', '127.9.9.7']);
    expect(a.allocate('g')).toBeUndefined();
    a.release('c');
    a.release('a');
    expect(a.allocate('g')).toBe('127.9.9.2');
    expect(a.allocate('h')).toBe('127.9.9.4');
    expect(a.allocate('i')).toBeUndefined();
  });

  it('does not hand a freed address straight back while others are free', () => {
    const a = new IpAllocator('127.9.9.0/24');
    a.allocate('a');
    a.release('a');
    expect(a.allocate('b')).toBe('127.9.9.3');
  });

  it('reserve restores persisted addresses and refuses conflicts', () => {
    const a = new IpAllocator('127.1.0.0/16');
    expect(a.reserve('p1', '127.1.0.9')).toBe(true);
    expect(a.reserve('p1', '127.1.0.9')).toBe(true);
    expect(a.reserve('p2', '127.1.0.9')).toBe(false);
    expect(a.reserve('p3', '127.2.0.9')).toBe(false);
    expect(a.reserve('p3', '127.1.0.1')).toBe(false);
    expect(a.allocate('p4')).toBe('127.1.0.10');
    expect(a.ipOf('p1')).toBe('127.1.0.9');
  });
});
