import { Agent, request } from 'node:http';

/** A reply as the tests compare it. */
export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const keepAlive = new Agent({ keepAlive: true, maxSockets: 32 });

/** One HTTP request to 127.0.0.1:port (keep-alive unless `fresh`). */
export function call(port: number, method: string, path: string, body?: string | Buffer, fresh = false): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const headers = body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) };
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: fresh ? false : keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Drop pooled connections (before a server restart). */
export function resetConnections(): void {
  keepAlive.destroy();
}
