import { describe, expect, it } from 'vitest';
import { reportOf, runChecks } from './health-checks.js';

describe('reportOf', () => {
  it.each([
    { name: 'no checks', results: [], ok: true, short: 'ok', verbose: 'readyz check passed\n' },
    { name: 'all pass', results: [{ name: 'nats', ok: true }, { name: 'informers-synced', ok: true }], ok: true, short: 'ok', verbose: '[+]nats ok\n[+]informers-synced ok\nreadyz check passed\n' },
    {
      name: 'one fails', results: [{ name: 'nats', ok: false }, { name: 'leader-election', ok: true }], ok: false,
      short: 'readyz check failed: nats', verbose: '[-]nats failed\n[+]leader-election ok\nreadyz check failed\n',
    },
  ])('$name', ({ results, ok, short, verbose }) => {
    expect(reportOf(results, 'readyz')).toEqual({ ok, short, verbose });
  });
});

describe('runChecks', () => {
  it('counts a check that throws or rejects as failed', async () => {
    const r = await runChecks([
      { name: 'sync', check: () => true },
      { name: 'throws', check: () => { throw new Error('x'); } },
      { name: 'rejects', check: () => Promise.reject(new Error('y')) },
    ]);
    expect(r.ok).toBe(false);
    expect(r.short).toBe('readyz check failed: throws, rejects');
  });
});
