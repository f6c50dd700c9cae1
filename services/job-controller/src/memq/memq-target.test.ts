import type { Pod, Service } from '@kjobs/api';
import { describe, expect, it } from 'vitest';
import { type MemqServerUrl, parseMemqServer, resolveServiceTarget } from './memq-target.js';

describe('parseMemqServer', () => {
  it.each<[string, MemqServerUrl | undefined]>([
    ['http://queue:8080/memq/server', { host: 'queue', port: 8080, basePath: '/memq/server', service: { namespace: 'jobs', name: 'queue' } }],
    ['http://queue.other:8080/memq/server/', { host: 'queue.other', port: 8080, basePath: '/memq/server', service: { namespace: 'other', name: 'queue' } }],
    ['http://queue.other.svc.cluster.local/memq/server', { host: 'queue.other.svc.cluster.local', port: 80, basePath: '/memq/server', service: { namespace: 'other', name: 'queue' } }],
    ['http://127.0.0.1:8090/memq/server', { host: '127.0.0.1', port: 8090, basePath: '/memq/server' }],
    ['http://localhost:8090/memq/server', { host: 'localhost', port: 8090, basePath: '/memq/server' }],
    ['http://memq.example.com:8090/memq/server', { host: 'memq.example.com', port: 8090, basePath: '/memq/server' }],
    ['https://queue:8080/memq/server', undefined],
    ['queue:8080', undefined],
  ])('%s', (url, want) => expect(parseMemqServer(url, 'jobs')).toEqual(want));
});

describe('resolveServiceTarget', () => {
  const svc = (targetPort?: number | string): Service =>
    ({ metadata: { name: 'queue' }, spec: { selector: { app: 'q' }, ports: [{ port: 8080, ...(targetPort === undefined ? {} : { targetPort }) }] } }) as Service;
  const pod = (name: string, ready: boolean, phase = 'Running', labels = { app: 'q' }): Pod =>
    ({
      metadata: { name, labels }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ name: 'memq', containerPort: 9000 }] }] },
      status: { phase, podIP: '127.10.0.5', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
    }) as Pod;
  const server = parseMemqServer('http://queue:8080/memq/server', 'default')!;
  const target = (s: Service | undefined, pods: Pod[]) => {
    const t = resolveServiceTarget(server, s, pods);
    return t.kind === 'pod' ? `${t.pod.metadata.name}:${t.port}` : t.message;
  };
  it.each<[string, Service | undefined, Pod[], string]>([
    ['a Ready pod first', svc(), [pod('a', false), pod('b', true)], 'b:8080'],
    ['a Running pod when none is Ready', svc(), [pod('a', false)], 'a:8080'],
    ['targetPort by number', svc(8081), [pod('a', true)], 'a:8081'],
    ['targetPort by the container port name', svc('memq'), [pod('a', true)], 'a:9000'],
    ['a port name the pod lacks', svc('nope'), [pod('a', true)], 'pod "a" has no port named "nope"'],
    ['pods of other labels do not count', svc(), [pod('a', true, 'Running', { app: 'other' })], 'no running pod backs service "queue"'],
    ['finished pods do not count', svc(), [pod('a', true, 'Succeeded')], 'no running pod backs service "queue"'],
    ['no Service', undefined, [], 'service "queue" not found'],
  ])('%s', (_name, s, pods, want) => expect(target(s, pods)).toBe(want));
});
