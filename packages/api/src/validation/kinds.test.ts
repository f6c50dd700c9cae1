import { describe, expect, it } from 'vitest';
import { applyDefaults } from '../defaults/apply-defaults.js';
import type { KObject } from '../types.js';
import { validateEvent } from './event.js';
import { validateLease } from './lease.js';
import { validateNamespace } from './namespace.js';
import { validateNode } from './node.js';
import { validateReplicaSet, validateReplicaSetUpdate } from './replicaset.js';
import { validateService, validateServiceUpdate } from './service.js';
import { clone, type Json } from '../testing/fixtures.js';

const msgs = (causes: { field: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);
const defaulted = (kind: string, m: Json) => applyDefaults(kind, m as KObject) as Json;

function service(edit: (m: Json) => void = () => {}): Json {
  const m: Json = {
    apiVersion: 'v1', kind: 'Service',
    metadata: { name: 'queue', namespace: 'default', labels: { app: 'work-queue' } },
    spec: { ports: [{ port: 8080, protocol: 'TCP', targetPort: 8080 }], selector: { app: 'work-queue', component: 'queue' } },
  };
  edit(m);
  return defaulted('Service', m);
}

function replicaSet(edit: (m: Json) => void = () => {}): Json {
  const labels = { app: 'work-queue', component: 'queue', chapter: 'jobs' };
  const m: Json = {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'queue', namespace: 'default', labels },
    spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'queue', image: 'gcr.io/kuar-demo/kuard-amd64:blue' }] } } },
  };
  edit(m);
  return defaulted('ReplicaSet', m);
}

