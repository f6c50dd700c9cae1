import { describe, expect, it } from 'vitest';
import { CONTINUE_TOO_OLD, decodeContinue, encodeContinue } from './continue-token.js';

describe('continue tokens', () => {
  it('round-trip rv and position as base64url', () => {
    const t = encodeContinue('1000042', 'ns-1/pod-7');
    expect(t).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeContinue(t, 0n)).toEqual({ v: 1, rv: '1000042', after: 'ns-1/pod-7' });
    expect(decodeContinue(t, 1000042n).rv).toBe('1000042');
  });

  it('a token below the floor is 410 with Kubernetes\' message', () => {
    expect(() => decodeContinue(encodeContinue('5', 'a/b'), 6n)).toThrow(expect.objectContaining({ code: 410, message: CONTINUE_TOO_OLD }));
  });

  it.each([
    'garbage!',
    Buffer.from('{"v":2,"rv":"1","after":""}').toString('base64url'),
    Buffer.from('{"v":1,"rv":"x","after":""}').toString('base64url'),
    Buffer.from('{"v":1,"rv":"1"}').toString('base64url'),
    Buffer.from('null').toString('base64url'),
  ])('malformed %s is 410', (tok) => {
    expect(() => decodeContinue(tok, 0n)).toThrow(expect.objectContaining({ code: 410 }));
  });
});
