import { describe, expect, it } from 'vitest';
import type { KObject } from '../types.js';
import { tableColumns, toTable } from './to-table.js';

const NOW = new Date('2026-11-27T18:58:51Z');

describe('toTable: the Job list Table of the kubectl reference (§4.3)', () => {
  const pi: KObject = {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: 'pi', namespace: 'default', uid: 'aa04', resourceVersion: '105', creationTimestamp: '2026-11-27T18:58:50Z',
      labels: { 'job-name': 'pi', chapter: 'jobs' },
    },
    spec: {
      completions: 1,
      selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': 'aa04' } },
      template: { spec: { containers: [{ name: 'pi', image: 'perl:5.34' }], restartPolicy: 'Never' } },
    },
    status: { startTime: '2026-11-27T18:58:50Z', active: 1 },
  };

  it('has the reference JSON: columns, cells and the PartialObjectMetadata object', () => {
    const table = toTable('Job', [pi], NOW, { resourceVersion: '109' });
    expect({ ...table, columnDefinitions: table.columnDefinitions.map(({ description: _d, ...c }) => c) }).toStrictEqual({
      kind: 'Table', apiVersion: 'meta.k8s.io/v1', metadata: { resourceVersion: '109' },
      columnDefinitions: [
        { name: 'Name', type: 'string', format: 'name', priority: 0 },
        { name: 'Status', type: 'string', format: '', priority: 0 },
        { name: 'Completions', type: 'string', format: '', priority: 0 },
        { name: 'Duration', type: 'string', format: '', priority: 0 },
        { name: 'Age', type: 'string', format: '', priority: 0 },
        { name: 'Containers', type: 'string', format: '', priority: 1 },
        { name: 'Images', type: 'string', format: '', priority: 1 },
        { name: 'Selector', type: 'string', format: '', priority: 1 },
      ],
      rows: [{
        cells: ['pi', 'Running', '0/1', '1s', '1s', 'pi', 'perl:5.34', 'batch.kubernetes.io/controller-uid=aa04'],
        object: {
          kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1',
          metadata: { name: 'pi', namespace: 'default', uid: 'aa04', resourceVersion: '105', creationTimestamp: '2026-11-27T18:58:50Z', labels: { 'job-name': 'pi', chapter: 'jobs' } },
        },
      }],
    });
    expect(table.columnDefinitions[1]!.description).toBe('Status of the job.');
    expect(table.columnDefinitions[0]!.description).toMatch(/^Name must be unique within a namespace/);
  });

  it('omits columnDefinitions when asked (later watch events) and never shares the object\'s metadata', () => {
    const table = toTable('Job', [pi], NOW, { includeColumnDefinitions: false });
    expect(table.columnDefinitions).toEqual([]);
    expect(table.metadata).toEqual({});
    table.rows[0]!.object.metadata.labels!.chapter = 'changed';
    expect(pi.metadata.labels!.chapter).toBe('jobs');
  });

  it('answers an empty Table for no objects', () => {
    expect(toTable('Pod', [], NOW).rows).toEqual([]);
  });
});

describe('toTable: column sets per kind (printers.go; lower-case = wide)', () => {
  it.each([
    ['Pod', 'Name Ready Status Restarts Age ip node nominated-node readiness-gates'],
    ['Job', 'Name Status Completions Duration Age containers images selector'],
    ['CronJob', 'Name Schedule Timezone Suspend Active Last-Schedule Age containers images selector'],
    ['ReplicaSet', 'Name Desired Current Ready Age containers images selector'],
    ['Service', 'Name Type Cluster-IP External-IP Port(s) Age selector'],
    ['Node', 'Name Status Roles Age Version internal-ip external-ip os-image kernel-version container-runtime'],
    ['Namespace', 'Name Status Age'],
    ['Event', 'Last-Seen Type Reason Object subobject source Message first-seen count name'],
    ['Lease', 'Name Holder Age'],
    ['Widget', 'Name Created-At'],
  ])('%s: %s', (kind, want) => {
    const got = tableColumns(kind).map((c) => {
      const n = c.name.replace(/ /g, '-');
      return c.priority > 0 ? n.toLowerCase() : n;
    });
    expect(got.join(' ')).toBe(want);
  });
});

const meta = (name: string, ageSeconds: number, extra: Partial<KObject['metadata']> = {}): KObject['metadata'] =>
  ({ name, namespace: 'default', creationTimestamp: new Date(NOW.getTime() - ageSeconds * 1000).toISOString().replace('.000', ''), ...extra });

