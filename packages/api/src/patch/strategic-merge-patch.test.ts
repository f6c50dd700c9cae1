import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { applyStrategicMergePatch } from './strategic-merge-patch.js';

type Obj = Record<string, unknown>;

function errorOf(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  throw new Error('expected an ApiError');
}

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

describe('applyStrategicMergePatch: the kubectl apply body of the kubectl reference (§4.1)', () => {
  // The live Job before the second apply: what the first manifest set plus what the server filled in.
  const live = {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: 'pi', namespace: 'default', uid: 'u-1', resourceVersion: '7',
      labels: { a: '1', b: '2' },
      annotations: { [LAST_APPLIED]: '{"old":true}\n' },
    },
    spec: {
      backoffLimit: 6,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } },
      template: {
        metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'u-1', 'job-name': 'pi' } },
        spec: {
          containers: [
            {
              name: 'c1', image: 'busybox:1', command: ['sh', '-c', 'env'],
              env: [{ name: 'FOO', value: '1' }, { name: 'BAR', value: '2' }],
              resources: {}, terminationMessagePath: '/dev/termination-log', imagePullPolicy: 'IfNotPresent',
            },
            { name: 'c2', image: 'busybox:1' },
          ],
          volumes: [{ name: 'v1', emptyDir: {} }],
          restartPolicy: 'Never',
          dnsPolicy: 'ClusterFirst',
        },
      },
    },
    status: { active: 1 },
  };
  // Verbatim from the reference: label b removed, container c2 removed, env FOO removed and BAR
  // changed, volume source switched emptyDir → configMap, image changed.
  const patch = JSON.parse(`{"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"..."},"labels":{"b":null}},
 "spec":{"template":{"spec":{
   "$setElementOrder/containers":[{"name":"c1"}],
   "$setElementOrder/volumes":[{"name":"v1"}],
   "containers":[
     {"$setElementOrder/env":[{"name":"BAR"}],
      "env":[{"name":"BAR","value":"3"},{"$patch":"delete","name":"FOO"}],
      "image":"busybox:2","name":"c1"},
     {"$patch":"delete","name":"c2"}],
   "volumes":[{"$retainKeys":["configMap","name"],"configMap":{"name":"cm"},"emptyDir":null,"name":"v1"}]}}}}`);

  it('applies every change and keeps everything the patch does not name', () => {
    const want = structuredClone(live) as typeof live & { spec: { template: { spec: Obj } } };
    want.metadata.labels = { a: '1' } as typeof want.metadata.labels;
    want.metadata.annotations = { [LAST_APPLIED]: '...' };
    want.spec.template.spec.containers = [{
      name: 'c1', image: 'busybox:2', command: ['sh', '-c', 'env'], env: [{ name: 'BAR', value: '3' }],
      resources: {}, terminationMessagePath: '/dev/termination-log', imagePullPolicy: 'IfNotPresent',
    }] as typeof want.spec.template.spec.containers;
    (want.spec.template.spec as Obj).volumes = [{ name: 'v1', configMap: { name: 'cm' } }];
    expect(applyStrategicMergePatch(live, patch, 'Job')).toStrictEqual(want);
  });

  it('never mutates the live object or the patch', () => {
    const liveCopy = structuredClone(live);
    const patchCopy = structuredClone(patch);
    applyStrategicMergePatch(live, patch, 'Job');
    expect(live).toStrictEqual(liveCopy);
    expect(patch).toStrictEqual(patchCopy);
  });
});

describe('applyStrategicMergePatch: a second apply keeps fields the manifest never set', () => {
  it('changes the image and adds env, keeping defaults, server labels, selector and status', () => {
    const live = {
      apiVersion: 'batch/v1', kind: 'Job',
      metadata: { name: 'pi', labels: { chapter: 'jobs' }, annotations: { [LAST_APPLIED]: 'v1' }, finalizers: ['batch.kubernetes.io/job-tracking'] },
      spec: {
        completions: 1, parallelism: 1, backoffLimit: 6, completionMode: 'NonIndexed', suspend: false,
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'u-1' } },
        template: {
          metadata: { labels: { 'batch.kubernetes.io/controller-uid': 'u-1', 'batch.kubernetes.io/job-name': 'pi', 'controller-uid': 'u-1', 'job-name': 'pi' } },
          spec: {
            containers: [{ name: 'pi', image: 'perl:5.34', command: ['perl', '-Mbignum=bpi', '-wle', 'print bpi(2000)'], resources: {}, terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }],
            restartPolicy: 'Never', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst', securityContext: {}, schedulerName: 'default-scheduler',
          },
        },
      },
      status: { startTime: '2026-11-27T18:58:50Z', active: 1, ready: 0, terminating: 0 },
    };
    // What kubectl computes from last-applied (v1) → manifest (v2) against the live object.
    const patch = {
      metadata: { annotations: { [LAST_APPLIED]: 'v2' } },
      spec: { template: { spec: {
        '$setElementOrder/containers': [{ name: 'pi' }],
        containers: [{ env: [{ name: 'A', value: '1' }], image: 'perl:5.36', name: 'pi' }],
      } } },
    };
    const want = structuredClone(live) as Obj & typeof live;
    want.metadata.annotations[LAST_APPLIED] = 'v2';
    Object.assign(want.spec.template.spec.containers[0]!, { image: 'perl:5.36', env: [{ name: 'A', value: '1' }] });
    expect(applyStrategicMergePatch(live, patch, 'Job')).toStrictEqual(want);
  });
});

