import { describe, expect, it } from 'vitest';
import type { Container, CronJob, Event, Job, Node, Pod } from '@kjobs/api';
import { describeObject } from './describe.js';
import { describeProbe } from './describe-containers.js';
import { eventInterval } from './describe-events.js';
import { smartLabel } from './describe-generic.js';
import { qosClass } from './describe-pod.js';

const UID = 'a2ed65c4-cfda-43c8-bb4a-707c4ed29143';
const NOW = new Date('2021-06-03T04:28:51Z');
const TZ = -420;
const jobLabels = { 'batch.kubernetes.io/controller-uid': UID, 'batch.kubernetes.io/job-name': 'oneshot', 'controller-uid': UID, 'job-name': 'oneshot' };

const oneshot: Job = {
  apiVersion: 'batch/v1', kind: 'Job',
  metadata: {
    name: 'oneshot', namespace: 'default', uid: UID, labels: jobLabels,
    annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"apiVersion":"batch/v1"}\n' },
  },
  spec: {
    parallelism: 1, completions: 1, completionMode: 'NonIndexed', suspend: false, backoffLimit: 6,
    selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } },
    template: {
      metadata: { labels: jobLabels },
      spec: {
        containers: [{
          name: 'kuard', image: 'gcr.io/kuar-demo/kuard-amd64:blue', imagePullPolicy: 'Always', command: ['/kuard'],
          args: ['--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen=10'],
        }],
        restartPolicy: 'OnFailure',
      },
    },
  },
  status: {
    startTime: '2021-06-03T04:23:23Z', completionTime: '2021-06-03T04:23:51Z', succeeded: 1,
    conditions: [{ type: 'Complete', status: 'True' }],
  },
};

const ev = (reason: string, message: string, at: string, extra: Partial<Event> = {}): Event => ({
  metadata: { name: `oneshot.${reason}` }, involvedObject: { kind: 'Job', name: 'oneshot' }, type: 'Normal', reason, message,
  firstTimestamp: at, lastTimestamp: at, count: 1, source: { component: 'job-controller' }, ...extra,
});

describe('describe job', () => {
  it('prints the chapter\'s one-shot Job as kubectl lays it out', () => {
    const events = [
      ev('Completed', 'Job completed', '2021-06-03T04:23:51Z'),
      ev('SuccessfulCreate', 'Created pod: oneshot-4kfdt', '2021-06-03T04:23:23Z'),
    ];
    expect(describeObject('Job', oneshot, { now: NOW, events, tzOffsetMinutes: TZ })).toBe(`Name:             oneshot
Namespace:        default
Selector:         batch.kubernetes.io/controller-uid=${UID}
Labels:           batch.kubernetes.io/controller-uid=${UID}
                  batch.kubernetes.io/job-name=oneshot
                  controller-uid=${UID}
                  job-name=oneshot
Annotations:      <none>
Parallelism:      1
Completions:      1
Completion Mode:  NonIndexed
Suspend:          false
Backoff Limit:    6
Start Time:       Wed, 02 Jun 2021 21:23:23 -0700
Completed At:     Wed, 02 Jun 2021 21:23:51 -0700
Duration:         28s
Pods Statuses:    0 Running / 1 Succeeded / 0 Failed
Pod Template:
  Labels:  batch.kubernetes.io/controller-uid=${UID}
           batch.kubernetes.io/job-name=oneshot
           controller-uid=${UID}
           job-name=oneshot
  Containers:
   kuard:
    Image:      gcr.io/kuar-demo/kuard-amd64:blue
    Port:       <none>
    Host Port:  <none>
    Command:
      /kuard
    Args:
      --keygen-enable
      --keygen-exit-on-complete
      --keygen-num-to-gen=10
    Environment:   <none>
    Mounts:        <none>
  Volumes:         <none>
  Node-Selectors:  <none>
  Tolerations:     <none>
Events:
  Type    Reason            Age    From            Message
  ----    ------            ----   ----            -------
  Normal  SuccessfulCreate  5m28s  job-controller  Created pod: oneshot-4kfdt
  Normal  Completed         5m     job-controller  Job completed
`);
  });

  it.each([
    { name: 'no events: Events: <none> aligned with the block above', events: [] as Event[], tail: '  Tolerations:     <none>\nEvents:            <none>\n' },
    { name: 'events unavailable: also <none>', events: null, tail: '  Tolerations:     <none>\nEvents:            <none>\n' },
  ])('$name', ({ events, tail }) => {
    expect(describeObject('Job', oneshot, { now: NOW, events, tzOffsetMinutes: TZ }).endsWith(tail)).toBe(true);
  });

  it.each([
    { name: 'work-queue mode: Completions <unset>', patch: { spec: { ...oneshot.spec, completions: undefined, parallelism: 5 } }, want: ['Parallelism:      5', 'Completions:      <unset>'] },
    { name: 'running: no Completed At/Duration, counts from status', patch: { status: { startTime: '2021-06-03T04:23:23Z', active: 2, failed: 3 } }, want: ['Pods Statuses:    2 Running / 0 Succeeded / 3 Failed'] },
    { name: 'annotations other than last-applied are shown', patch: { metadata: { ...oneshot.metadata, annotations: { team: 'batch' } } }, want: ['Annotations:      team: batch'] },
    { name: 'activeDeadlineSeconds', patch: { spec: { ...oneshot.spec, activeDeadlineSeconds: 30 } }, want: ['Active Deadline Seconds:  30s'] },
  ])('$name', ({ patch, want }) => {
    const out = describeObject('Job', { ...oneshot, ...patch } as Job, { now: NOW, events: [], tzOffsetMinutes: TZ });
    for (const line of want) expect(out.split('\n')).toContain(line);
  });
});

