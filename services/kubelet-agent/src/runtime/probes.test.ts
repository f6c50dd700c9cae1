import { describe, expect, it } from 'vitest';
import { type ProbeCounter, countProbe, resolvePort, resolveProbe } from './probes.js';

describe('resolveProbe (Kubernetes defaults)', () => {
  it('applies SetDefaults_Probe', () => {
    expect(resolveProbe({ exec: { command: ['true'] } })).toMatchObject({ initialDelayMs: 0, periodMs: 10_000, timeoutMs: 1000, successThreshold: 1, failureThreshold: 3 });
  });
  it('keeps given values and enforces minimums of 1', () => {
    expect(resolveProbe({ initialDelaySeconds: 2, periodSeconds: 0, timeoutSeconds: 5, failureThreshold: 1, successThreshold: 2 })).toMatchObject({
      initialDelayMs: 2000,
      periodMs: 10_000,
      timeoutMs: 5000,
      successThreshold: 2,
      failureThreshold: 1,
    });
  });
});

describe('resolvePort', () => {
  const ports = [{ name: 'http', containerPort: 8080 }];
  it.each<[number | string, number | undefined]>([
    [80, 80],
    ['8081', 8081],
    ['http', 8080],
    ['nope', undefined],
  ])('%j → %j', (port, want) => {
    expect(resolvePort(port, ports)).toBe(want);
  });
});

describe('countProbe', () => {
  const run = (results: boolean[], successThreshold: number, failureThreshold: number) => {
    let c: ProbeCounter = { result: undefined, successes: 0, failures: 0 };
    return results.map((ok) => {
      const r = countProbe(c, ok, { successThreshold, failureThreshold });
      c = r.counter;
      return `${r.counter.result}${r.changed ? '!' : ''}`;
    });
  };

  it('flips to failure only after failureThreshold consecutive failures', () => {
    expect(run([false, false, true, false, false, false, false], 1, 3)).toEqual(['undefined', 'undefined', 'true!', 'true', 'true', 'false!', 'false']);
  });

  it('flips to success only after successThreshold consecutive successes', () => {
    expect(run([false, true, true, false, true, true, true], 3, 1)).toEqual(['false!', 'false', 'false', 'false', 'false', 'false', 'true!']);
  });
});