const pod = (spec: Obj, metadata: Obj = { name: 'p' }): Obj => ({ apiVersion: 'v1', kind: 'Pod', metadata, spec });
const c = (name: string, extra: Obj = {}): Obj => ({ name, image: `${name}:1`, ...extra });

describe('applyStrategicMergePatch: merge keys and strategies of the Go types', () => {
  it.each<[string, string, Obj, Obj, Obj]>([
    ['maps merge and null deletes a key', 'Pod',
      pod({ containers: [c('a')] }, { name: 'p', labels: { x: '1', y: '2' } }),
      { metadata: { labels: { y: null, z: '3' } } },
      pod({ containers: [c('a')] }, { name: 'p', labels: { x: '1', z: '3' } })],
    ['containers merge by name, order kept', 'Pod',
      pod({ containers: [c('a'), c('b')] }), { spec: { containers: [{ name: 'b', image: 'b:2' }] } },
      pod({ containers: [c('a'), c('b', { image: 'b:2' })] })],
    // Without $setElementOrder, apimachinery puts the patch's items before server-only ones.
    ['a new container comes without directives or nulls, before server-only items', 'Pod',
      pod({ containers: [c('a')] }), { spec: { containers: [{ name: 'n', image: 'n:1', '$setElementOrder/env': [{ name: 'E' }], env: [{ name: 'E', value: 'v' }], tty: null }] } },
      pod({ containers: [{ name: 'n', image: 'n:1', env: [{ name: 'E', value: 'v' }] }, c('a')] })],
    ['with $setElementOrder a new container goes where the order says', 'Pod',
      pod({ containers: [c('a')] }), { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'n' }], containers: [{ name: 'n', image: 'n:1' }] } },
      pod({ containers: [c('a'), { name: 'n', image: 'n:1' }] })],
    ['$setElementOrder gives the final order', 'Pod',
      pod({ containers: [c('a'), c('b'), c('c')] }), { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } },
      pod({ containers: [c('c'), c('a'), c('b')] })],
    // apimachinery mergeSortedSlice: s (live index 1) goes before b (live index 2), the first patch item.
    ['server-only items are interleaved by their live position', 'Pod',
      pod({ containers: [c('a'), c('s'), c('b')] }), { spec: { '$setElementOrder/containers': [{ name: 'b' }, { name: 'a' }], containers: [{ name: 'a', tty: true }] } },
      pod({ containers: [c('s'), c('b'), c('a', { tty: true })] })],
    ['initContainers and imagePullSecrets merge by name', 'Pod',
      pod({ containers: [c('a')], initContainers: [c('i')], imagePullSecrets: [{ name: 'r1' }] }),
      { spec: { initContainers: [{ name: 'i', args: ['x'] }], imagePullSecrets: [{ name: 'r2' }] } },
      pod({ containers: [c('a')], initContainers: [c('i', { args: ['x'] })], imagePullSecrets: [{ name: 'r2' }, { name: 'r1' }] })],
    ['env merges by name', 'Pod',
      pod({ containers: [c('a', { env: [{ name: 'X', value: '1' }, { name: 'Y', value: '2' }] })] }),
      { spec: { containers: [{ name: 'a', env: [{ name: 'Y', value: '3' }, { name: 'Z', value: '4' }] }] } },
      pod({ containers: [c('a', { env: [{ name: 'X', value: '1' }, { name: 'Y', value: '3' }, { name: 'Z', value: '4' }] })] })],
    ['container ports merge by containerPort', 'Pod',
      pod({ containers: [c('a', { ports: [{ containerPort: 80, name: 'http' }] })] }),
      { spec: { containers: [{ name: 'a', ports: [{ containerPort: 80, protocol: 'TCP' }, { containerPort: 443 }] }] } },
      pod({ containers: [c('a', { ports: [{ containerPort: 80, name: 'http', protocol: 'TCP' }, { containerPort: 443 }] })] })],
    ['volumeMounts merge by mountPath', 'Pod',
      pod({ containers: [c('a', { volumeMounts: [{ name: 'v', mountPath: '/data' }] })] }),
      { spec: { containers: [{ name: 'a', volumeMounts: [{ mountPath: '/data', readOnly: true }, { name: 'w', mountPath: '/w' }] }] } },
      pod({ containers: [c('a', { volumeMounts: [{ name: 'v', mountPath: '/data', readOnly: true }, { name: 'w', mountPath: '/w' }] })] })],
    ['tolerations have no merge key: replaced whole', 'Pod',
      pod({ containers: [c('a')], tolerations: [{ key: 'k1', operator: 'Exists' }] }),
      { spec: { tolerations: [{ key: 'k2', operator: 'Exists' }] } },
      pod({ containers: [c('a')], tolerations: [{ key: 'k2', operator: 'Exists' }] })],
    ['command and args are replaced whole', 'Pod',
      pod({ containers: [c('a', { command: ['sh', '-c'], args: ['one', 'two'] })] }),
      { spec: { containers: [{ name: 'a', args: ['three'] }] } },
      pod({ containers: [c('a', { command: ['sh', '-c'], args: ['three'] })] })],
    ['finalizers are a merged primitive list (a union)', 'Pod',
      pod({ containers: [c('a')] }, { name: 'p', finalizers: ['f1', 'f2'] }), { metadata: { finalizers: ['f2', 'f3'] } },
      pod({ containers: [c('a')] }, { name: 'p', finalizers: ['f1', 'f2', 'f3'] })],
    ['$deleteFromPrimitiveList removes finalizers', 'Pod',
      pod({ containers: [c('a')] }, { name: 'p', finalizers: ['f1', 'f2', 'f3'] }), { metadata: { '$deleteFromPrimitiveList/finalizers': ['f1', 'f3'] } },
      pod({ containers: [c('a')] }, { name: 'p', finalizers: ['f2'] })],
    ['$setElementOrder orders a primitive list', 'Pod',
      pod({ containers: [c('a')] }, { name: 'p', finalizers: ['f1', 'f2'] }), { metadata: { '$setElementOrder/finalizers': ['f2', 'f1'] } },
      pod({ containers: [c('a')] }, { name: 'p', finalizers: ['f2', 'f1'] })],
    ['ownerReferences merge by uid', 'Pod',
      pod({ containers: [c('a')] }, { name: 'p', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'u1' }] }),
      { metadata: { ownerReferences: [{ uid: 'u1', controller: true }, { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u2' }] } },
      pod({ containers: [c('a')] }, { name: 'p', ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'j', uid: 'u1', controller: true }, { apiVersion: 'v1', kind: 'Node', name: 'n', uid: 'u2' }] })],
    ['service ports merge by port', 'Service',
      { kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080, protocol: 'TCP' }] } },
      { spec: { ports: [{ port: 80, targetPort: 9090 }, { port: 443, protocol: 'TCP' }] } },
      { kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 9090, protocol: 'TCP' }, { port: 443, protocol: 'TCP' }] } }],
    ['job status conditions merge by type', 'Job',
      { metadata: { name: 'j' }, status: { conditions: [{ type: 'SuccessCriteriaMet', status: 'True' }] } },
      { status: { conditions: [{ type: 'Complete', status: 'True' }, { type: 'SuccessCriteriaMet', reason: 'CompletionsReached' }] } },
      { metadata: { name: 'j' }, status: { conditions: [{ type: 'Complete', status: 'True' }, { type: 'SuccessCriteriaMet', status: 'True', reason: 'CompletionsReached' }] } }],
    ['node status addresses merge by type', 'Node',
      { metadata: { name: 'n' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } },
      { status: { addresses: [{ type: 'Hostname', address: 'node-1' }] } },
      { metadata: { name: 'n' }, status: { addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '10.0.0.1' }] } }],
    ['a scalar can become a map and back', 'Pod',
      pod({ containers: [c('a')], nodeSelector: 'junk' }), { spec: { nodeSelector: { disk: 'ssd' } } },
      pod({ containers: [c('a')], nodeSelector: { disk: 'ssd' } })],
    ['unknown fields: maps merge, lists are replaced', 'Pod',
      pod({ containers: [c('a')], x: { k: 1, l: [1, 2] } }), { spec: { x: { m: 2, l: [3] } } },
      pod({ containers: [c('a')], x: { k: 1, l: [3], m: 2 } })],
    ['an empty patch changes nothing', 'Pod', pod({ containers: [c('a')] }), {}, pod({ containers: [c('a')] })],
  ])('%s', (_name, kind, live, patch, want) => {
    expect(applyStrategicMergePatch(live, patch, kind)).toStrictEqual(want);
  });
});

