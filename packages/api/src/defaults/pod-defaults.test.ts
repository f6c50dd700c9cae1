import { describe, expect, it } from 'vitest';
import { applyDefaults } from './apply-defaults.js';
import { defaultImagePullPolicy, imageTag } from './pod-defaults.js';
import type { KObject } from '../types.js';

type Json = Record<string, any>;  

describe('image pull policy', () => {
  it.each([
    ['busybox', 'latest', 'Always'],
    ['busybox:latest', 'latest', 'Always'],
    ['busybox:1.36', '1.36', 'IfNotPresent'],
    ['gcr.io/kuar-demo/kuard-amd64:blue', 'blue', 'IfNotPresent'],
    ['localhost:5000/app', 'latest', 'Always'],
    ['localhost:5000/app:v2', 'v2', 'IfNotPresent'],
    ['app@sha256:0123', '', 'IfNotPresent'],
    ['app:v1@sha256:0123', 'v1', 'IfNotPresent'],
    ['Upper/Case', '', 'IfNotPresent'],
    ['', '', 'IfNotPresent'],
  ])('%j → tag %j → %s', (image, tag, policy) => {
    expect(imageTag(image)).toBe(tag);
    expect(defaultImagePullPolicy(image)).toBe(policy);
  });
});

describe('Pod defaults', () => {
  const pod = (spec: Json): Json => applyDefaults('Pod', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec } as KObject) as Json;

  it('fills the pod and container defaults Kubernetes shows in `get -o yaml`', () => {
    const p = pod({ containers: [{ name: 'c', image: 'busybox', ports: [{ containerPort: 80 }] }] });
    expect(p.spec).toEqual({
      containers: [{
        name: 'c', image: 'busybox', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
      }],
      restartPolicy: 'Always',
      dnsPolicy: 'ClusterFirst',
      schedulerName: 'default-scheduler',
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      enableServiceLinks: true,
      priority: 0,
      preemptionPolicy: 'PreemptLowerPriority',
      tolerations: [
        { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
        { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      ],
    });
  });

  it('keeps what the user set', () => {
    const spec = {
      containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'Never', terminationMessagePolicy: 'FallbackToLogsOnError' }],
      restartPolicy: 'Never', dnsPolicy: 'Default', terminationGracePeriodSeconds: 0, schedulerName: 'mine', enableServiceLinks: false,
      tolerations: [{ operator: 'Exists' }],
    };
    const p = pod(spec);
    expect(p.spec.containers[0].imagePullPolicy).toBe('Never');
    expect(p.spec.containers[0].terminationMessagePolicy).toBe('FallbackToLogsOnError');
    expect(p.spec).toMatchObject({ restartPolicy: 'Never', dnsPolicy: 'Default', terminationGracePeriodSeconds: 0, schedulerName: 'mine', enableServiceLinks: false });
    expect(p.spec.tolerations).toEqual([{ operator: 'Exists' }]);
  });

  it('defaults probes, env field references and requests from limits', () => {
    const p = pod({
      initContainers: [{ name: 'init', image: 'busybox:1' }],
      containers: [{
        name: 'c', image: 'busybox:1',
        livenessProbe: { httpGet: { port: 8080 } },
        readinessProbe: { exec: { command: ['true'] }, periodSeconds: 2 },
        env: [{ name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
        resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '100m' } },
      }],
    });
    const c = p.spec.containers[0];
    expect(c.livenessProbe).toEqual({ httpGet: { port: 8080, path: '/', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });
    expect(c.readinessProbe.periodSeconds).toBe(2);
    expect(c.env[0].valueFrom.fieldRef.apiVersion).toBe('v1');
    expect(c.resources.requests).toEqual({ cpu: '100m', memory: '1Gi' });
    expect(p.spec.initContainers[0].imagePullPolicy).toBe('IfNotPresent');
  });

  it('with hostNetwork a container port is also the host port', () => {
    const p = pod({ hostNetwork: true, containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 8080 }] }] });
    expect(p.spec.containers[0].ports[0].hostPort).toBe(8080);
  });
});
