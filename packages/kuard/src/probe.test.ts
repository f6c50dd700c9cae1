import { describe, expect, it } from 'vitest';
import { DebugProbe, formatStamp } from './probe.js';

describe('DebugProbe (pkg/debugprobe/probe.go)', () => {
  it('fails the next N with the count left after decrementing, then ok', () => {
    const p = new DebugProbe(2);
    expect([p.handle(), p.handle(), p.handle()]).toEqual([
      { status: 500, message: 'fail, 1 left' },
      { status: 500, message: 'fail, 0 left' },
      { status: 200, message: 'ok' },
    ]);
  });
  it('fails forever when negative', () => {
    const p = new DebugProbe(-1);
    expect(p.handle()).toEqual({ status: 500, message: 'fail, permanent' });
    expect(p.handle()).toEqual({ status: 500, message: 'fail, permanent' });
    expect(p.failNext).toBe(-1);
  });
  it('keeps 20 entries, newest first, probePath always ""', () => {
    let t = Date.UTC(2026, 0, 5, 10, 0, 0);
    const p = new DebugProbe(0, () => t);
    for (let i = 0; i < 25; i++) p.handle();
    t += 3000;
    const s = p.status();
    expect(s.probePath).toBe('');
    expect(s.history).toHaveLength(20);
    expect(s.history[0]).toMatchObject({ id: 25, relWhen: '3 seconds ago', code: 200 });
    expect(s.history[19]!.id).toBe(6);
  });
  it('formats Go time.Stamp with a space-padded day', () => {
    expect(formatStamp(new Date(2026, 0, 5, 7, 8, 9).getTime())).toBe('Jan  5 07:08:09');
    expect(formatStamp(new Date(2026, 10, 27, 18, 49, 30).getTime())).toBe('Nov 27 18:49:30');
  });
});