describe('toTable: rows of the other kinds', () => {
  it.each<[string, KObject, unknown[]]>([
    ['CronJob', {
      metadata: meta('hello', 600),
      spec: { schedule: '*/1 * * * *', jobTemplate: { spec: { template: { spec: { containers: [{ name: 'hello', image: 'busybox:1.28' }] } } } } },
    }, ['hello', '*/1 * * * *', '<none>', '<unset>', 0, '<none>', '10m', 'hello', 'busybox:1.28', '<none>']],
    ['CronJob', {
      metadata: meta('nightly', 3 * 86400),
      spec: { schedule: '0 3 * * *', timeZone: 'Etc/UTC', suspend: false, jobTemplate: { spec: { template: { spec: { containers: [] } } } } },
      status: { active: [{ name: 'nightly-1' }], lastScheduleTime: meta('x', 65).creationTimestamp },
    }, ['nightly', '0 3 * * *', 'Etc/UTC', 'False', 1, '65s', '3d', '', '', '<none>']],
    ['ReplicaSet', {
      metadata: meta('web', 5),
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { spec: { containers: [{ name: 'kuard', image: 'kuard:1' }] } } },
      status: { replicas: 3, readyReplicas: 2 },
    }, ['web', 3, 3, 2, '5s', 'kuard', 'kuard:1', 'app=web']],
    ['Service', {
      metadata: meta('web', 5),
      spec: { type: 'ClusterIP', clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'], ports: [{ port: 8080, protocol: 'TCP', targetPort: 8080 }], selector: { app: 'web', tier: 'fe' } },
    }, ['web', 'ClusterIP', '10.96.0.10', '<none>', '8080/TCP', '5s', 'app=web,tier=fe']],
    ['Service', {
      metadata: meta('lb', 5),
      spec: { type: 'LoadBalancer', clusterIPs: ['10.96.0.11'], ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }, { port: 443, nodePort: 30443, protocol: 'TCP' }] },
    }, ['lb', 'LoadBalancer', '10.96.0.11', '<pending>', '80:30080/TCP,443:30443/TCP', '5s', '<none>']],
    ['Service', {
      metadata: meta('ext', 5), spec: { type: 'ExternalName', externalName: 'example.com' },
    }, ['ext', 'ExternalName', '<none>', 'example.com', '<none>', '5s', '<none>']],
    ['Node', {
      metadata: meta('node-1', 2 * 86400 + 3 * 3600, { namespace: undefined, labels: { 'node-role.kubernetes.io/worker': '', 'node-role.kubernetes.io/batch': '' } }),
      spec: { unschedulable: true },
      status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: '10.0.0.1' }], nodeInfo: { kubeletVersion: 'v1.32.4-kjobs', osImage: 'kjobs' } },
    }, ['node-1', 'Ready,SchedulingDisabled', 'batch,worker', '2d3h', 'v1.32.4-kjobs', '10.0.0.1', '<none>', 'kjobs', '<unknown>', '<unknown>']],
    ['Node', {
      metadata: meta('node-2', 60, { namespace: undefined }), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] },
    }, ['node-2', 'NotReady', '<none>', '60s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']],
    ['Node', { metadata: meta('node-3', 60, { namespace: undefined }) }, ['node-3', 'Unknown', '<none>', '60s', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']],
    ['Namespace', { metadata: meta('default', 86400 * 10), status: { phase: 'Active' } }, ['default', 'Active', '10d']],
    ['Lease', { metadata: meta('node-1', 30), spec: { holderIdentity: 'node-1' } }, ['node-1', 'node-1', '30s']],
    ['Event', {
      metadata: meta('oneshot.1a2b', 5),
      involvedObject: { kind: 'Job', name: 'oneshot', namespace: 'default' },
      reason: 'SuccessfulCreate', message: 'Created pod: oneshot-abc\n', type: 'Normal', count: 1,
      firstTimestamp: meta('x', 65).creationTimestamp, lastTimestamp: meta('x', 5).creationTimestamp,
      source: { component: 'job-controller' },
    }, ['5s', 'Normal', 'SuccessfulCreate', 'job/oneshot', '', 'job-controller', 'Created pod: oneshot-abc', '65s', 1, 'oneshot.1a2b']],
    ['Event', {
      metadata: meta('p.1', 5),
      involvedObject: { kind: 'Pod', name: 'p', fieldPath: 'spec.containers{c}' },
      reason: 'Pulled', type: 'Normal', eventTime: '2026-11-27T18:58:41.123456Z', reportingComponent: 'kubelet', reportingInstance: 'node-1',
    }, ['9s', 'Normal', 'Pulled', 'pod/p', 'spec.containers{c}', 'kubelet, node-1', '', '9s', 1, 'p.1']], // 9.88s truncates to 9s
    ['Widget', { metadata: meta('w', 5) }, ['w', '2026-11-27T18:58:46Z']],
  ])('%s %#', (kind, obj, cells) => {
    expect(toTable(kind, [obj], NOW).rows[0]!.cells).toStrictEqual(cells);
  });
});
