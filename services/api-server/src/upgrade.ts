import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import { ApiError, findResource, type Pod } from '@kjobs/api';
import type { ApiService } from './api-service.js';
import { streamAttach } from './attach.js';
import type { Authenticator } from './auth.js';
import { authorize } from './authz.js';
import { V4, V5, serveExec } from './exec.js';
import { parseResourcePath } from './http/routes.js';
import type { NodeBridge } from './node-bridge.js';
import { PortForwarder } from './portforward/port-forward.js';
import { podDialer } from './portforward/node-dial.js';

const REJECT_REASONS: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound', 500: 'InternalError' };
const PHRASES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

/** Answer an upgrade request with an HTTP error and a Status body (kubectl prints its message). */
export function rejectUpgrade(socket: Duplex, code: number, message: string, reason = REJECT_REASONS[code] ?? 'BadRequest'): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code });
  socket.end(`HTTP/1.1 ${code} ${PHRASES[code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

/**
 * The api-server's `upgrade` listener: `pods/NAME/attach`, `pods/NAME/exec` (WebSocket,
 * `v5`/`v4.channel.k8s.io`) and `pods/NAME/portforward` (WebSocket-tunnelled or plain SPDY/3.1).
 * Authenticates, authorizes `create pods/<subresource>` as kube-apiserver's RBAC does, then hands
 * the connection over. Never throws: an upgrade listener that throws takes the process down.
 */
export function upgradeHandler(api: ApiService, auth: Authenticator, nodes: NodeBridge) {
  const channels = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(V5) ? V5 : protocols.has(V4) ? V4 : false),
  });
  const forwarder = new PortForwarder(podDialer(nodes));
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    let url: URL;
    let route: ReturnType<typeof parseResourcePath>;
    try {
      url = new URL(req.url ?? '/', 'http://x');
      route = parseResourcePath(url.pathname);
    } catch (e) {
      return rejectUpgrade(socket, 400, e instanceof ApiError ? e.message : 'invalid request URL');
    }
    const sub = route?.subresource;
    if (!route || route.res.resource !== 'pods' || !route.name || (sub !== 'attach' && sub !== 'exec' && sub !== 'portforward')) return rejectUpgrade(socket, 404, 'not found');
    const identity = auth.authenticate(req.headers.authorization);
    if (!identity) return rejectUpgrade(socket, 401, 'Unauthorized');
    // kubectl's RBAC for these is `create pods/attach|exec|portforward`; only the stored-object-free rules apply.
    const decision = authorize(identity, { verb: 'create', group: '', resource: 'pods', subresource: sub, namespace: route.namespace, name: route.name });
    if (!decision.allowed) return rejectUpgrade(socket, 403, decision.error.message);
    const { namespace, name } = { namespace: route.namespace, name: route.name };
    const reject = (e: ApiError) => rejectUpgrade(socket, e.code, e.message, e.reason);
    if (sub === 'attach') {
      channels.handleUpgrade(req, socket, head, (ws) => void streamAttach(ws, api, nodes, namespace, name, url.searchParams.get('container') ?? undefined));
    } else if (sub === 'exec') {
      void serveExec(api, nodes, channels, { req, socket, head, url, namespace, name }, reject);
    } else {
      void acceptPortForward(api, forwarder, { req, socket, head, namespace, name }, reject);
    }
  };
}

/**
 * Check the pod (it must run and have an IP) and the protocol, then forward. A pod on a loopback
 * IP (process runtime) is dialed from here; a pod on the pod network through its node's agent
 * (`<p>.node.<node>.portforward`, node-dial.ts).
 */
async function acceptPortForward(
  api: ApiService, forwarder: PortForwarder,
  c: { req: IncomingMessage; socket: Duplex; head: Buffer; namespace: string; name: string },
  reject: (e: ApiError) => void,
): Promise<void> {
  try {
    const pod = (await api.get(findResource('', 'pods')!, c.namespace, c.name)) as Pod;
    if (!pod.spec.nodeName) throw new ApiError(400, 'BadRequest', `pod ${c.name} does not have a host assigned`);
    const ip = pod.status?.podIP;
    if (pod.status?.phase !== 'Running' || !ip) throw new ApiError(400, 'BadRequest', `unable to forward port because pod is not running. Current status=${pod.status?.phase ?? 'Pending'}`);
    const refusal = forwarder.refusal(c.req);
    if (refusal) throw new ApiError(400, 'BadRequest', refusal);
    forwarder.accept(c.req, c.socket, c.head, { name: c.name, uid: pod.metadata.uid ?? '', ip, node: pod.spec.nodeName, namespace: c.namespace });
  } catch (e) {
    reject(e instanceof ApiError ? e : new ApiError(500, 'InternalError', (e as Error).message));
  }
}
