import { Duplex } from 'node:stream';
import type { DuplexStream } from './stream.js';

/**
 * Port-forward through the node (`<p>.node.<node>.portforward`, a duplex stream): the api-server
 * asks the pod's agent to open a TCP connection to the pod's port from inside the pod network
 * (as the kubelet does), then the stream's input goes to the pod and its output comes back. A
 * connection that cannot be made is refused before any output, with a StreamError whose message
 * starts with the errno name (`ECONNREFUSED: …`).
 */
export interface PortForwardRequest {
  namespace: string;
  name: string;
  uid: string;
  port: number;
}

/**
 * A socket-like Duplex over a port-forward stream (`open` starts it, pushing the pod's bytes and
 * stopping on `signal`): 'connect' once the agent connected, end when the pod closed, 'error' with
 * the errno name as `code` (ECONNREFUSED, …) when it could not, plus `extra` fields (`address`).
 */
export function portForwardSocket(open: (push: (b: Buffer) => void, signal: AbortSignal) => DuplexStream, extra: Record<string, unknown> = {}): Duplex {
  const abort = new AbortController();
  const sock = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      stream.send(chunk);
      cb();
    },
    final(cb) {
      stream.end();
      cb();
    },
    destroy(err, cb) {
      abort.abort();
      cb(err);
    },
  });
  const stream = open((b) => sock.push(b), abort.signal);
  stream.opened.then(() => sock.emit('connect'), () => undefined);
  stream.done.then(
    () => sock.push(null),
    (e: Error) => {
      const m = /^([A-Z]+): (.*)$/.exec(e.message);
      sock.destroy(Object.assign(new Error(m ? m[2]! : e.message), { code: m ? m[1] : 'EIO', ...extra }));
    },
  );
  return sock;
}