describe('Service', () => {
  it.each<[string, (m: Json) => void, string[]]>([
    ['the chapter service', () => {}, []],
    ['a name starting with a digit', (m) => { m.metadata.name = '1queue'; }, [
      "metadata.name: Invalid value: \"1queue\": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name', or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]],
    ['no ports', (m) => { m.spec.ports = []; }, ['spec.ports: Required value']],
    ['headless without ports', (m) => { m.spec.ports = []; m.spec.clusterIP = 'None'; }, []],
    ['port out of range', (m) => { m.spec.ports[0].port = 70000; m.spec.ports[0].targetPort = 80; }, ['spec.ports[0].port: Invalid value: 70000: must be between 1 and 65535, inclusive']],
    ['two unnamed ports', (m) => { m.spec.ports.push({ port: 9090 }); }, ['spec.ports[0].name: Required value', 'spec.ports[1].name: Required value']],
    ['duplicate port names', (m) => { m.spec.ports = [{ name: 'http', port: 80 }, { name: 'http', port: 81 }]; }, ['spec.ports[1].name: Duplicate value: "http"']],
    ['bad protocol', (m) => { m.spec.ports[0].protocol = 'ICMP'; }, ['spec.ports[0].protocol: Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"']],
    ['bad type', (m) => { m.spec.type = 'Magic'; }, ['spec.type: Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"']],
  ])('%s', (_, edit, want) => {
    expect(msgs(validateService(service(edit)))).toEqual(want);
  });

  it('an allocated cluster IP may not change', () => {
    const old = service((m) => { m.metadata.uid = 'u'; m.spec.clusterIP = '10.96.0.10'; m.spec.clusterIPs = ['10.96.0.10']; });
    const svc = clone(old);
    svc.spec.clusterIP = '10.96.0.11';
    svc.spec.clusterIPs = ['10.96.0.11'];
    expect(msgs(validateServiceUpdate(svc, old))).toEqual(['spec.clusterIPs[0]: Invalid value: ["10.96.0.11"]: may not change once set']);
  });
});

describe('ReplicaSet', () => {
  it.each<[string, (m: Json) => void, string[]]>([
    ['the chapter replicaset', () => {}, []],
    ['negative replicas', (m) => { m.spec.replicas = -1; }, ['spec.replicas: Invalid value: -1: must be greater than or equal to 0']],
    ['no selector', (m) => { delete m.spec.selector; }, ['spec.selector: Required value']],
    ['empty selector', (m) => { m.spec.selector = {}; }, ['spec.selector: Invalid value: {}: empty selector is invalid for deployment']],
    ['selector not matching', (m) => { m.spec.selector = { matchLabels: { app: 'other' } }; }, [
      'spec.template.metadata.labels: Invalid value: {"app":"work-queue","chapter":"jobs","component":"queue"}: `selector` does not match template `labels`',
    ]],
    ['restartPolicy OnFailure', (m) => { m.spec.template.spec.restartPolicy = 'OnFailure'; }, ['spec.template.spec.restartPolicy: Unsupported value: "OnFailure": supported values: "Always"']],
  ])('%s', (_, edit, want) => {
    expect(msgs(validateReplicaSet(replicaSet(edit)))).toEqual(want);
  });

  it('the selector is immutable', () => {
    const old = replicaSet((m) => { m.metadata.uid = 'u'; });
    const rs = clone(old);
    rs.spec.selector = { matchLabels: { app: 'work-queue' } };
    expect(msgs(validateReplicaSetUpdate(rs, old))).toEqual(['spec.selector: Invalid value: {"matchLabels":{"app":"work-queue"}}: field is immutable']);
  });
});

describe('Namespace, Node, Event, Lease', () => {
  it('namespaces are DNS labels without a namespace', () => {
    expect(validateNamespace(defaulted('Namespace', { metadata: { name: 'team-a' } }))).toEqual([]);
    expect(msgs(validateNamespace({ metadata: { name: 'team.a' } }))).toEqual(['metadata.name: Invalid value: "team.a": must not contain dots']);
    expect(msgs(validateNamespace({ metadata: { name: 'a' }, spec: { finalizers: ['custom'] } }))).toEqual([
      'spec.finalizers: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
    ]);
  });

  it('nodes: unique taints, valid effects and quantities', () => {
    const node = { metadata: { name: 'node-1' }, spec: { taints: [{ key: 'k', effect: 'NoSchedule' }, { key: 'k', effect: 'NoSchedule' }, { key: 'j', effect: 'Sometimes' }] }, status: { capacity: { cpu: '4', memory: 'lots' } } };
    expect(msgs(validateNode(node))).toEqual([
      'spec.taints[1]: Duplicate value: {"effect":"NoSchedule","key":"k"}: taints must be unique by key and effect pair',
      'spec.taints[2].effect: Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      "status.capacity[memory]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ]);
    expect(validateNode({ metadata: { name: 'node-1' }, status: { capacity: { cpu: '4', memory: '8Gi', pods: '110' } } })).toEqual([]);
  });

  it('events need an involvedObject in their namespace', () => {
    const ev = { metadata: { name: 'pi.1', namespace: 'default' }, involvedObject: { kind: 'Job', namespace: 'default', name: 'pi' }, reason: 'SuccessfulCreate', type: 'Normal' };
    expect(validateEvent(ev)).toEqual([]);
    expect(msgs(validateEvent({ ...ev, involvedObject: undefined }))).toEqual(['involvedObject: Required value']);
    expect(msgs(validateEvent({ ...ev, involvedObject: { kind: 'Job', namespace: 'other', name: 'pi' } }))).toEqual([
      'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
    ]);
    expect(msgs(validateEvent({ ...ev, involvedObject: { kind: 'Node', namespace: 'default', name: 'n1' } }))).toEqual([
      'involvedObject.namespace: Invalid value: "default": not allowed for kind Node',
    ]);
  });

  it('leases need a positive duration', () => {
    expect(validateLease({ metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } })).toEqual([]);
    expect(msgs(validateLease({ metadata: { name: 'node-1', namespace: 'kube-node-lease' }, spec: { leaseDurationSeconds: 0, leaseTransitions: -1 } }))).toEqual([
      'spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0',
      'spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0',
    ]);
  });
});
