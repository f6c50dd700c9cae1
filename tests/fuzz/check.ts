/** What a correct answer to a hostile request looks like, as checks that return the problem (or undefined). */
import type { RawRequest, RawResponse } from './raw-http.js';

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function describe(r: RawRequest, res: RawResponse): string {
  const body = res.body.subarray(0, 300).toString('utf8');
  return `${r.kind} ${r.method} ${r.path.slice(0, 160)} → ${res.status}${res.error ? ` (${res.error})` : ''} ${body}`;
}

/** A Kubernetes `Status` failure body with a reason and a message, and the HTTP code inside. */
export function statusProblem(body: unknown, code: number): string | undefined {
  const s = body as { kind?: unknown; status?: unknown; reason?: unknown; message?: unknown; code?: unknown } | null;
  if (!s || typeof s !== 'object') return 'body is not a JSON object';
  if (s.kind !== 'Status') return 'kind is not Status';
  if (s.status !== 'Failure') return 'status is not Failure';
  if (typeof s.reason !== 'string' || s.reason === '') return 'no reason';
  if (typeof s.message !== 'string' || s.message === '') return 'no message';
  if (s.code !== code) return `code ${String(s.code)} differs from HTTP ${code}`;
  return undefined;
}

/**
 * The api-server's answer: some answer, never ≥ 500; an error is a Status; a write never succeeds
 * (every generated write is invalid). Requests Node's HTTP parser refuses (kind `protocol:`)
 * never reach the api-server and get Node's bare 4xx.
 */
export function apiAnswerProblem(r: RawRequest, res: RawResponse): string | undefined {
  if (res.status === 0) return `no answer: ${describe(r, res)}`;
  if (res.status >= 500) return `server error: ${describe(r, res)}`;
  if (r.kind.startsWith('protocol:')) return res.status >= 400 ? undefined : `accepted a malformed request: ${describe(r, res)}`;
  if (res.status === 101) return r.kind === 'websocket-upgrade' ? undefined : `unexpected upgrade: ${describe(r, res)}`;
  if (res.status < 400) return WRITES.has(r.method) ? `a hostile write succeeded: ${describe(r, res)}` : undefined;
  if (r.method === 'HEAD') return undefined;
  if (!String(res.headers['content-type'] ?? '').startsWith('application/json')) return `error is not JSON: ${describe(r, res)}`;
  let body: unknown;
  try {
    body = JSON.parse(res.body.toString('utf8'));
  } catch {
    return `error body does not parse: ${describe(r, res)}`;
  }
  const p = statusProblem(body, res.status);
  return p ? `${p}: ${describe(r, res)}` : undefined;
}

/**
 * memq's answer: never ≥ 500; an error (4xx) is kuard's `http.Error`: text/plain, nosniff, the
 * message and a newline (HEAD has no body). Redirects (301/307, httprouter's path cleaning) are
 * answers, not errors.
 */
export function memqAnswerProblem(r: RawRequest, res: RawResponse): string | undefined {
  if (res.status === 0) return `no answer: ${describe(r, res)}`;
  if (res.status >= 500) return `server error: ${describe(r, res)}`;
  if (r.kind.startsWith('protocol:')) return res.status >= 400 ? undefined : `accepted a malformed request: ${describe(r, res)}`;
  if (res.status < 400) return WRITES.has(r.method) && res.status < 300 ? `a hostile write succeeded: ${describe(r, res)}` : undefined;
  if (res.headers['content-type'] !== 'text/plain; charset=utf-8') return `error is not text/plain: ${describe(r, res)}`;
  if (res.headers['x-content-type-options'] !== 'nosniff') return `error lacks nosniff: ${describe(r, res)}`;
  if (r.method === 'HEAD') return undefined;
  const text = res.body.toString('utf8');
  if (!text.endsWith('\n') || text.trim() === '') return `error is not a message line: ${describe(r, res)}`;
  return undefined;
}
