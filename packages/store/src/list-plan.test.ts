import { describe, expect, it } from 'vitest';
import { findResource, parseFieldSelector, parseLabelSelector, type ResourceInfo } from '@kjobs/api';
import { StoreKeys } from './keys.js';
import { planList, type ListPlan } from './list-plan.js';
import type { StoreListOptions } from './store.js';

const pods = findResource('', 'pods') as ResourceInfo;
const nodes = findResource('', 'nodes') as ResourceInfo;
const k = new StoreKeys('p');
const I = '{p}:i:pods:';

function q(ns?: string, l?: string, f?: string, ownerUid?: string): StoreListOptions {
  return { namespace: ns, labelSelector: parseLabelSelector(l), fieldSelector: parseFieldSelector(f), ownerUid };
}

describe('planList', () => {
  it.each<[string, ResourceInfo, StoreListOptions, ListPlan]>([
    ['nothing: all', pods, q(), { empty: false, indexes: [`${I}all`] }],
    ['namespace', pods, q('ns1'), { empty: false, indexes: [`${I}ns:ns1`] }],
    ['label equality and single-value in', pods, q(undefined, 'a=1,b in (2)'), { empty: false, indexes: [`${I}l:a=1`, `${I}l:b=2`] }],
    ['set-based labels use no index', pods, q(undefined, 'a!=1,b in (2,3),c notin (x),d,!e'), { empty: false, indexes: [`${I}all`] }],
    ['indexed fields', pods, q('ns1', '', 'spec.nodeName=n1,status.phase=Running'), { empty: false, indexes: [`${I}f:spec.nodeName=n1`, `${I}f:status.phase=Running`, `${I}ns:ns1`] }],
    ['unindexed and negative fields use no index', pods, q(undefined, '', 'spec.restartPolicy=Never,spec.nodeName!=n1'), { empty: false, indexes: [`${I}all`] }],
    ['metadata.namespace acts as namespace', pods, q(undefined, '', 'metadata.namespace=ns2'), { empty: false, indexes: [`${I}ns:ns2`] }],
    ['two namespaces: both (nothing matches)', pods, q('ns1', '', 'metadata.namespace=ns2'), { empty: false, indexes: [`${I}ns:ns1`, `${I}ns:ns2`] }],
    ['namespace + name: exact member', pods, q('ns1', '', 'metadata.name=a'), { empty: false, indexes: [`${I}ns:ns1`], member: 'ns1/a' }],
    ['name without namespace: walk', pods, q(undefined, '', 'metadata.name=a'), { empty: false, indexes: [`${I}all`] }],
    ['cluster-scoped name: exact member', nodes, q('ignored', '', 'metadata.name=n1'), { empty: false, indexes: ['{p}:i:nodes:all'], member: '/n1' }],
    ['cluster-scoped metadata.namespace=x: empty', nodes, q(undefined, '', 'metadata.namespace=x'), { empty: true, indexes: ['{p}:i:nodes:all'] }],
    ['unsafe name: empty', pods, q('ns1', '', 'metadata.name=A!'), { empty: true, indexes: [`${I}ns:ns1`] }],
    ['unsafe namespace: empty', pods, q(undefined, '', 'metadata.namespace=A B'), { empty: true, indexes: [`${I}all`] }],
    ['owner', pods, q(undefined, '', '', 'u1'), { empty: false, indexes: [`${I}owner=u1`] }],
  ])('%s', (_what, res, opts, want) => {
    expect(planList(k, res, opts)).toEqual(want);
  });
});
