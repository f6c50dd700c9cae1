import { describe, expect, it } from 'vitest';
import { Fifo } from './fifo.js';

describe('Fifo', () => {
  it('keeps order across compaction, unshift and clear', () => {
    const f = new Fifo<number>();
    for (let i = 0; i < 5000; i++) f.push(i);
    for (let i = 0; i < 3000; i++) expect(f.shift()).toBe(i);
    f.unshift(-1);
    f.unshift(-2);
    expect(f.length).toBe(2002);
    expect(f.shift()).toBe(-2);
    expect(f.shift()).toBe(-1);
    expect(f.shift()).toBe(3000);
    expect(f.clear()).toBe(1999);
    expect(f.shift()).toBeUndefined();
    f.unshift(7);
    expect(f.shift()).toBe(7);
  });
});
