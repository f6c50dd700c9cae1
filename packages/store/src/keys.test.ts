import { describe, expect, it } from 'vitest';
import { findResource, type ResourceInfo } from '@kjobs/api';
import { isKeySafeName, StoreKeys } from './keys.js';

const pods = findResource('', 'pods') as ResourceInfo;
const jobs = findResource('batch', 'jobs') as ResourceInfo;
const nodes = findResource('', 'nodes') as ResourceInfo;
const leases = findResource('coordination.k8s.io', 'leases') as ResourceInfo;

describe('StoreKeys', () => {
  const k = new StoreKeys();
  it.each([
    ['rev', k.rev(), '{kjobs}:rev'],
    ['floor', k.floor(), '{kjobs}:floor'],
    ['runid', k.runid(), '{kjobs}:runid'],
    ['object', k.object(jobs, 'default', 'pi'), '{kjobs}:o:jobs.batch:default/pi'],
    ['cluster object', k.object(nodes, 'ignored', 'n1'), '{kjobs}:o:nodes:/n1'],
    ['all', k.indexAll(pods), '{kjobs}:i:pods:all'],
    ['namespace', k.indexNamespace(pods, 'ns1'), '{kjobs}:i:pods:ns:ns1'],
    ['label', k.indexLabel(jobs, 'batch.kubernetes.io/job-name', 'pi'), '{kjobs}:i:jobs.batch:l:batch.kubernetes.io/job-name=pi'],
    ['field', k.indexField(pods, 'spec.nodeName', ''), '{kjobs}:i:pods:f:spec.nodeName='],
    ['owner', k.indexOwner(pods, 'abc-123'), '{kjobs}:i:pods:owner=abc-123'],
    ['log', k.log(leases), '{kjobs}:log:leases.coordination.k8s.io'],
    ['last', k.last(pods), '{kjobs}:last:pods'],
    ['marks', k.logMarks(jobs), '{kjobs}:marks:jobs.batch'],
  ])('%s → %s', (_what, got, want) => {
    expect(got).toBe(want);
  });

  it('uses the configured prefix as the hash tag for every key', () => {
    const p = new StoreKeys('t1');
    expect([p.rev(), p.object(pods, 'a', 'b'), p.log(pods)].every((s) => s.startsWith('{t1}:'))).toBe(true);
    expect(p.scanPattern()).toBe('{t1}:*');
    expect(new StoreKeys('a*b').scanPattern()).toBe('{a\\*b}:*');
  });

  it.each(['', 'a{b', 'a}b', 'a b'])('rejects prefix %j', (prefix) => {
    expect(() => new StoreKeys(prefix)).toThrow(/invalid store key prefix/);
  });

  it.each([
    ['default', 'Pi'],
    ['default', 'a/b'],
    ['default', 'a:b'],
    ['default', ''],
    ['default', 'x'.repeat(254)],
    ['Default', 'a'],
    ['', 'a'],
    ['a b', 'a'],
  ])('rejects namespace %j / name %j with 400', (ns, name) => {
    expect(() => k.object(pods, ns, name)).toThrow(expect.objectContaining({ code: 400 }));
  });

  it('accepts DNS-subdomain names up to 253 characters', () => {
    expect(k.member(pods, 'kube-system', `a.b-c.${'x'.repeat(247)}`)).toMatch(/^kube-system\/a\.b-c\.x+$/);
    expect(isKeySafeName('x'.repeat(253))).toBe(true);
    expect(isKeySafeName('x'.repeat(254))).toBe(false);
  });
});
