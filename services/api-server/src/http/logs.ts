import type { Response } from 'express';
import type { LogRequest, NodeBridge } from '../node-bridge.js';

/**
 * Stream GET pods/<name>/log, fetched from the owning kubelet-agent over NATS (the request path
 * found the pod and built `lr`). A followed log sends its headers at once; a failure before the
 * first byte is an error answer, after it the stream just ends.
 */
export async function streamLog(nodes: NodeBridge, node: string, lr: LogRequest, res: Response): Promise<void> {
  const ac = new AbortController();
  res.on('close', () => ac.abort());
  let started = false;
  const start = () => {
    if (started) return;
    started = true;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
  };
  if (lr.follow) start();
  try {
    await nodes.logs(node, lr, (chunk) => {
      start();
      res.write(chunk);
    }, ac.signal);
  } catch (e) {
    if (!started) throw e;
  }
  start();
  res.end();
}
