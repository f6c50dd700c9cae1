import type { WebSocket } from 'ws';
import { ApiError, findResource, type Pod } from '@kjobs/api';
import { ExecChannel, channelChunk, exitCodeStatus } from '@kjobs/bus';
import type { ApiService } from './api-service.js';
import type { NodeBridge } from './node-bridge.js';
import { logRequestFor } from './registry/pod-log.js';

/**
 * `pods/<name>/attach` over WebSocket (`v5.channel.k8s.io`), as `kubectl run -i` uses it: the
 * container's output, from its start, on channel 1, then a Status on channel 3 with the exit code.
 * Stdin (channel 0) is accepted and discarded: pods here have no terminal. (upgrade.ts routes here.)
 */
export async function streamAttach(ws: WebSocket, api: ApiService, nodes: NodeBridge, namespace: string, name: string, container?: string): Promise<void> {
  const ac = new AbortController();
  ws.on('close', () => ac.abort());
  ws.on('message', () => undefined);
  const status = (s: object) => ws.send(channelChunk(ExecChannel.error, JSON.stringify(s)));
  try {
    const res = findResource('', 'pods')!;
    const pod = (await api.get(res, namespace, name)) as Pod;
    const { node, req } = logRequestFor(pod, { container, follow: 'true' });
    await nodes.logs(node, req, (chunk) => ws.send(channelChunk(ExecChannel.stdout, chunk)), ac.signal);
    const fresh = (await api.get(res, namespace, name).catch(() => pod)) as Pod;
    const cs = fresh.status?.containerStatuses?.find((c) => c.name === req.container);
    status(exitCodeStatus(cs?.state?.terminated?.exitCode ?? cs?.lastState?.terminated?.exitCode ?? 0));
  } catch (e) {
    const msg = e instanceof ApiError ? e.message : String((e as Error).message);
    status({ metadata: {}, status: 'Failure', message: msg });
  }
  ws.close(1000);
}
