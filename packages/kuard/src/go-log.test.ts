import { describe, expect, it } from 'vitest';
import { formatGoLog, GoLogger } from './go-log.js';

describe('Go log format', () => {
  const at = new Date(2026, 10, 27, 18, 49, 30);
  it.each([
    ['(ID 0) Workload starting', '2026/11/27 18:49:30 (ID 0) Workload starting\n'],
    ['already ends\n', '2026/11/27 18:49:30 already ends\n'],
    ['Config: \n{\n}\n', '2026/11/27 18:49:30 Config: \n{\n}\n'],
    ['', '2026/11/27 18:49:30 \n'],
  ])('%j', (msg, want) => {
    expect(formatGoLog(msg, at)).toBe(want);
  });
  it('pads single digits', () => {
    expect(formatGoLog('x', new Date(2026, 0, 2, 3, 4, 5))).toBe('2026/01/02 03:04:05 x\n');
  });
  it('logger writes one string per entry to its sink', () => {
    const out: string[] = [];
    new GoLogger((s) => out.push(s), () => at).print('MemQ Worker starting');
    expect(out).toEqual(['2026/11/27 18:49:30 MemQ Worker starting\n']);
  });
});
