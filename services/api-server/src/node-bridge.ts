import { requestStream, StreamError, type LogRequest, type NatsConnection, type Subjects } from '@kjobs/bus';

export type { LogRequest };
import { ApiError } from '@kjobs/api';

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