describe('applyStrategicMergePatch: $patch, $retainKeys', () => {
  it.each<[string, Obj, Obj, Obj]>([
    ['$patch: replace on a map replaces it', pod({ containers: [c('a')] }, { name: 'p', labels: { x: '1' } }),
      { metadata: { labels: { $patch: 'replace', y: '2' } } }, pod({ containers: [c('a')] }, { name: 'p', labels: { y: '2' } })],
    ['$patch: delete on a map empties it', pod({ containers: [c('a')], nodeSelector: { a: 'b' } }),
      { spec: { nodeSelector: { $patch: 'delete' } } }, pod({ containers: [c('a')], nodeSelector: {} })],
    ['$patch: merge is the default, made explicit', pod({ containers: [c('a')] }, { name: 'p', labels: { x: '1' } }),
      { metadata: { labels: { $patch: 'merge', y: '2' } } }, pod({ containers: [c('a')] }, { name: 'p', labels: { x: '1', y: '2' } })],
    ['$patch: replace in a list replaces the list', pod({ containers: [c('a'), c('b')] }),
      { spec: { containers: [{ $patch: 'replace' }, { name: 'z', image: 'z:1' }] } }, pod({ containers: [{ name: 'z', image: 'z:1' }] })],
    ['$patch: delete removes one item by merge key', pod({ containers: [c('a'), c('b')] }),
      { spec: { containers: [{ $patch: 'delete', name: 'a' }] } }, pod({ containers: [c('b')] })],
    ['$patch: merge items are ignored', pod({ containers: [c('a')] }),
      { spec: { containers: [{ $patch: 'merge' }, { name: 'a', tty: true }] } }, pod({ containers: [c('a', { tty: true })] })],
    ['$retainKeys drops the keys it does not list', pod({ containers: [c('a')], volumes: [{ name: 'v', emptyDir: {}, hostPath: { path: '/x' } }] }),
      { spec: { volumes: [{ name: 'v', $retainKeys: ['name', 'secret'], secret: { secretName: 's' } }] } },
      pod({ containers: [c('a')], volumes: [{ name: 'v', secret: { secretName: 's' } }] })],
  ])('%s', (_name, live, patch, want) => {
    expect(applyStrategicMergePatch(live, patch, 'Pod')).toStrictEqual(want);
  });
});

