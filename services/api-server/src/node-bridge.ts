import { requestStream, StreamError, type NatsConnection, type Subjects } from '@kjobs/bus';
import { ApiError } from '@kjobs/api';

/** What the api-server asks a kubelet-agent for a pod's log. */
export interface LogRequest {
  namespace: string;
  name: string;
  uid: string;
  container: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  limitBytes?: number;
}

/** Node-addressed work over NATS (logs, attach): the api-server side. */
export class NodeBridge {
  constructor(private readonly nc: NatsConnection, private readonly subjects: Subjects) {}

  /** Stream a pod's log from the agent of `node`; errors become ApiErrors. */
  async logs(node: string, req: LogRequest, onChunk: (b: Buffer) => void, signal?: AbortSignal): Promise<void> {
    try {
      await requestStream(this.nc, this.subjects.node(node, 'logs'), req, onChunk, { signal, firstByteMs: 10_000 });
    } catch (e) {
      if (e instanceof StreamError) {
        if (e.code === 503) throw new ApiError(500, 'InternalError', `Get logs from node ${node}: the kubelet-agent did not answer (is it running?)`);
        throw new ApiError(e.code, e.code === 404 ? 'NotFound' : 'BadRequest', e.message);
      }
      throw e;
    }
  }
}
