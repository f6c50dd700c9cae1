import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyDefaults } from './apply-defaults.js';
import { generateJobSelector } from './job-defaults.js';
import type { Job, KObject } from '../types.js';

type Json = Record<string, any>;  
const d = (kind: string, obj: Json): Json => applyDefaults(kind, obj as KObject) as Json;

describe('CronJob defaults', () => {
  it('fills policy, suspend and history limits, and only pod defaults in the job template', () => {
    const cj = d('CronJob', { metadata: { name: 'c' }, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }], restartPolicy: 'OnFailure' } } } } } });
    expect(cj.spec).toMatchObject({ concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1 });
    expect(cj.spec.jobTemplate.spec.backoffLimit).toBeUndefined();
    expect(cj.spec.jobTemplate.spec.template.spec.dnsPolicy).toBe('ClusterFirst');
    expect(cj.spec.jobTemplate.spec.template.spec.containers[0].imagePullPolicy).toBe('Always');
  });

  it('keeps a zero history limit', () => {
    expect(d('CronJob', { metadata: { name: 'c' }, spec: { successfulJobsHistoryLimit: 0 } }).spec.successfulJobsHistoryLimit).toBe(0);
  });
});

describe('Service defaults', () => {
  it('fills type, affinity, protocols, target ports and IP family fields', () => {
    const svc = d('Service', { metadata: { name: 'q' }, spec: { ports: [{ port: 8080 }, { port: 9090, targetPort: 'metrics', protocol: 'UDP' }] } });
    expect(svc.spec).toEqual({
      type: 'ClusterIP', sessionAffinity: 'None', internalTrafficPolicy: 'Cluster', ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'],
      ports: [{ port: 8080, protocol: 'TCP', targetPort: 8080 }, { port: 9090, targetPort: 'metrics', protocol: 'UDP' }],
    });
  });

  it('NodePort gets externalTrafficPolicy; ExternalName gets no IP families', () => {
    expect(d('Service', { metadata: { name: 'q' }, spec: { type: 'NodePort', ports: [{ port: 80 }] } }).spec.externalTrafficPolicy).toBe('Cluster');
    const ext = d('Service', { metadata: { name: 'q' }, spec: { type: 'ExternalName', externalName: 'example.com' } });
    expect(ext.spec.ipFamilies).toBeUndefined();
    expect(ext.spec.internalTrafficPolicy).toBeUndefined();
  });
});

describe('ReplicaSet, Namespace, Node, Event, Lease defaults', () => {
  it('ReplicaSet: replicas 1 and template defaults', () => {
    const rs = d('ReplicaSet', { metadata: { name: 'q' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } });
    expect(rs.spec.replicas).toBe(1);
    expect(rs.spec.template.spec.restartPolicy).toBe('Always');
    expect(d('ReplicaSet', { metadata: { name: 'q' }, spec: { replicas: 0 } }).spec.replicas).toBe(0);
  });

  it('Namespace: phase Active, the name label, and the kubernetes finalizer on create only', () => {
    expect(d('Namespace', { metadata: { name: 'team-a' } })).toEqual({
      metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    });
    const stored = d('Namespace', { metadata: { name: 'team-a', uid: 'u' }, spec: { finalizers: [] }, status: { phase: 'Terminating' } });
    expect(stored.spec.finalizers).toEqual([]);
    expect(stored.status.phase).toBe('Terminating');
  });

  it('Node: allocatable defaults to capacity', () => {
    expect(d('Node', { metadata: { name: 'n' }, status: { capacity: { cpu: '4' } } }).status.allocatable).toEqual({ cpu: '4' });
    expect(d('Node', { metadata: { name: 'n' }, status: { capacity: { cpu: '4' }, allocatable: { cpu: '3' } } }).status.allocatable).toEqual({ cpu: '3' });
  });

  it('Event, Lease and unknown kinds come back unchanged', () => {
    for (const kind of ['Event', 'Lease', 'Widget']) {
      const obj = { metadata: { name: 'x' }, spec: { a: 1 } };
      expect(d(kind, obj)).toEqual(obj);
    }
  });
});

describe('applyDefaults never mutates its input', () => {
  it.each(['Pod', 'Job', 'CronJob', 'Service', 'ReplicaSet', 'Namespace', 'Node'])('%s', (kind) => {
    const input: Json = {
      metadata: { name: 'x' },
      spec: {
        containers: [{ name: 'c', image: 'x' }], ports: [{ port: 1 }], template: { spec: { containers: [{ name: 'c', image: 'x' }] } },
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } } },
      },
      status: { capacity: { cpu: '1' } },
    };
    const snapshot = structuredClone(input);
    const out = applyDefaults(kind, input as KObject);
    expect(input).toEqual(snapshot);
    expect(out).not.toBe(input);
  });

  it('tolerates malformed input', () => {
    for (const kind of ['Pod', 'Job', 'CronJob', 'Service', 'ReplicaSet', 'Namespace', 'Node']) {
      expect(() => applyDefaults(kind, { metadata: { name: 'x' }, spec: { containers: 'nope', template: 5, ports: [null, 3], jobTemplate: [] }, status: 'x' } as unknown as KObject)).not.toThrow();
      expect(() => applyDefaults(kind, { metadata: { name: 'x' }, spec: null } as unknown as KObject)).not.toThrow();
    }
  });
});

describe('defaulting never throws, whatever JSON it gets', () => {
  it('applyDefaults and generateJobSelector on arbitrary objects', () => {
    const kinds = ['Pod', 'Job', 'CronJob', 'Service', 'ReplicaSet', 'Namespace', 'Node', 'Event', 'Lease'];
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.jsonValue({ maxDepth: 5 }), (kind, v) => {
        const obj = { metadata: { name: 'x' }, ...(v && typeof v === 'object' && !Array.isArray(v) ? v : { spec: v }) } as KObject;
        const out = applyDefaults(kind, obj);
        if (out.metadata && typeof out.metadata === 'object') generateJobSelector(out as Job);
        return true;
      }),
      { numRuns: 500 },
    );
  });
});
