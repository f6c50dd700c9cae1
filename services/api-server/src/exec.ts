import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket, WebSocketServer } from 'ws';
import { ApiError, badRequest, findResource, type Pod } from '@kjobs/api';
import { ExecChannel, channelChunk, type ExecRequest } from '@kjobs/bus';
import type { ApiService } from './api-service.js';
import type { NodeBridge } from './node-bridge.js';
import { pickContainer } from './registry/pod-log.js';

/** `v5` adds the close signal (channel 255) that ends stdin; `v4` has no way to end it. */
export const V5 = 'v5.channel.k8s.io';
export const V4 = 'v4.channel.k8s.io';

const isTrue = (v: string | null) => v === 'true' || v === '1';

/** The agent's exec request from `pods/NAME/exec?command=…&container=…&stdin=…`, checked as kube-apiserver does. */
export function execRequestFor(pod: Pod, query: URLSearchParams): { node: string; req: ExecRequest } {
  const command = query.getAll('command');
  if (!command.length) throw badRequest('you must specify at least one command for the container');
  const container = pickContainer(pod, query.get('container') ?? undefined);
  const node = pod.spec.nodeName;
  if (!node) throw badRequest(`pod ${pod.metadata.name} does not have a host assigned`);
  const req: ExecRequest = {
    namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', uid: pod.metadata.uid ?? '', container, command,
    stdin: isTrue(query.get('stdin')), stdout: isTrue(query.get('stdout')), stderr: isTrue(query.get('stderr')), tty: isTrue(query.get('tty')),
  };
  if (!req.stdin && !req.stdout && !req.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
  return { node, req };
}

/**
 * `pods/NAME/exec` over WebSocket (`v5`/`v4.channel.k8s.io`). Does:
 * 1. read the pod and build the request (400s as kube-apiserver words them);
 * 2. start the command on the pod's node (`node.<node>.exec`), and answer the upgrade once it
 *    started or the agent refused (container not running, program not found): that refusal goes
 *    on the error channel, as the kubelet's does, so kubectl prints it and does not fall back to
 *    SPDY (which kjobs does not serve for exec);
 * 3. relay channel bytes both ways unchanged; the agent ends with the exit Status on channel 3;
 * 4. close the WebSocket when the command ends; a closed WebSocket kills the command.
 * `reject` answers a refused upgrade (step 1 only).
 */
export async function serveExec(
  api: ApiService, nodes: NodeBridge, wss: WebSocketServer,
  http: { req: IncomingMessage; socket: Duplex; head: Buffer; url: URL; namespace: string; name: string },
  reject: (e: ApiError) => void,
): Promise<void> {
  const ac = new AbortController();
  let ws: WebSocket | undefined;
  const early: Buffer[] = [];
  const deliver = (chunk: Buffer) => (ws ? ws.send(chunk) : early.push(chunk));
  let stream: ReturnType<NodeBridge['exec']>;
  try {
    const pod = (await api.get(findResource('', 'pods')!, http.namespace, http.name)) as Pod;
    const { node, req } = execRequestFor(pod, http.url.searchParams);
    // Only WebSocket is served; a SPDY upgrade (kubectl's fallback) gets the reason above or this.
    if (String(http.req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw badRequest(`kjobs serves exec over WebSocket (${V5}) only`);
    stream = nodes.exec(node, req, deliver, ac.signal);
    // A client gone before the WebSocket is up must not leave the command running.
    http.socket.once('close', () => ws ?? ac.abort());
  } catch (e) {
    ac.abort();
    return reject(e instanceof ApiError ? e : new ApiError(500, 'InternalError', (e as Error).message));
  }
  // Refused or not, the outcome is in `done` (reported below); input waits for `opened` anyway.
  await stream.opened.catch(() => undefined);
  wss.handleUpgrade(http.req, http.socket, http.head, (sock) => {
    ws = sock;
    for (const c of early.splice(0)) sock.send(c);
    const v5 = sock.protocol === V5;
    sock.on('message', (data: Buffer, isBinary: boolean) => {
      const b = isBinary ? Buffer.from(data) : Buffer.from(data.toString());
      if (v5 && b[0] === ExecChannel.close && b[1] === ExecChannel.stdin) stream.end();
      else if (b[0] === ExecChannel.stdin || b[0] === ExecChannel.resize) stream.send(b);
    });
    sock.on('close', () => ac.abort());
    sock.on('error', () => sock.terminate());
    stream.done
      .catch((e: unknown) => {
        const msg = e instanceof Error ? e.message : String(e);
        sock.send(channelChunk(ExecChannel.error, JSON.stringify({ metadata: {}, status: 'Failure', message: msg, reason: e instanceof ApiError ? e.reason : 'InternalError', code: e instanceof ApiError ? e.code : 500 })));
      })
      .finally(() => sock.close(1000));
  });
}
