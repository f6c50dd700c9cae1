import { afterEach, describe, expect, it, vi } from 'vitest';
import { ListReadAhead, type ReadAheadPage } from './list-read-ahead.js';

const page = (bytes: number, last = '5'): ReadAheadPage => ({ last, page: { resourceVersion: '1', continue: 'c', items: [{ rv: '1', body: 'x'.repeat(bytes - 1) }] } });

describe('ListReadAhead', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds at most `pages` pages: an offer beyond them reads nothing', async () => {
    const ahead = new ListReadAhead({ pages: 2, bytes: 1 << 20, ttlMs: 60_000, staleBackoffMs: 0 });
    const read = vi.fn(async () => page(10));
    ahead.offer('pods', 'a', read);
    ahead.offer('pods', 'b', read);
    ahead.offer('pods', 'c', read);
    ahead.offer('pods', 'a', read); // already held: not read twice
    expect(read).toHaveBeenCalledTimes(2);
    expect(ahead.size.pages).toBe(2);
    expect(ahead.counts).toEqual({ started: 2, served: 0, stale: 0, dropped: 1 });
    expect(await ahead.take('c')).toBeUndefined();
    expect((await ahead.take('a'))?.last).toBe('5');
    expect(await ahead.take('a')).toBeUndefined(); // taken once
    expect(ahead.size).toEqual({ pages: 1, bytes: 10 });
  });

  it('holds at most `bytes`: a page that would go over is dropped once read', async () => {
    const ahead = new ListReadAhead({ pages: 8, bytes: 100, ttlMs: 60_000, staleBackoffMs: 0 });
    ahead.offer('pods', 'a', async () => page(60));
    expect(await ahead.take('a')).toBeDefined(); // taken while being read: not counted, the taker decides
    ahead.offer('pods', 'b', async () => page(60));
    await vi.waitFor(() => expect(ahead.size.bytes).toBe(60));
    ahead.offer('pods', 'c', async () => page(60));
    await vi.waitFor(() => expect(ahead.counts.dropped).toBe(1));
    expect(await ahead.take('c')).toBeUndefined();
    expect(ahead.size).toEqual({ pages: 1, bytes: 60 });
    ahead.offer('pods', 'd', async () => page(40)); // fits exactly
    await vi.waitFor(() => expect(ahead.size.bytes).toBe(100));
    ahead.offer('pods', 'e', async () => page(1)); // full: not even started
    expect(ahead.counts).toEqual({ started: 4, served: 0, stale: 0, dropped: 2 });
  });

  it('drops a page not asked for within `ttlMs`, and one whose read failed', async () => {
    vi.useFakeTimers();
    const ahead = new ListReadAhead({ pages: 8, bytes: 1 << 20, ttlMs: 5000, staleBackoffMs: 0 });
    ahead.offer('pods', 'a', async () => page(10));
    await vi.advanceTimersByTimeAsync(4999);
    expect(ahead.size).toEqual({ pages: 1, bytes: 10 });
    await vi.advanceTimersByTimeAsync(1);
    expect(ahead.size).toEqual({ pages: 0, bytes: 0 });
    expect(await ahead.take('a')).toBeUndefined();
    ahead.offer('pods', 'b', () => Promise.reject(new Error('410')));
    expect(await ahead.take('b')).toBeUndefined();
    expect(ahead.counts.dropped).toBe(1);
  });

  it('after a stale page, reads nothing ahead for that kind for `staleBackoffMs`; other kinds go on', () => {
    let now = 1000;
    const ahead = new ListReadAhead({ pages: 8, bytes: 1 << 20, ttlMs: 60_000, staleBackoffMs: 1000 }, () => now);
    const read = vi.fn(async () => page(10));
    ahead.note('pods', false);
    ahead.offer('pods', 'a', read);
    ahead.offer('jobs.batch', 'b', read);
    expect(read).toHaveBeenCalledTimes(1);
    now += 999;
    ahead.offer('pods', 'a', read);
    expect(read).toHaveBeenCalledTimes(1);
    now += 1;
    ahead.offer('pods', 'a', read);
    expect(read).toHaveBeenCalledTimes(2);
    ahead.note('pods', true);
    ahead.offer('pods', 'c', read);
    expect(read).toHaveBeenCalledTimes(3);
    expect(ahead.counts).toEqual({ started: 3, served: 1, stale: 1, dropped: 0 });
  });
});
