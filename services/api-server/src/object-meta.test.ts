import { describe, expect, it } from 'vitest';
import { clone } from './object-meta.js';

describe('clone', () => {
  it('copies a JSON value deeply: changing the copy leaves the original alone', () => {
    const pod = { metadata: { name: 'p', labels: { a: '1' }, finalizers: ['f'] }, spec: { containers: [{ name: 'c', command: ['true'], ports: [{ containerPort: 80 }] }] }, status: null, n: 0, b: false, u: undefined };
    const c = clone(pod);
    expect(c).toEqual(pod);
    expect(Object.keys(c)).toEqual(Object.keys(pod));
    c.metadata.labels.a = '2';
    c.metadata.finalizers.push('g');
    c.spec.containers[0]!.command[0] = 'false';
    c.spec.containers[0]!.ports[0]!.containerPort = 81;
    expect(pod.metadata.labels.a).toBe('1');
    expect(pod.metadata.finalizers).toEqual(['f']);
    expect(pod.spec.containers[0]!.command).toEqual(['true']);
    expect(pod.spec.containers[0]!.ports[0]!.containerPort).toBe(80);
  });

  it('returns primitives as they are', () => {
    for (const v of ['s', 1, true, null, undefined]) expect(clone(v)).toBe(v);
  });
});