describe('describe pod', () => {
  const pod: Pod = {
    metadata: {
      name: 'oneshot-4kfdt', namespace: 'default', uid: 'p1', labels: { 'job-name': 'oneshot' },
      ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'oneshot', uid: UID, controller: true }],
    },
    spec: {
      nodeName: 'node-1', restartPolicy: 'OnFailure',
      containers: [{ name: 'kuard', image: 'kuard', env: [{ name: 'A', value: '1' }, { name: 'POD', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }], livenessProbe: { httpGet: { path: '/healthy', port: 8080 }, initialDelaySeconds: 5 } }],
      tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }],
    },
    status: {
      phase: 'Running', hostIP: '10.0.0.1', podIP: '127.0.1.2', podIPs: [{ ip: '127.0.1.2' }], startTime: '2021-06-03T04:23:23Z',
      conditions: [{ type: 'Ready', status: 'True' }],
      containerStatuses: [{
        name: 'kuard', ready: true, restartCount: 1, image: 'kuard', imageID: 'kjobs://kuard', containerID: 'proc://123',
        state: { running: { startedAt: '2021-06-03T04:23:30Z' } },
        lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: '2021-06-03T04:23:24Z', finishedAt: '2021-06-03T04:23:29Z' } },
      }],
    },
  };

  it('prints node, IPs, controller, container state and conditions', () => {
    expect(describeObject('Pod', pod, { now: NOW, events: [], tzOffsetMinutes: TZ })).toBe(`Name:         oneshot-4kfdt
Namespace:    default
Node:         node-1/10.0.0.1
Start Time:   Wed, 02 Jun 2021 21:23:23 -0700
Labels:       job-name=oneshot
Annotations:  <none>
Status:       Running
IP:           127.0.1.2
IPs:
  IP:           127.0.1.2
Controlled By:  Job/oneshot
Containers:
  kuard:
    Container ID:   proc://123
    Image:          kuard
    Image ID:       kjobs://kuard
    Port:           <none>
    Host Port:      <none>
    State:          Running
      Started:      Wed, 02 Jun 2021 21:23:30 -0700
    Last State:     Terminated
      Reason:       Error
      Exit Code:    1
      Started:      Wed, 02 Jun 2021 21:23:24 -0700
      Finished:     Wed, 02 Jun 2021 21:23:29 -0700
    Ready:          True
    Restart Count:  1
    Liveness:       http-get http://:8080/healthy delay=5s timeout=1s period=10s #success=1 #failure=3
    Environment:
      A:     1
      POD:   oneshot-4kfdt (v1:metadata.name)
    Mounts:  <none>
Conditions:
  Type           Status
  Ready          True${' '}
Volumes:         <none>
QoS Class:       BestEffort
Node-Selectors:  <none>
Tolerations:     node.kubernetes.io/not-ready:NoExecute op=Exists for 300s
Events:          <none>
`);
  });

  it.each<{ name: string; c: Partial<Container>; want: string }>([
    { name: 'no requests or limits', c: {}, want: 'BestEffort' },
    { name: 'limits = requests for cpu and memory', c: { resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } } }, want: 'Guaranteed' },
    { name: 'limits only (requests default to them)', c: { resources: { limits: { cpu: '1', memory: '1Gi' } } }, want: 'Guaranteed' },
    { name: 'requests only', c: { resources: { requests: { cpu: '100m' } } }, want: 'Burstable' },
  ])('QoS class: $name → $want', ({ c, want }) => {
    expect(qosClass({ metadata: {}, spec: { containers: [{ name: 'x', ...c }] } })).toBe(want);
  });
});

