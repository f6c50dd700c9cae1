import type { IncomingMessage } from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { RstStatus } from './spdy-framing.js';
import { SpdySession, type SpdyStream, type SpdyTransport } from './spdy-session.js';

/** The one port-forward protocol kubectl speaks (`X-Stream-Protocol-Version`). */
export const PORT_FORWARD_PROTOCOL = 'portforward.k8s.io';
/** The WebSocket subprotocol of the SPDY tunnel (KEP-4006), kubectl ≥ 1.31's first choice. */
export const TUNNEL_PROTOCOL = `SPDY/3.1+${PORT_FORWARD_PROTOCOL}`;

/** The pod a port-forward connection reaches. */
export interface ForwardTarget {
  name: string;
  uid: string;
  /** The pod's IP (a loopback address on a process-runtime node: the api-server dials it directly). */
  ip: string;
  /** The pod's node and namespace (a pod on the pod network is reached through its node). */
  node?: string;
  namespace?: string;
}

/** Opens the TCP connection to the pod's port (injected in tests). */
export type Dial = (ip: string, port: number, target?: ForwardTarget) => net.Socket;
const dialTcp: Dial = (ip, port) => net.connect({ host: ip, port });

/** A pod connection stops being read above HIGH_WATER bytes unsent to the client, and goes on below LOW_WATER. */
const HIGH_WATER = 1024 * 1024;
const LOW_WATER = 256 * 1024;

/** Whether an upgrade request is the tunnelled (WebSocket) form, the plain SPDY form, or neither. */
export function portForwardTransport(req: IncomingMessage): 'websocket' | 'spdy' | undefined {
  const upgrade = String(req.headers.upgrade ?? '').toLowerCase();
  if (upgrade === 'websocket') return 'websocket';
  if (upgrade === 'spdy/3.1') return 'spdy';
  return undefined;
}

/**
 * `pods/NAME/portforward` on an upgraded connection, both ways kubectl 1.32 asks for it:
 * a WebSocket with subprotocol `SPDY/3.1+portforward.k8s.io` carrying SPDY bytes in binary
 * messages, else (its fallback) an HTTP upgrade to `SPDY/3.1`. `accept` answers the upgrade and
 * serves the session; `refusal` says why a request cannot be accepted (for the caller's 400).
 */
export class PortForwarder {
  private readonly wss = new WebSocketServer({
    noServer: true,
    handleProtocols: (protocols) => (protocols.has(TUNNEL_PROTOCOL) ? TUNNEL_PROTOCOL : false),
  });

  constructor(private readonly dial: Dial = dialTcp) {}

  /** Why this upgrade request cannot be served, or undefined when it can. */
  refusal(req: IncomingMessage): string | undefined {
    const transport = portForwardTransport(req);
    if (transport === 'websocket') {
      const offered = String(req.headers['sec-websocket-protocol'] ?? '').split(',').map((p) => p.trim());
      return offered.includes(TUNNEL_PROTOCOL) ? undefined : `port-forward over WebSocket needs the subprotocol ${TUNNEL_PROTOCOL}`;
    }
    if (transport === 'spdy') {
      const versions = String(req.headers['x-stream-protocol-version'] ?? '').split(',').map((p) => p.trim());
      return versions.includes(PORT_FORWARD_PROTOCOL) ? undefined : `unable to negotiate protocol: client supports ${versions.join(', ')}, server supports ${PORT_FORWARD_PROTOCOL}`;
    }
    return 'port-forward needs an Upgrade to websocket or SPDY/3.1';
  }

