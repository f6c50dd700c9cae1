import { describe, expect, it } from 'vitest';
import { validatePod, validatePodStatusUpdate, validatePodUpdate, UPDATABLE_POD_SPEC_FIELDS } from './pod.js';
import { clone, validPod, type Json } from '../testing/fixtures.js';

const msgs = (causes: { field: string; message: string }[]) => causes.map((c) => `${c.field}: ${c.message}`);
const c0 = (m: Json) => m.spec.containers[0];

describe('validatePod: a defaulted pod is valid', () => {
  it('has no causes', () => {
    expect(validatePod(validPod())).toEqual([]);
  });
});

describe('validatePod: spec rules', () => {
  it.each<[string, (m: Json) => void, string[]]>([
    ['no containers', (m) => { m.spec.containers = []; }, ['spec.containers: Required value']],
    ['missing image', (m) => { delete c0(m).image; }, ['spec.containers[0].image: Required value']],
    ['bad container name', (m) => { c0(m).name = 'Web_1'; }, [
      "spec.containers[0].name: Invalid value: \"Web_1\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name', or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]],
    ['duplicate container names', (m) => { m.spec.containers.push({ ...c0(m) }); }, ['spec.containers[1].name: Duplicate value: "web"']],
    ['init container reusing a name', (m) => { m.spec.initContainers = [{ name: 'web', image: 'busybox' }]; }, ['spec.initContainers[0].name: Duplicate value: "web"']],
    ['unsupported restartPolicy', (m) => { m.spec.restartPolicy = 'Sometimes'; }, ['spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"']],
    ['unsupported dnsPolicy', (m) => { m.spec.dnsPolicy = 'Cloud'; }, ['spec.dnsPolicy: Unsupported value: "Cloud": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"']],
    ['activeDeadlineSeconds 0', (m) => { m.spec.activeDeadlineSeconds = 0; }, ['spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive']],
    ['negative grace period', (m) => { m.spec.terminationGracePeriodSeconds = -5; }, ['spec.terminationGracePeriodSeconds: Invalid value: -5: must be greater than or equal to 0']],
    ['port 0 and 70000', (m) => { c0(m).ports = [{ containerPort: 0 }, { containerPort: 70000, protocol: 'TCP' }]; }, [
      'spec.containers[0].ports[0].containerPort: Required value',
      'spec.containers[0].ports[1].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive',
    ]],
    ['unknown port protocol', (m) => { c0(m).ports = [{ containerPort: 80, protocol: 'HTTP' }]; }, ['spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"']],
    ['duplicate port names', (m) => { c0(m).ports = [{ name: 'http', containerPort: 80 }, { name: 'http', containerPort: 81 }]; }, ['spec.containers[0].ports[1].name: Duplicate value: "http"']],
    ['env var with "="', (m) => { c0(m).env = [{ name: 'A=B', value: '1' }]; }, ["spec.containers[0].env[0].name: Invalid value: \"A=B\": a valid environment variable name must consist only of printable ASCII characters other than '='"]],
    ['env var without name', (m) => { c0(m).env = [{ value: '1' }]; }, ['spec.containers[0].env[0].name: Required value']],
    ['env value and valueFrom', (m) => { c0(m).env = [{ name: 'X', value: '1', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }]; }, ['spec.containers[0].env[0].valueFrom: Invalid value: "": may not be specified when `value` is not empty']],
    ['bad pull policy', (m) => { c0(m).imagePullPolicy = 'Sometimes'; }, ['spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"']],
    ['bad nodeSelector', (m) => { m.spec.nodeSelector = { disk: 'fast ssd' }; }, [expect.stringMatching(/^spec.nodeSelector: Invalid value: "fast ssd": a valid label must be/)] as unknown as string[]],
    ['toleration Exists with value', (m) => { m.spec.tolerations = [{ key: 'k', operator: 'Exists', value: 'v' }]; }, ['spec.tolerations[0].operator: Invalid value: {"key":"k","operator":"Exists","value":"v"}: value must be empty when `operator` is \'Exists\'']],
  ])('%s', (_, edit, want) => {
    expect(msgs(validatePod(validPod(edit)))).toEqual(want);
  });
});

describe('validatePod: resources', () => {
  it.each<[string, Json, string[]]>([
    ['valid requests and limits', { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } }, []],
    ['request above limit', { requests: { cpu: '2000m' }, limits: { cpu: '1' } }, ['spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1']],
    ['unparseable quantity', { requests: { memory: '1 GB' } }, ["spec.containers[0].resources.requests[memory]: Invalid value: \"1 GB\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"]],
    ['negative quantity', { limits: { cpu: '-1' } }, ['spec.containers[0].resources.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0']],
    ['unknown resource', { limits: { gpu: '1' } }, [
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource type or fully qualified',
      'spec.containers[0].resources.limits[gpu]: Invalid value: "gpu": must be a standard resource for containers',
    ]],
    ['extended resource must be whole and equal', { requests: { 'example.com/gpu': '1' }, limits: { 'example.com/gpu': '2' } }, [
      'spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2',
    ]],
    ['extended resource without limit', { requests: { 'example.com/gpu': '1' } }, ['spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources']],
  ])('%s', (_, resources, want) => {
    const pod = validPod();
    c0(pod).resources = resources;
    expect(msgs(validatePod(pod))).toEqual(want);
  });
});

describe('validatePod: probes', () => {
  const probe = (p: Json) => validPod((m) => { c0(m).livenessProbe = p; });
  it.each<[string, Json, string[]]>([
    ['exec', { exec: { command: ['true'] } }, []],
    ['httpGet', { httpGet: { port: 8080, path: '/healthy' } }, []],
    ['named tcp port', { tcpSocket: { port: 'http' } }, []],
    ['no handler', { periodSeconds: 5 }, ['spec.containers[0].livenessProbe: Required value: must specify a handler type']],
    ['two handlers', { exec: { command: ['true'] }, tcpSocket: { port: 80 } }, ['spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type']],
    ['empty exec', { exec: {} }, ['spec.containers[0].livenessProbe.exec.command: Required value']],
    ['bad port', { httpGet: { port: 0 } }, ['spec.containers[0].livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive']],
    ['liveness successThreshold 2', { exec: { command: ['true'] }, successThreshold: 2 }, ['spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1']],
    ['negative timing', { exec: { command: ['true'] }, initialDelaySeconds: -1 }, ['spec.containers[0].livenessProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0']],
  ])('%s', (_, p, want) => {
    expect(msgs(validatePod(probe(p)))).toEqual(want);
  });

  it('a readiness probe may have successThreshold > 1 but no grace period', () => {
    const pod = validPod((m) => { c0(m).readinessProbe = { exec: { command: ['true'] }, successThreshold: 3, terminationGracePeriodSeconds: 5 }; });
    expect(msgs(validatePod(pod))).toEqual(['spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes']);
  });

  it('plain init containers may not have probes', () => {
    const pod = validPod((m) => { m.spec.initContainers = [{ name: 'init', image: 'busybox', livenessProbe: { exec: { command: ['true'] } } }]; });
    expect(msgs(validatePod(pod))).toEqual(['spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always']);
  });
});

describe('validatePodUpdate', () => {
  const old = validPod((m) => { m.metadata.uid = 'u1'; m.spec.activeDeadlineSeconds = 100; });
  const forbiddenMsg = `spec: Forbidden: pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}`;
  it.each<[string, (p: Json) => void, string[]]>([
    ['no change', () => {}, []],
    ['new image', (p) => { c0(p).image = 'busybox:1.36'; }, []],
    ['shorter deadline', (p) => { p.spec.activeDeadlineSeconds = 50; }, []],
    ['longer deadline', (p) => { p.spec.activeDeadlineSeconds = 200; }, ['spec.activeDeadlineSeconds: Invalid value: 200: must be less than or equal to previous value']],
    ['added toleration', (p) => { p.spec.tolerations = [...p.spec.tolerations, { key: 'x', operator: 'Exists' }]; }, []],
    ['changed command', (p) => { c0(p).command = ['sleep', '20']; }, [forbiddenMsg]],
    ['nodeName set by update', (p) => { p.spec.nodeName = 'node-1'; }, [forbiddenMsg]],
    ['added container', (p) => { p.spec.containers.push({ ...c0(p), name: 'b' }); }, ['spec.containers: Forbidden: pod updates may not add or remove containers']],
  ])('%s', (_, edit, want) => {
    const pod = clone(old);
    edit(pod);
    expect(msgs(validatePodUpdate(pod, old))).toEqual(want);
  });
});

describe('validatePodStatusUpdate', () => {
  const terminated = { name: 'web', state: { terminated: { exitCode: 1 } } };
  const running = { name: 'web', state: { running: {} } };
  const base = (policy: string, statuses: Json[]) => validPod((m) => {
    m.metadata.uid = 'u1';
    m.spec.nodeName = 'node-1';
    m.spec.restartPolicy = policy;
    m.status = { phase: 'Running', containerStatuses: statuses };
  });
  it.each<[string, string, Json, Json, string[]]>([
    ['Never: terminated stays terminated', 'Never', terminated, running, ['status.containerStatuses[0]: Forbidden: may not be transitioned to non-terminated state']],
    ['OnFailure may restart a failed container', 'OnFailure', terminated, running, []],
    ['OnFailure may not restart a succeeded one', 'OnFailure', { name: 'web', state: { terminated: { exitCode: 0 } } }, running, ['status.containerStatuses[0]: Forbidden: may not be transitioned to non-terminated state']],
    ['Always restarts anything', 'Always', terminated, running, []],
  ])('%s', (_, policy, before, after, want) => {
    const old = base(policy, [before]);
    const pod = base(policy, [after]);
    expect(msgs(validatePodStatusUpdate(pod, old))).toEqual(want);
  });

  it('nodeName cannot change through status', () => {
    const old = base('Never', []);
    const pod = clone(old);
    pod.spec.nodeName = 'node-2';
    expect(msgs(validatePodStatusUpdate(pod, old))).toEqual(['status.nodeName: Forbidden: may not be changed directly']);
  });
});
