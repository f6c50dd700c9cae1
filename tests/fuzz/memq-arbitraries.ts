/**
 * Hostile requests for the memq service (kuard's MemQ API plus the lease extension). Each is
 * invalid: queues that do not exist (traversal, NUL, escapes, unicode, 8k-char names), the one
 * existing queue (`EXISTING_QUEUE`) only with requests that must fail (bad lease durations, forged
 * lease ids, a second create, oversized items), wrong methods, unclean paths, junk parameters,
 * malformed HTTP. None may change what Redis holds.
 */
import fc from 'fast-check';
import type { RawRequest } from './raw-http.js';

/** The queue the fixture creates (with one item) before the run. */
export const EXISTING_QUEUE = 'fuzz-q';

const PREFIXES = ['/memq/server', '/a/memq/server', '/b/memq/server', '/c/memq/server'];

const HOSTILE_QUEUES = [
  '..', '.', '%2e%2e', '..%2F..%2Fetc%2Fpasswd', '%2F', 'a%2Fb', '%00', 'a%00b', '%25', '%3A', 'a%3Ab%3Ac', 'q%3Aitems', '%7Bmemq%7D', '*', '%2A',
  '%3F', '%23', '%20', 'UPPER', 'fuzz-Q', `${EXISTING_QUEUE}%00`, `${EXISTING_QUEUE}%20`, '%F0%9F%92%A3', '%EF%BF%BF', '%C0%AE', 'queues', 'stats', 'x'.repeat(8_000),
];

const queueName: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_QUEUES) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', minLength: 1, maxLength: 30 }).map((s) => encodeURIComponent(`missing-${s}`)) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 10 }).map((s) => encodeURIComponent(`${s}-missing`)) },
);

const leaseValue = fc.oneof(
  // All refused by parseLeaseDuration (Go accepts `1h1h`, so it is not here); the last ones pass
  // Go's longest duration (a lease expiring past the last valid date once answered 500).
  fc.constantFrom('2562048h', '9999999999999999h', '99999999999999999999', '1e400', '', 'abc', '-1s', '0', '0s', '0.0', '-5', '1x', '1e400', 'NaN', 'Infinity', '1.5.5s', 's', '%00', '💣', '1 s', '1s ', '+1s', '1S', '1d'),
  fc.string({ unit: 'binary', maxLength: 12 }).filter((s) => !/^\d/.test(s)),
);

const junkBody = fc.oneof(
  fc.uint8Array({ maxLength: 2_000 }).map((b) => Buffer.from(b)),
  fc.constantFrom('{', '{"a":', '\u0000', '💣'.repeat(1000), '<xml/>').map((s) => Buffer.from(s)),
  fc.integer({ min: 10_000, max: 1_000_000 }).map((n) => Buffer.alloc(n, 0x78)),
);

