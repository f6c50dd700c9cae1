import { requestDuplex, requestStream, StreamError, type DuplexStream, type ExecRequest, type LogRequest, type NatsConnection, type PortForwardRequest, type Subjects } from '@kjobs/bus';

export type { LogRequest };
import { ApiError } from '@kjobs/api';

/** Node-addressed work over NATS (logs, attach, exec): the api-server side. */
export class NodeBridge {
  constructor(private readonly nc: NatsConnection, private readonly subjects: Subjects) {}

  /** Stream a pod's log from the agent of `node`; errors become ApiErrors. */
  async logs(node: string, req: LogRequest, onChunk: (b: Buffer) => void, signal?: AbortSignal): Promise<void> {
    try {
      await requestStream(this.nc, this.subjects.node(node, 'logs'), req, onChunk, { signal, firstByteMs: 10_000 });
    } catch (e) {
      throw nodeError(e, node, 'Get logs from');
    }
  }

  /**
   * Run a command in a pod's container on `node` (kubectl exec): remotecommand channel chunks
   * both ways. `opened` and `done` reject with ApiErrors; abort `signal` to kill the command.
   */
  exec(node: string, req: ExecRequest, onChunk: (b: Buffer) => void, signal?: AbortSignal): DuplexStream {
    const d = requestDuplex(this.nc, this.subjects.node(node, 'exec'), req, onChunk, { signal, firstByteMs: 10_000 });
    const opened = d.opened.catch((e: unknown) => Promise.reject(nodeError(e, node, 'Exec on')));
    const done = d.done.catch((e: unknown) => Promise.reject(nodeError(e, node, 'Exec on')));
    opened.catch(() => undefined);
    done.catch(() => undefined);
    return { ...d, opened, done };
  }

  /**
   * Open a connection to a pod's port through its node (port-forward on the pod network): bytes
   * both ways. `opened` resolves once the agent connected; `done` rejects with the StreamError
   * (message `ECONNREFUSED: …`) when it could not.
   */
  portForward(node: string, req: PortForwardRequest, onChunk: (b: Buffer) => void, signal?: AbortSignal): DuplexStream {
    const d = requestDuplex(this.nc, this.subjects.node(node, 'portforward'), req, onChunk, { signal, firstByteMs: 10_000 });
    d.opened.catch(() => undefined);
    d.done.catch(() => undefined);
    return d;
  }
}

/** A stream failure as the ApiError kube-apiserver would answer. */
function nodeError(e: unknown, node: string, what: string): unknown {
  if (!(e instanceof StreamError)) return e;
  if (e.code === 503) return new ApiError(500, 'InternalError', `${what} node ${node}: the kubelet-agent did not answer (is it running?)`);
  const reason = e.code === 404 ? 'NotFound' : e.code === 500 ? 'InternalError' : 'BadRequest';
  return new ApiError(e.code, reason, e.message);
}
