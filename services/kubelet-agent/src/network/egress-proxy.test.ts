import { describe, expect, it } from 'vitest';
import { egressProxyEnv, egressVerdict, parseEgressLoopback, parseEgressMode } from './egress-proxy.js';

describe('egressVerdict', () => {
  const o = { clusterCIDR: '10.244.0.0/16', allowLoopback: false };
  it.each([
    ['10.244.3.7', { via: 'pod-network' }],
    ['10.244.255.255', { via: 'pod-network' }],
    ['10.245.0.1', { via: 'host' }],
    ['192.0.2.10', { via: 'host' }],
    ['2001:db8::1', { via: 'host' }],
    ['::ffff:10.244.0.9', { via: 'pod-network' }],
    ['127.0.0.1', { refuse: "127.0.0.1 is the node's loopback (KJOBS_POD_EGRESS_LOOPBACK=allow opens it)" }],
    ['127.200.1.1', { refuse: "127.200.1.1 is the node's loopback (KJOBS_POD_EGRESS_LOOPBACK=allow opens it)" }],
    ['::1', { refuse: "::1 is the node's loopback (KJOBS_POD_EGRESS_LOOPBACK=allow opens it)" }],
    ['0.0.0.0', { refuse: '0.0.0.0 is not a destination' }],
    ['169.254.169.254', { refuse: '169.254.169.254 is link-local' }],
    ['224.0.0.1', { refuse: '224.0.0.1 is multicast or reserved' }],
    ['fe80::1', { refuse: 'fe80::1 is not a destination' }],
  ])('%s → %o', (addr, verdict) => {
    expect(egressVerdict(addr, o)).toEqual(verdict);
  });

  it('opens the loopback only when allowed', () => {
    expect(egressVerdict('127.0.0.1', { ...o, allowLoopback: true })).toEqual({ via: 'host' });
    expect(egressVerdict('::1', { ...o, allowLoopback: true })).toEqual({ via: 'host' });
  });

  it('follows the configured cluster CIDR', () => {
    expect(egressVerdict('10.244.0.1', { ...o, clusterCIDR: '10.50.0.0/16' })).toEqual({ via: 'host' });
    expect(egressVerdict('10.50.9.9', { ...o, clusterCIDR: '10.50.0.0/16' })).toEqual({ via: 'pod-network' });
  });
});

describe('egress settings', () => {
  it('parses the mode and the loopback switch, refusing anything else', () => {
    expect(parseEgressMode(undefined)).toBe('off');
    expect(parseEgressMode('proxy')).toBe('proxy');
    expect(() => parseEgressMode('nat')).toThrow('KJOBS_POD_EGRESS must be off or proxy, not "nat"');
    expect(parseEgressLoopback(undefined)).toBe(false);
    expect(parseEgressLoopback('allow')).toBe(true);
    expect(() => parseEgressLoopback('yes')).toThrow('KJOBS_POD_EGRESS_LOOPBACK must be deny or allow, not "yes"');
  });

  it('names the proxy in both spellings and keeps the cluster off it', () => {
    expect(egressProxyEnv('10.244.2.1', '10.244.0.0/16')).toEqual({
      HTTP_PROXY: 'http://10.244.2.1:3128', HTTPS_PROXY: 'http://10.244.2.1:3128', http_proxy: 'http://10.244.2.1:3128', https_proxy: 'http://10.244.2.1:3128',
      NO_PROXY: 'localhost,127.0.0.1,10.244.0.0/16', no_proxy: 'localhost,127.0.0.1,10.244.0.0/16',
    });
  });
});