describe('applyStrategicMergePatch: errors', () => {
  const live = pod({ containers: [c('a')], volumes: [{ name: 'v', emptyDir: {} }] });
  it.each<[string, unknown, number, RegExp]>([
    ['$retainKeys must list every key the patch sets', { spec: { volumes: [{ name: 'v', $retainKeys: ['name'], secret: {} }] } }, 400, /retainKeys/],
    ['$retainKeys must be a list', { spec: { volumes: [{ name: 'v', $retainKeys: 'name' }] } }, 400, /retainKeys/],
    ['an unknown $patch value', { spec: { $patch: 'explode' } }, 400, /unknown patch type/],
    ['a merge-list item without its merge key', { spec: { containers: [{ image: 'x' }] } }, 400, /does not contain declared merge key: name/],
    ['a delete directive without the merge key', { spec: { containers: [{ $patch: 'delete' }] } }, 400, /merge key/],
    ['$setElementOrder that contradicts the patch list', { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'b' }] } }, 400, /doesn't match/],
    ['mixed element types in a merge list', { metadata: { finalizers: [{ a: 1 }] } }, 400, /not identical/],
    ['lists of lists', { metadata: { finalizers: [['x']] } }, 422, /lists of lists/],
    ['a patch that is not an object', ['x'], 400, /JSON object/],
  ])('%s', (_name, patch, code, message) => {
    const target = structuredClone(live);
    if (_name.startsWith('mixed') || _name.startsWith('lists')) (target.metadata as Obj).finalizers = ['f'];
    const e = errorOf(() => applyStrategicMergePatch(target, patch, 'Pod'));
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
  });

  it('answers 415 for a kind without Go types, as kube-apiserver does for custom resources', () => {
    const e = errorOf(() => applyStrategicMergePatch({}, {}, 'Widget'));
    expect(e.code).toBe(415);
    expect(e.reason).toBe('UnsupportedMediaType');
  });
});
