import { describe, expect, it } from 'vitest';
import {
  collectionPath, objectPath, parseApiGroupList, parseApiResourceList, parseResourceArgs, qualifiedResource, query, resolveResource,
  resolveTypes, resourceForKind, typeName,
} from './resources.js';

/** Discovery as the kjobs api-server serves it (legacy lists). */
const CORE = {
  kind: 'APIResourceList', groupVersion: 'v1', resources: [
    { name: 'pods', singularName: 'pod', namespaced: true, kind: 'Pod', verbs: ['get'], shortNames: ['po'], categories: ['all'] },
    { name: 'pods/log', singularName: '', namespaced: true, kind: 'Pod', verbs: ['get'] },
    { name: 'nodes', singularName: 'node', namespaced: false, kind: 'Node', verbs: ['get'], shortNames: ['no'] },
    { name: 'events', singularName: 'event', namespaced: true, kind: 'Event', verbs: ['get'], shortNames: ['ev'] },
    { name: 'namespaces', singularName: 'namespace', namespaced: false, kind: 'Namespace', verbs: ['get'], shortNames: ['ns'] },
    { name: 'services', singularName: 'service', namespaced: true, kind: 'Service', verbs: ['get'], shortNames: ['svc'], categories: ['all'] },
  ],
};
const APPS = { groupVersion: 'apps/v1', resources: [{ name: 'replicasets', singularName: 'replicaset', namespaced: true, kind: 'ReplicaSet', verbs: [], shortNames: ['rs'], categories: ['all'] }] };
const BATCH = {
  groupVersion: 'batch/v1', resources: [
    { name: 'jobs', singularName: 'job', namespaced: true, kind: 'Job', verbs: [], categories: ['all'] },
    { name: 'jobs/status', singularName: '', namespaced: true, kind: 'Job', verbs: [] },
    { name: 'cronjobs', namespaced: true, kind: 'CronJob', verbs: [], shortNames: ['cj'], categories: ['all'] },
  ],
};
const ALL = [...parseApiResourceList(CORE), ...parseApiResourceList(APPS), ...parseApiResourceList(BATCH)];

describe('discovery parsing', () => {
  it('skips subresources and derives a missing singular name from the kind', () => {
    expect(ALL.map((r) => r.name)).toEqual(['pods', 'nodes', 'events', 'namespaces', 'services', 'replicasets', 'jobs', 'cronjobs']);
    expect(ALL.find((r) => r.name === 'cronjobs')).toMatchObject({ group: 'batch', version: 'v1', singularName: 'cronjob', shortNames: ['cj'] });
  });
  it('reads preferred versions from /apis', () => {
    expect(parseApiGroupList({ groups: [{ name: 'apps', preferredVersion: { groupVersion: 'apps/v1' } }, { name: 'batch', versions: [{ groupVersion: 'batch/v1' }] }] }))
      .toEqual(['apps/v1', 'batch/v1']);
  });
});

describe('resolveResource', () => {
  it.each([
    ['jobs', 'jobs'], ['job', 'jobs'], ['Job', 'jobs'], ['JOBS', 'jobs'], ['jobs.batch', 'jobs'], ['jobs.v1.batch', 'jobs'], ['job.batch', 'jobs'],
    ['cj', 'cronjobs'], ['cronjob', 'cronjobs'], ['po', 'pods'], ['pod', 'pods'], ['rs', 'replicasets'], ['replicaset.apps', 'replicasets'],
    ['svc', 'services'], ['no', 'nodes'], ['ns', 'namespaces'], ['ev', 'events'], ['pods.v1', 'pods'],
    ['foo', undefined], ['jobs.apps', undefined], ['', undefined],
  ])('%s → %s', (arg, want) => {
    expect(resolveResource(arg, ALL)?.name).toBe(want);
  });
});

describe('resolveTypes', () => {
  it.each([
    ['rs,svc,job', ['replicasets', 'services', 'jobs']],
    ['all', ['pods', 'services', 'replicasets', 'jobs', 'cronjobs']],
    ['jobs,all', ['jobs', 'pods', 'services', 'replicasets', 'cronjobs']],
    ['po,pods', ['pods']],
  ])('%s', (arg, want) => {
    expect(resolveTypes(arg, ALL).map((r) => r.name)).toEqual(want);
  });
  it('one unknown type fails the whole list with kubectl\'s message', () => {
    expect(() => resolveTypes('rs,foo,job', ALL)).toThrow('the server doesn\'t have a resource type "foo"');
  });
});

describe('names and paths', () => {
  const jobs = resolveResource('jobs', ALL)!;
  const pods = resolveResource('pods', ALL)!;
  const nodes = resolveResource('nodes', ALL)!;
  it.each([
    [jobs, 'job.batch', 'jobs.batch'], [pods, 'pod', 'pods'], [resolveResource('rs', ALL)!, 'replicaset.apps', 'replicasets.apps'],
  ])('%#: typeName / qualifiedResource', (r, t, q) => {
    expect(typeName(r)).toBe(t);
    expect(qualifiedResource(r)).toBe(q);
  });
  it.each([
    [collectionPath(jobs, 'default'), '/apis/batch/v1/namespaces/default/jobs'],
    [collectionPath(jobs), '/apis/batch/v1/jobs'],
    [collectionPath(nodes, 'default'), '/api/v1/nodes'],
    [objectPath(pods, 'default', 'pi-x', 'log'), '/api/v1/namespaces/default/pods/pi-x/log'],
    [objectPath(nodes, 'default', 'node-1'), '/api/v1/nodes/node-1'],
    [query({ labelSelector: 'a=b,c in (x)', limit: 500, x: undefined, y: '' }), '?labelSelector=a%3Db%2Cc%20in%20(x)&limit=500'],
    [query({}), ''],
  ])('%s', (got, want) => {
    expect(got).toBe(want);
  });
  it('maps apiVersion + kind to a resource', () => {
    expect(resourceForKind(ALL, 'batch/v1', 'CronJob').name).toBe('cronjobs');
    expect(resourceForKind(ALL, 'v1', 'Service').name).toBe('services');
    expect(() => resourceForKind(ALL, 'apps/v1', 'Deployment')).toThrow(/resource mapping not found for kind "Deployment" in version "apps\/v1"/);
  });
});

describe('parseResourceArgs', () => {
  it.each([
    [['jobs'], [{ type: 'jobs', names: [] }]],
    [['job', 'a', 'b'], [{ type: 'job', names: ['a', 'b'] }]],
    [['rs,svc,job'], [{ type: 'rs,svc,job', names: [] }]],
    [['job/a', 'job/b', 'pod/c'], [{ type: 'job', names: ['a', 'b'] }, { type: 'pod', names: ['c'] }]],
    [[], []],
  ])('%j', (args, want) => {
    expect(parseResourceArgs(args)).toEqual(want);
  });
  it.each([[['job', 'job/a']], [['job/']], [['/a']]])('rejects %j', (args) => {
    expect(() => parseResourceArgs(args)).toThrow();
  });
});