export function hostileMemqRequest(): fc.Arbitrary<RawRequest> {
  const base = fc.constantFrom(...PREFIXES);
  const body = (b: Buffer) => ({ body: b, headers: { 'content-type': 'application/octet-stream' } });

  const missingQueue = fc.tuple(base, queueName, fc.constantFrom('DELETE', 'drain', 'enqueue', 'dequeue', 'lease', 'ack'), junkBody, leaseValue)
    .map(([b, q, op, data, lease]) => {
      const path = op === 'DELETE' ? `${b}/queues/${q}` : op === 'lease' ? `${b}/queues/${q}/dequeue?lease=${encodeURIComponent(lease || '30s')}` : op === 'ack' ? `${b}/queues/${q}/ack/${'f'.repeat(32)}` : `${b}/queues/${q}/${op}`;
      return { kind: `missing-queue:${op}`, method: op === 'DELETE' ? 'DELETE' : 'POST', path, ...(op === 'enqueue' ? body(data) : {}) };
    });

  const existingQueue = fc.tuple(base, fc.oneof(
    leaseValue.map((l) => ({ kind: 'existing:bad-lease', method: 'POST', path: `/queues/${EXISTING_QUEUE}/dequeue?lease=${encodeURIComponent(l)}` })),
    fc.string({ unit: 'binary', maxLength: 64 }).map((id) => ({ kind: 'existing:forged-ack', method: 'POST', path: `/queues/${EXISTING_QUEUE}/ack/${encodeURIComponent(id) || 'x'}` })),
    fc.constant({ kind: 'existing:create-again', method: 'PUT', path: `/queues/${EXISTING_QUEUE}` }),
    fc.constantFrom('PATCH', 'PROPFIND', 'TRACE', 'GET', 'PUT').map((m) => ({ kind: 'existing:wrong-method', method: m, path: `/queues/${EXISTING_QUEUE}/enqueue` })),
  )).map(([b, r]) => ({ ...r, path: b + r.path }));

  const wrongMethod = fc.tuple(base, fc.constantFrom('PATCH', 'PROPFIND', 'TRACE', 'MKCOL', 'LOCK', 'COPY', 'SEARCH', 'DELETE', 'POST'), fc.constantFrom('/stats', '/queues', '/queues/', '', '/'))
    .map(([b, method, p]) => ({ kind: 'wrong-method', method, path: b + p }));

  const uncleanPath = fc.tuple(base, fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'), fc.constantFrom(
    '/../server/stats', '/./stats', '//stats', '/stats/', '/STATS', '/queues//enqueue', '/queues/x/../y/enqueue', '/queues/%2e%2e/enqueue', '/queues/x/enqueue/',
    '/queues/x/enqueue/extra', '/queues/x/ack/', '/queues/x/ack', '/%2e%2e/%2e%2e/etc/passwd', '/queues/../../../../etc/passwd',
  )).map(([b, method, p]) => ({ kind: 'unclean-path', method, path: b + p }));

  const emptyName = fc.tuple(base, fc.constantFrom('PUT', 'DELETE', 'POST')).map(([b, method]) => ({
    kind: 'empty-name', method, path: method === 'POST' ? `${b}/queues//enqueue` : `${b}/queues/`,
  }));

  const unknownPath = fc.tuple(fc.constantFrom('GET', 'POST', 'PUT'), fc.oneof(
    fc.constantFrom('/memq', '/memq/', '/memq/server/', '/d/memq/server/stats', '/memq/server/queue/x', '/memq/server/stats.json', '/memq/server/queues/x/y/z/w', '/admin', '/%00', '/memq%2Fserver%2Fstats', '/.env', '/metrics/../healthz'),
    fc.string({ unit: 'binary', maxLength: 40 }).map((s) => `/${encodeURIComponent(s)}`),
  )).map(([method, path]) => ({ kind: 'unknown-path', method, path }));

  const junkQuery = fc.tuple(base, fc.array(fc.tuple(fc.constantFrom('extended', 'lease', 'x', '__proto__', ''), fc.string({ unit: 'binary', maxLength: 20 })), { minLength: 1, maxLength: 5 }))
    .map(([b, qs]) => ({ kind: 'junk-query', method: 'GET', path: `${b}/stats?${qs.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&')}` }));

  const protocol = fc.constantFrom(
    'GET / HTTP/9.9\r\n\r\n', 'GET\r\n\r\n', 'GET /memq/server/stats HTTP/1.1\r\nNo-Colon\r\n\r\n', 'GET /healthz HTTP/1.1\r\nHost: x\u0000y\r\n\r\n',
    `POST /memq/server/queues/${EXISTING_QUEUE}/enqueue HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\nxx\r\n0\r\n\r\n`,
    `POST /memq/server/queues/${EXISTING_QUEUE}/enqueue HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}`,
    '\u0000\u0001\u0002\r\n\r\n',
  ).map((raw) => ({ kind: 'protocol:malformed', method: 'RAW', path: '', raw }));

  return fc.oneof(
    { weight: 10, arbitrary: missingQueue },
    { weight: 5, arbitrary: existingQueue },
    { weight: 3, arbitrary: wrongMethod },
    { weight: 3, arbitrary: uncleanPath },
    { weight: 1, arbitrary: emptyName },
    { weight: 3, arbitrary: unknownPath },
    { weight: 2, arbitrary: junkQuery },
    { weight: 1, arbitrary: protocol },
  );
}

/** Items over the body limit sent to the existing queue: must be refused (413) and not stored. */
export function oversizedMemqRequest(limit: number): fc.Arbitrary<RawRequest> {
  return fc.tuple(fc.constantFrom(...PREFIXES), fc.integer({ min: limit + 1, max: limit + 2 * 1024 * 1024 }))
    .map(([b, size]) => ({ kind: 'oversized-item', method: 'POST', path: `${b}/queues/${EXISTING_QUEUE}/enqueue`, body: Buffer.alloc(size, 0x79) }));
}