  /** Answer the upgrade (call only when `refusal` is undefined) and forward until it closes. */
  accept(req: IncomingMessage, socket: Duplex, head: Buffer, target: ForwardTarget): void {
    if (portForwardTransport(req) === 'websocket') {
      this.wss.handleUpgrade(req, socket, head, (ws) => this.serveTunnel(ws, target));
      return;
    }
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: ${PORT_FORWARD_PROTOCOL}\r\n\r\n`);
    const session = this.serve({ write: (b) => socket.write(b), buffered: () => socket.writableLength, close: () => socket.end() }, target);
    socket.on('data', (b: Buffer) => session.receive(b));
    // The HTTP server's sockets allow half-open: a client that ends its side is gone for good.
    socket.on('end', () => socket.destroy());
    socket.on('close', () => session.closed());
    socket.on('error', () => socket.destroy());
    if (head.length) session.receive(head);
  }

  private serveTunnel(ws: WebSocket, target: ForwardTarget): void {
    const session = this.serve({
      write: (b) => ws.send(b, { binary: true }),
      buffered: () => ws.bufferedAmount,
      close: () => ws.close(1000),
    }, target);
    ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
      // The tunnel carries binary messages only (client-go's TunnelingConnection).
      if (!isBinary) return ws.close(1003, 'binary messages only');
      session.receive(Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer));
    });
    ws.on('close', () => session.closed());
    ws.on('error', () => ws.terminate());
  }

  private serve(transport: SpdyTransport, target: ForwardTarget): SpdySession {
    const pairs = new Map<string, { error?: SpdyStream; data?: SpdyStream }>();
    const session: SpdySession = new SpdySession(transport, (s) => {
      const type = s.headers.streamtype;
      const requestId = s.headers.requestid;
      const port = Number(s.headers.port);
      // kubectl sends both streams of a connection with the same requestID and port.
      if ((type !== 'error' && type !== 'data') || !requestId || !Number.isInteger(port) || port < 1 || port > 65535) {
        s.reset(RstStatus.protocolError);
        return;
      }
      s.reply();
      const pair = pairs.get(requestId) ?? {};
      pair[type] = s;
      pairs.set(requestId, pair);
      if (pair.error && pair.data) {
        pairs.delete(requestId);
        this.forward(session, pair.error, pair.data, port, target);
      }
    });
    return session;
  }

  /**
   * One forwarded connection, as the kubelet does it. Does: 1. dial the pod's port; 2. copy the
   * data stream both ways; 3. when the pod's side ends, FIN the data stream, then the error
   * stream (kubectl waits for both); a failed dial writes the kubelet's message on the error
   * stream instead, which kubectl prints and then drops the connection.
   */
  private forward(session: SpdySession, errorStream: SpdyStream, data: SpdyStream, port: number, target: ForwardTarget): void {
    const sock = this.dial(target.ip, port, target);
    // The pod's output waits while the client is slow (no SPDY flow control to do it for us).
    let paused = false;
    const throttle = () => {
      if (paused || session.buffered() <= HIGH_WATER) return;
      paused = true;
      sock.pause();
      const wait = setInterval(() => {
        if (session.buffered() > LOW_WATER && !sock.destroyed) return;
        clearInterval(wait);
        paused = false;
        sock.resume();
      }, 10);
    };
    let connected = false;
    const finish = () => {
      data.end();
      errorStream.end();
    };
    sock.once('connect', () => (connected = true));
    sock.on('data', (b: Buffer) => {
      data.write(b);
      throttle();
    });
    sock.on('end', finish);
    sock.on('close', finish);
    sock.on('error', (e: NodeJS.ErrnoException) => {
      if (!connected) errorStream.write(Buffer.from(`error forwarding port ${port} to pod ${target.name}, uid ${target.uid}: ${dialError(target.ip, port, e)}`));
      finish();
    });
    data.on('data', (b: Buffer) => sock.write(b));
    data.on('end', () => sock.end());
    data.on('reset', () => sock.destroy());
    errorStream.on('reset', () => sock.destroy());
  }
}

/** Go's wording for a failed dial, as the kubelet reports it. */
function dialError(ip: string, port: number, e: NodeJS.ErrnoException): string {
  const why = e.code === 'ECONNREFUSED' ? 'connect: connection refused' : e.code === 'ETIMEDOUT' ? 'i/o timeout' : e.message;
  return `failed to connect to ${ip}:${port}: dial tcp4 ${ip}:${port}: ${why}`;
}
