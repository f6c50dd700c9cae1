import { describe, expect, it } from 'vitest';
import { podNetworkConfList, resultIPv4 } from './cni.js';

describe('cni conf', () => {
  it('gives the bridge plugin host-local over the pod CIDR, no masquerade', () => {
    const l = podNetworkConfList({ podCIDR: '10.244.1.0/24', gateway: '10.244.1.1', bridge: 'cni0', dataDir: '/d' });
    expect(l.cniVersion).toBe('1.0.0');
    expect(l.plugins[0]).toMatchObject({ type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: false, ipam: { type: 'host-local', dataDir: '/d', ranges: [[{ subnet: '10.244.1.0/24', gateway: '10.244.1.1' }]] } });
  });

  it.each([
    [{ ips: [{ address: '10.244.1.5/24' }] }, '10.244.1.5'],
    [{ ips: [{ address: 'fd00::5/64' }, { address: '10.0.0.2/8' }] }, '10.0.0.2'],
    [{}, undefined],
    [undefined, undefined],
  ])('the IPv4 address of %j', (r, want) => expect(resultIPv4(r as Record<string, unknown> | undefined)).toBe(want));
});
