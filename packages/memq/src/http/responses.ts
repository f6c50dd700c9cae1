import type { ServerResponse } from 'node:http';

/**
 * Responses written the way kuard's Go code writes them. Headers are passed as flat arrays to
 * `writeHead` (the fastest form Node accepts); Content-Length is always set explicitly.
 */

const JSON_HEADERS = ['Content-Type', 'application/json', 'Cache-Control', 'no-cache, private, max-age=0', 'Expires', 'Thu, 01 Jan 1970 00:00:00 UTC', 'Pragma', 'no-cache'];

/** apiutils.ServeJSON: `json` (already Go-encoded, no newline) + "\n", no-cache headers. */
export function sendJson(res: ServerResponse, json: string, status = 200): void {
  const body = json + '\n';
  res.writeHead(status, [...JSON_HEADERS, 'Content-Length', String(Buffer.byteLength(body))]);
  res.end(body);
}

/** http.Error: `message\n` as text/plain with nosniff; `extra` adds headers such as Allow. */
export function sendError(res: ServerResponse, status: number, message: string, extra: string[] = []): void {
  const body = message + '\n';
  res.writeHead(status, [
    ...extra,
    'Content-Type', 'text/plain; charset=utf-8',
    'X-Content-Type-Options', 'nosniff',
    'Content-Length', String(Buffer.byteLength(body)),
  ]);
  res.end(body);
}

/** A handler that wrote nothing: status (200) with an empty body and no Content-Type. */
export function sendEmpty(res: ServerResponse, status = 200, extra: string[] = []): void {
  res.writeHead(status, [...extra, 'Content-Length', '0']);
  res.end();
}

/** `w.WriteHeader(204)`: no body, no content headers. */
export function sendNoContent(res: ServerResponse): void {
  res.writeHead(204);
  res.end();
}

/** http.NotFound. */
export function sendNotFound(res: ServerResponse): void {
  sendError(res, 404, '404 page not found');
}

/** Plain text with an explicit content type (the probes use `text/plain`, no nosniff). */
export function sendText(res: ServerResponse, status: number, contentType: string, body: string, extra: string[] = []): void {
  res.writeHead(status, [...extra, 'Content-Type', contentType, 'Content-Length', String(Buffer.byteLength(body))]);
  res.end(body);
}
