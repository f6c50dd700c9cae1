import { describe, expect, it } from 'vitest';
import { nextFreeCidr, subnetAt, subnetCount, validateCidrSet } from './cidr-set.js';

const o = { clusterCIDR: '10.244.0.0/16', nodeMaskSize: 24 };

describe('cidr set', () => {
  it.each([
    [0, '10.244.0.0/24'],
    [1, '10.244.1.0/24'],
    [255, '10.244.255.0/24'],
  ])('subnet %i is %s', (i, want) => expect(subnetAt(o, i)).toBe(want));

  it.each([
    [[], '10.244.0.0/24'],
    [['10.244.0.0/24'], '10.244.1.0/24'],
    [['10.244.0.0/24', '10.244.2.0/24'], '10.244.1.0/24'],
  ])('with %j used the next is %s', (used, want) => expect(nextFreeCidr(o, new Set(used))).toBe(want));

  it('runs out', () => {
    const small = { clusterCIDR: '10.0.0.0/23', nodeMaskSize: 24 };
    expect(subnetCount(small)).toBe(2);
    expect(nextFreeCidr(small, new Set(['10.0.0.0/24', '10.0.1.0/24']))).toBeUndefined();
  });

  it.each([
    [{ clusterCIDR: '10.244.0.0', nodeMaskSize: 24 }],
    [{ clusterCIDR: '10.244.0.0/16', nodeMaskSize: 8 }],
    [{ clusterCIDR: '10.244.0.0/16', nodeMaskSize: 31 }],
  ])('refuses %j', (bad) => expect(() => validateCidrSet(bad)).toThrow());
});
