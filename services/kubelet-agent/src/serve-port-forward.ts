import net from 'node:net';
import type { Duplex } from 'node:stream';
import { type NatsConnection, type PortForwardRequest, StreamError, type StreamWriter, serveStream } from '@kjobs/bus';
import type { Subscription } from '@nats-io/transport-node';

/** Opens a connection to a pod's port, or says why the pod cannot be reached (a StreamError). */
export type PodDialer = (req: PortForwardRequest) => Duplex;

/**
 * Serve port-forward for this node on `subject` (`<p>.node.<node>.portforward`): dial the pod
 * (from inside the pod network when the pod is on it), refuse with the errno when that fails,
 * else copy the requester's input to the pod and the pod's output back until either side ends.
 */
export function servePortForward(nc: NatsConnection, subject: string, dial: PodDialer): Subscription {
  return serveStream<PortForwardRequest>(nc, subject, (req, out) => forward(req, out, dial));
}

async function forward(req: PortForwardRequest, out: StreamWriter, dial: PodDialer): Promise<void> {
  if (!Number.isInteger(req.port) || req.port < 1 || req.port > 65535) throw new StreamError(400, `invalid port ${req.port}`);
  const sock = dial(req);
  await new Promise<void>((resolve, reject) => {
    sock.once('connect', () => resolve());
    sock.once('error', (e: NodeJS.ErrnoException) => reject(new StreamError(502, `${e.code ?? 'EIO'}: ${e.message}`)));
  });
  await new Promise<void>((resolve) => {
    const onAbort = () => sock.destroy();
    out.signal.addEventListener('abort', onAbort, { once: true });
    out.onInput((chunk) => {
      if (chunk === null) sock.end();
      else sock.write(chunk);
    });
    sock.on('data', (b: Buffer) => out.write(b));
    sock.on('error', () => sock.destroy());
    sock.once('close', () => {
      out.signal.removeEventListener('abort', onAbort);
      resolve();
    });
    sock.once('end', () => sock.end());
  });
}

/** A plain TCP connection from the agent's own network (pods on loopback addresses). */
export function dialDirect(ip: string, port: number): Duplex {
  return net.connect({ host: ip, port });
}
