import { describe, expect, it } from 'vitest';
import { gatewayOf, networkNames, parseCidr, podNsName, podUidOfNs } from './names.js';

describe('network names', () => {
  it('derives distinct, short names per node and cluster', () => {
    const a = networkNames('/tmp/c1/nodes/node-1');
    const b = networkNames('/tmp/c1/nodes/node-2');
    const c = networkNames('/tmp/c2/nodes/node-1');
    expect(a.fabricNs).toBe(b.fabricNs);
    expect(a.fabricNs).not.toBe(c.fabricNs);
    expect(a.nodeNs).not.toBe(b.nodeNs);
    expect(a.fabricLink.length).toBeLessThanOrEqual(15);
    expect(a.fabricLink).not.toBe(b.fabricLink);
  });

  it('maps pod namespaces back to uids, and nothing else', () => {
    const n = networkNames('/x/nodes/n');
    expect(podUidOfNs(n, podNsName(n, 'abc-123'))).toBe('abc-123');
    expect(podUidOfNs(n, n.nodeNs)).toBeUndefined();
    expect(podUidOfNs(n, 'kjobs-other-abc')).toBeUndefined();
  });

  it.each([
    ['10.244.3.0/24', '10.244.3.1'],
    ['10.244.3.7/24', '10.244.3.1'],
    ['192.168.0.0/16', '192.168.0.1'],
  ])('gateway of %s is %s', (cidr, gw) => expect(gatewayOf(cidr)).toBe(gw));

  it('refuses what is not a CIDR', () => {
    expect(() => parseCidr('10.0.0.0')).toThrow();
    expect(() => parseCidr('300.0.0.0/8')).toThrow();
  });
});
