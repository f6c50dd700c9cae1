import { Agent } from 'node:http';
import { call as httpCall, type Reply } from '@kjobs/memq/testing';

export type { Reply };

const keepAlive = new Agent({ keepAlive: true, maxSockets: 32 });

/** One HTTP request to 127.0.0.1:port (keep-alive unless `fresh`). */
export function call(port: number, method: string, path: string, body?: string | Buffer, fresh = false): Promise<Reply> {
  return httpCall(port, method, path, body, fresh ? false : keepAlive);
}

/** Drop pooled connections (before a server restart). */
export function resetConnections(): void {
  keepAlive.destroy();
}
