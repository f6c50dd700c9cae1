import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { ApiError, type Pod } from '@kjobs/api';
import type { ApiService } from './api-service.js';
import type { Authenticator } from './auth.js';
import { authorize } from './authz.js';
import type { NodeBridge } from './node-bridge.js';
import { parseResourcePath } from './http/routes.js';
import { logRequestFor } from './http/logs.js';

const PROTOCOL = 'v5.channel.k8s.io';
const REJECT_REASONS: Record<number, string> = { 400: 'BadRequest', 401: 'Unauthorized', 403: 'Forbidden', 404: 'NotFound' };

/**
 * `pods/<name>/attach` over WebSocket (`v5.channel.k8s.io`), as `kubectl run -i` uses it: the
 * container's output, from its start, on channel 1, then a Status on channel 3 with the exit code.
 * Stdin (channel 0) is accepted and discarded: pods here have no terminal.
 */
export function attachUpgradeHandler(api: ApiService, auth: Authenticator, nodes: NodeBridge) {
  const wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(PROTOCOL) ? PROTOCOL : false),
  });
  return (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const reject = (code: number, msg: string, phrase = msg) => {
      const reason = REJECT_REASONS[code] ?? 'BadRequest';
      socket.end(`HTTP/1.1 ${code} ${phrase}\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n${JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: msg, reason, code })}`);
    };
    // An upgrade listener that throws takes the whole process down: a bad URL is a 400 here.
    let url: URL;
    let route: ReturnType<typeof parseResourcePath>;
    try {
      url = new URL(req.url ?? '/', 'http://x');
      route = parseResourcePath(url.pathname);
    } catch (e) {
      return reject(400, e instanceof ApiError ? e.message : 'invalid request URL', 'Bad Request');
    }
    if (!route || route.res.resource !== 'pods' || !route.name || (route.subresource !== 'attach' && route.subresource !== 'exec')) return reject(404, 'not found');
    const identity = auth.authenticate(req.headers.authorization);
    if (!identity) return reject(401, 'Unauthorized');
    // kubectl's RBAC for attach/exec is `create pods/attach` (and `pods/exec`); only the stored-object-free rules apply.
    const decision = authorize(identity, { verb: 'create', group: '', resource: 'pods', subresource: route.subresource, namespace: route.namespace, name: route.name });
    if (!decision.allowed) return reject(403, decision.error.message, 'Forbidden');
    if (route.subresource === 'exec') return reject(400, 'exec is not supported by kjobs: containers are host processes');
    wss.handleUpgrade(req, socket, head, (ws) => {
      void streamAttach(ws, api, nodes, route.namespace, route.name!, url.searchParams.get('container') ?? undefined);
    });
  };
}

async function streamAttach(ws: WebSocket, api: ApiService, nodes: NodeBridge, namespace: string, name: string, container?: string): Promise<void> {
  const ac = new AbortController();
  ws.on('close', () => ac.abort());
  ws.on('message', () => undefined);
  const status = (s: object) => ws.send(Buffer.concat([Buffer.from([3]), Buffer.from(JSON.stringify(s))]));
  try {
    const res = (await import('@kjobs/api')).findResource('', 'pods')!;
    const pod = (await api.get(res, namespace, name)) as Pod;
    const { node, req } = logRequestFor(pod, { container, follow: 'true' });
    await nodes.logs(node, req, (chunk) => ws.send(Buffer.concat([Buffer.from([1]), chunk])), ac.signal);
    const fresh = (await api.get(res, namespace, name).catch(() => pod)) as Pod;
    const cs = fresh.status?.containerStatuses?.find((c) => c.name === req.container);
    const code = cs?.state?.terminated?.exitCode ?? cs?.lastState?.terminated?.exitCode ?? 0;
    status(code === 0
      ? { metadata: {}, status: 'Success' }
      : { metadata: {}, status: 'Failure', message: `command terminated with non-zero exit code: exit status ${code}`, reason: 'NonZeroExitCode', details: { causes: [{ reason: 'ExitCode', message: String(code) }] } });
  } catch (e) {
    const msg = e instanceof ApiError ? e.message : String((e as Error).message);
    status({ metadata: {}, status: 'Failure', message: msg });
  }
  ws.close(1000);
}