describe('describe cronjob', () => {
  it('prints schedule, policies, job template and active jobs', () => {
    const cj: CronJob = {
      metadata: { name: 'example-cron', namespace: 'default' },
      spec: {
        schedule: '0 */5 * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
        jobTemplate: { spec: { template: { spec: { containers: [{ name: 'batch-job', image: 'my-batch-image' }], restartPolicy: 'OnFailure' } } } },
      },
      status: { active: [{ name: 'example-cron-28001' }] },
    };
    const out = describeObject('CronJob', cj, { now: NOW, events: [], tzOffsetMinutes: TZ });
    expect(out).toContain('Schedule:                      0 */5 * * *\nConcurrency Policy:            Allow\nSuspend:                       false\n');
    expect(out).toContain('Starting Deadline Seconds:     <unset>\nSelector:                      <unset>\nParallelism:                   <unset>\n');
    expect(out).toContain('   batch-job:\n    Image:           my-batch-image\n    Port:            <none>\n');
    expect(out).toContain('Last Schedule Time:  <unset>\nActive Jobs:         example-cron-28001\nEvents:              <none>\n');
  });
});

describe('describe node', () => {
  it('prints conditions, addresses, capacity and the pods with their requests', () => {
    const node: Node = {
      metadata: { name: 'node-1', labels: { 'kubernetes.io/hostname': 'node-1' }, creationTimestamp: '2021-06-03T04:00:00Z' },
      spec: {},
      status: {
        conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: '2021-06-03T04:28:00Z', lastTransitionTime: '2021-06-03T04:00:00Z' }],
        addresses: [{ type: 'InternalIP', address: '127.0.0.1' }, { type: 'Hostname', address: 'node-1' }],
        capacity: { pods: '110', memory: '4Gi', cpu: '4' }, allocatable: { cpu: '4', memory: '4Gi', pods: '110' },
        nodeInfo: { kubeletVersion: 'v1.32.0-kjobs' },
      },
    };
    const pods: Pod[] = [{ metadata: { name: 'p', namespace: 'default', creationTimestamp: '2021-06-03T04:27:51Z' }, spec: { containers: [{ name: 'c', resources: { requests: { cpu: '500m', memory: '512Mi' }, limits: { memory: '1Gi' } } }] } }];
    const out = describeObject('Node', node, { now: NOW, events: [], pods, tzOffsetMinutes: TZ });
    expect(out).toContain('Roles:              <none>\n');
    expect(out).toContain('  Ready   True    Wed, 02 Jun 2021 21:28:00 -0700   Wed, 02 Jun 2021 21:00:00 -0700   KubeletReady   kubelet is posting ready status\n');
    expect(out).toContain('Capacity:\n  cpu:     4\n  memory:  4Gi\n  pods:    110\n');
    expect(out).toContain('Non-terminated Pods:          (1 in total)\n  Namespace                   Name    CPU Requests  CPU Limits  Memory Requests  Memory Limits  Age\n');
    expect(out).toContain('  default                     p       500m (12%)    0 (0%)      512Mi (12%)      1Gi (25%)      60s\n');
    expect(out).toContain('  cpu       500m (12%)   0 (0%)\n  memory    512Mi (12%)  1Gi (25%)\n');
  });
});

describe('describe helpers', () => {
  it.each([
    [{ httpGet: { path: '/healthy', port: 8080 } }, 'http-get http://:8080/healthy delay=0s timeout=1s period=10s #success=1 #failure=3'],
    [{ exec: { command: ['cat', '/tmp/ok'] }, periodSeconds: 5 }, 'exec [cat /tmp/ok] delay=0s timeout=1s period=5s #success=1 #failure=3'],
    [{ tcpSocket: { port: 8080 }, failureThreshold: 1 }, 'tcp-socket :8080 delay=0s timeout=1s period=10s #success=1 #failure=1'],
  ])('probe %j', (p, want) => {
    expect(describeProbe(p)).toBe(want);
  });
  it('repeated events show "x N over"', () => {
    expect(eventInterval(ev('BackOff', 'Back-off', '2021-06-03T04:23:51Z', { firstTimestamp: '2021-06-03T04:20:51Z', count: 4 }), NOW)).toBe('5m (x4 over 8m)');
  });
  it.each([['concurrencyPolicy', 'Concurrency Policy'], ['podIP', 'Pod IP'], ['spec', 'Spec'], ['matchLabels', 'Match Labels']])('smartLabel %s', (f, want) => {
    expect(smartLabel(f)).toBe(want);
  });
  it('falls back to the generic describer for other kinds', () => {
    const out = describeObject('ReplicaSet', { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'queue', namespace: 'default' }, spec: { replicas: 1 } }, { now: NOW, events: [] });
    expect(out).toBe('Name:         queue\nNamespace:    default\nLabels:       <none>\nAnnotations:  <none>\nAPI Version:  apps/v1\nKind:         ReplicaSet\nSpec:\n  Replicas:  1\nEvents:      <none>\n');
  });
});
