/**
 * QueueStats against a real MemQ HTTP server (the routes kuard and services/memq serve) and, for a
 * pod off the loopback network, through a node's port-forward stream on a real NATS server.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import type { Job, Pod, Service } from '@kjobs/api';
import { type NatsConnection, type PortForwardRequest, Subjects, StreamError, connectBus, serveStream } from '@kjobs/bus';
import { MemoryBroker, createMemqHandler } from '@kjobs/memq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { podDialer } from './pod-dial.js';
import { QueueStats } from './queue-stats.js';

let server: Server;
let port = 0;
const broker = new MemoryBroker();
let nc: NatsConnection;
let agentNc: NatsConnection;
const subjects = new Subjects(`t${randomBytes(5).toString('hex')}`);
/** What the fake node agent dialled, for the assertions. */
const dialled: PortForwardRequest[] = [];

beforeAll(async () => {
  server = createServer(createMemqHandler(broker));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
  nc = await connectBus({ url: process.env.NATS_URL });
  agentNc = await connectBus({ url: process.env.NATS_URL });
  // node-2's agent, as kubelet-agent's servePortForward does it: the pod (10.244.x, off this
  // host's network) stands for the MemQ server on loopback, the only address a test may dial.
  serveStream<PortForwardRequest>(agentNc, subjects.node('node-2', 'portforward'), async (req, out) => {
    dialled.push(req);
    if (req.name !== 'queue-abc') throw new StreamError(502, 'ECONNREFUSED: connect ECONNREFUSED');
    const sock = net.connect({ host: '127.0.0.1', port });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    await new Promise<void>((resolve) => {
      out.onInput((chunk) => (chunk === null ? sock.end() : sock.write(chunk)));
      sock.on('data', (b: Buffer) => out.write(b));
      sock.once('close', () => resolve());
    });
  });
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await nc?.close();
  await agentNc?.close();
});

const job = (annotations: Record<string, string>, uid = randomBytes(4).toString('hex')): Job =>
  ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'consumers', namespace: 'default', uid, annotations }, spec: { template: { spec: { containers: [] } } } }) as Job;

const queueService: Service = {
  apiVersion: 'v1', kind: 'Service', metadata: { name: 'queue', namespace: 'default' },
  spec: { selector: { app: 'work-queue' }, ports: [{ port: 8080, targetPort: 8080 }] },
} as Service;
const queuePod = (name: string, ip: string, phase = 'Running'): Pod =>
  ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: { app: 'work-queue' } },
    spec: { nodeName: 'node-2', containers: [{ name: 'queue', image: 'kuard' }] },
    status: { phase, podIP: ip, conditions: [{ type: 'Ready', status: 'True' }] },
  }) as Pod;

function stats(pods: Pod[], opts: { defaultServer?: string } = {}): QueueStats {
  return new QueueStats({
    getService: async (_ns, name) => (name === 'queue' ? queueService : undefined),
    podsIn: () => pods,
    dialPod: podDialer(nc, subjects),
    ...opts,
  });
}

describe('QueueStats', () => {
  it('reads depth and leases in flight from the memq service as given (loopback)', async () => {
    await broker.createQueue('direct');
    for (const b of ['a', 'b', 'c']) await broker.enqueue('direct', b);
    const leased = await broker.dequeueWithLease('direct', 60_000);
    const obs = await stats([], { defaultServer: `http://127.0.0.1:${port}/memq/server` }).observe(job({ 'kjobs.io/memq-queue': 'direct' }), 'direct');
    expect(obs).toEqual({ kind: 'stats', depth: 2, inFlight: 1 });
    await broker.ack('direct', leased!.leaseId);
  });

  it('asks a pod of the Service through its node when the pod is on the pod network', async () => {
    await broker.createQueue('keygen');
    await broker.enqueue('keygen', 'x');
    const j = job({ 'kjobs.io/memq-queue': 'keygen', 'kjobs.io/memq-server': 'http://queue:8080/memq/server' });
    const obs = await stats([queuePod('queue-old', '10.244.1.7', 'Succeeded'), queuePod('queue-abc', '10.244.1.8')]).observe(j, 'keygen');
    expect(obs).toEqual({ kind: 'stats', depth: 1, inFlight: 0 });
    expect(dialled.at(-1)).toEqual({ namespace: 'default', name: 'queue-abc', uid: 'uid-queue-abc', port: 8080 });
  });

  it.each<[string, Record<string, string>, Pod[], RegExp | { kind: string }]>([
    ['a queue the server does not have', { 'kjobs.io/memq-server': 'http://queue:8080/memq/server' }, [queuePod('queue-abc', '10.244.1.8')], { kind: 'missing' }],
    ['no running pod behind the Service', { 'kjobs.io/memq-server': 'http://queue:8080/memq/server' }, [queuePod('queue-x', '10.244.1.9', 'Pending')], /no running pod backs service "queue"/],
    ['a Service that does not exist', { 'kjobs.io/memq-server': 'http://nope:8080/memq/server' }, [], /service "nope" not found/],
    ['a port the Service does not have', { 'kjobs.io/memq-server': 'http://queue:9999/memq/server' }, [], /service "queue" has no port 9999/],
    ['the node cannot connect to the pod', { 'kjobs.io/memq-server': 'http://queue:8080/memq/server' }, [queuePod('queue-dead', '10.244.1.10')], /connect ECONNREFUSED/],
    ['not an http URL', { 'kjobs.io/memq-server': 'ftp://queue/memq' }, [], /is not an http:\/\/ URL/],
    ['no server and no memq service', {}, [], /no MemQ server: set kjobs.io\/memq-server/],
  ])('%s', async (_name, annotations, pods, want) => {
    const obs = await stats(pods).observe(job({ 'kjobs.io/memq-queue': 'absent', ...annotations }), 'absent');
    if (want instanceof RegExp) expect(obs).toMatchObject({ kind: 'unreachable', message: expect.stringMatching(want) });
    else expect(obs).toEqual(want);
  });

  it('looks at most once per interval per Job', async () => {
    await broker.createQueue('cached');
    let clock = 1_000;
    const s = new QueueStats({ getService: async () => undefined, podsIn: () => [], dialPod: podDialer(nc, subjects), defaultServer: `http://127.0.0.1:${port}/memq/server`, minIntervalMs: 1000, now: () => clock });
    const j = job({ 'kjobs.io/memq-queue': 'cached' });
    expect(await s.observe(j, 'cached')).toEqual({ kind: 'stats', depth: 0, inFlight: 0 });
    await broker.enqueue('cached', 'late');
    clock += 999;
    expect(await s.observe(j, 'cached')).toEqual({ kind: 'stats', depth: 0, inFlight: 0 });
    clock += 1;
    expect(await s.observe(j, 'cached')).toEqual({ kind: 'stats', depth: 1, inFlight: 0 });
    // A change of the Job's pods: a fresh look at once.
    await broker.enqueue('cached', 'later');
    expect(await s.observe(j, 'cached', 'pod-1:Succeeded')).toEqual({ kind: 'stats', depth: 2, inFlight: 0 });
  });
});
