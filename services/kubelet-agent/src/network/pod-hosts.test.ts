import type { Pod } from '@kjobs/api';
import { describe, expect, it } from 'vitest';
import { podHostsFile, subdomainPeers } from './pod-hosts.js';

const pod = (name: string, ip: string | undefined, sub?: string, hostname?: string): Pod => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', uid: name },
  spec: { containers: [], ...(sub ? { subdomain: sub } : {}), ...(hostname ? { hostname } : {}) },
  ...(ip ? { status: { podIP: ip } } : {}),
} as Pod);

describe('pod hosts file', () => {
  it('without a subdomain: localhost and the pod itself', () => {
    expect(podHostsFile({ podIP: '10.244.0.5', hostname: 'p', namespace: 'ns' }, [{ ip: '10.244.0.6', hostname: 'q' }])).toBe(
      '# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10.244.0.5\tp\n',
    );
  });

  it('with a subdomain: the pod and its peers under their DNS names', () => {
    const f = podHostsFile({ podIP: '10.244.0.5', hostname: 'job-0', subdomain: 'svc1', namespace: 'ns' }, [{ ip: '10.244.1.2', hostname: 'job-1' }]);
    expect(f).toContain('10.244.0.5\tjob-0.svc1.ns.svc.cluster.local\tjob-0.svc1\tjob-0\n');
    expect(f).toContain('10.244.1.2\tjob-1.svc1.ns.svc.cluster.local\tjob-1.svc1\n');
  });

  it('peers: same subdomain, with an address, not itself', () => {
    const self = pod('a', '10.0.0.1', 's', 'job-0');
    const peers = subdomainPeers(self, [self, pod('b', '10.0.0.2', 's', 'job-1'), pod('c', undefined, 's', 'job-2'), pod('d', '10.0.0.4', 'other')]);
    expect(peers).toEqual([{ ip: '10.0.0.2', hostname: 'job-1' }]);
  });
});
