import net from 'node:net';
import type { Command } from 'commander';
import type { Pod, Service } from '@kjobs/api';
import { CliError } from '../errors.js';
import type { ProgramContext } from '../program.js';
import { objectPath, resolveResource } from '../resources.js';
import { interruptSignal, type Session } from '../session.js';
import { parseDuration } from '../print/time.js';
import { resolvePod } from './logs.js';

/** One LOCAL:REMOTE pair; local 0 = any free port. */
export interface PortPair {
  local: number;
  remote: number | string;
}

/** Parse kubectl's port arguments: "8080", "8080:80", ":80" (any local port), "8080:http". */
export function parsePortPair(arg: string): PortPair {
  const [l, r] = arg.includes(':') ? arg.split(':', 2) as [string, string] : [arg, arg];
  const local = l === '' ? 0 : Number(l);
  if (!Number.isInteger(local) || local < 0 || local > 65535) throw new CliError(`invalid local port: ${arg}`);
  const remote = /^\d+$/.test(r) ? Number(r) : r;
  if (remote === '' || (typeof remote === 'number' && (remote < 1 || remote > 65535))) throw new CliError(`invalid remote port: ${arg}`);
  return { local, remote };
}

/**
 * The container port a remote port means: for a Service, its port maps to the targetPort
 * (numbered or named); named ports are looked up in the pod's containers.
 */
export function containerPortFor(remote: number | string, pod: Pod, svc?: Service): number {
  let target: number | string = remote;
  if (svc) {
    const sp = svc.spec.ports?.find((p) => p.port === remote || p.name === remote);
    if (!sp) throw new CliError(`Service ${svc.metadata.name} does not have a service port ${remote}`);
    target = sp.targetPort ?? sp.port;
  }
  if (typeof target === 'number') return target;
  for (const c of pod.spec.containers ?? []) {
    const p = c.ports?.find((x) => x.name === target);
    if (p) return p.containerPort;
  }
  throw new CliError(`Pod '${pod.metadata.name}' does not have a named port '${target}'`);
}

const EXAMPLES = `
Examples:
  # The chapter's work queue: forward localhost:8080 to the queue ReplicaSet's pod
  kjobs port-forward rs/queue 8080:8080

  # A pod, two ports
  kjobs port-forward pod/queue-43s87 8080 9090:8080

  # Through a Service (its port maps to the pods' targetPort)
  kjobs port-forward svc/queue 8080:8080`;

/** Register `kjobs port-forward`. */
export function registerPortForward(program: Command, ctx: ProgramContext): void {
  program
    .command('port-forward')
    .description('Forward local ports to a pod (direct TCP to the pod\'s IP: pods run as local processes)')
    .argument('<target>', 'POD, pod/NAME, rs/NAME, job/NAME or svc/NAME')
    .argument('<ports...>', 'LOCAL:REMOTE, PORT, or :REMOTE')
    .option('--address <addresses>', 'local addresses to listen on (comma-separated: 127.0.0.1, localhost, ::1)', 'localhost')
    .option('--pod-running-timeout <duration>', 'how long to wait for a running pod', '1m')
    .addHelpText('after', EXAMPLES)
    .action(async (target: string, ports: string[], opts: { address: string; podRunningTimeout: string }, cmd: Command) =>
      ctx.run(cmd, (s) => runPortForward(s, target, ports, opts)));
}

function listen(server: net.Server, port: number, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as net.AddressInfo).port);
    });
  });
}

/** `kjobs port-forward`: listen locally, proxy each connection to podIP:port, until Ctrl-C. */
export async function runPortForward(s: Session, target: string, portArgs: string[], o: { address: string; podRunningTimeout: string }): Promise<number> {
  const pairs = portArgs.map(parsePortPair);
  const waitMs = parseDuration(o.podRunningTimeout);
  if (waitMs === undefined) throw new CliError(`invalid --pod-running-timeout: ${o.podRunningTimeout}`);
  const isRunning = (p: Pod) => p.status?.phase === 'Running';
  const pod = await resolvePod(s, target, waitMs, target.includes('/') && !/^(pods?|po)\//.test(target) ? isRunning : undefined);
  if (!isRunning(pod)) throw new CliError(`unable to forward port because pod is not running. Current status=${pod.status?.phase ?? 'Unknown'}`);
  const podIP = pod.status?.podIP || pod.status?.hostIP;
  if (!podIP) throw new CliError(`pod ${pod.metadata.name} has no IP yet`);
  let svc: Service | undefined;
  const type = target.includes('/') ? target.split('/')[0]! : 'pod';
  const svcRes = resolveResource('services', await s.discovery());
  if (svcRes && resolveResource(type, await s.discovery()) === svcRes) {
    svc = await s.rest.request<Service>('GET', objectPath(svcRes, s.namespace, target.split('/')[1]!));
  }
  const hosts = o.address.split(',').map((a) => a.trim()).flatMap((a) => (a === 'localhost' ? ['127.0.0.1', '::1'] : [a]));
  const servers: net.Server[] = [];
  const sockets = new Set<net.Socket>();
  for (const pair of pairs) {
    const remote = containerPortFor(pair.remote, pod, svc);
    let local = pair.local;
    let bound = 0;
    for (const host of hosts) {
      const server = net.createServer((client) => {
        s.io.out(`Handling connection for ${local}\n`);
        const upstream = net.connect(remote, podIP);
        for (const sock of [client, upstream]) {
          sockets.add(sock);
          sock.on('close', () => sockets.delete(sock));
        }
        upstream.on('error', (e) => {
          s.io.err(`E${new Date().toISOString()} portforward: error forwarding port ${remote} to pod ${pod.metadata.name}: ${e.message}\n`);
          client.destroy();
        });
        client.on('error', () => upstream.destroy());
        client.pipe(upstream).pipe(client);
      });
      try {
        local = await listen(server, local, host);
        servers.push(server);
        bound++;
        s.io.out(`Forwarding from ${host.includes(':') ? `[${host}]` : host}:${local} -> ${remote}\n`);
      } catch (e) {
        if (host === '::1' && hosts.includes('127.0.0.1')) continue;
        throw new CliError(`unable to listen on port ${local}: ${(e as Error).message}`);
      }
    }
    if (bound === 0) throw new CliError(`unable to listen on any of the requested ports: ${portArgs.join(' ')}`);
  }
  const { signal, dispose } = interruptSignal(s.io);
  await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
  dispose();
  for (const sock of sockets) sock.destroy();
  await Promise.all(servers.map((sv) => new Promise<void>((r) => sv.close(() => r()))));
  return 0;
}
