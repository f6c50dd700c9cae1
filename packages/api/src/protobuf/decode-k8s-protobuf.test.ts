import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { decodeK8sProtobuf, isProtobufContentType } from './decode-k8s-protobuf.js';
import { entry, f, k8sBody, msg, packed } from '../testing/encode-protobuf.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./testdata/${name}`, import.meta.url));

function expectApiError(fn: () => unknown, code: number, message: RegExp): void {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ApiError);
    expect((e as ApiError).code).toBe(code);
    expect((e as ApiError).message).toMatch(message);
    return;
  }
  throw new Error('expected an ApiError');
}

/** Time{seconds} as metav1.Time is encoded. */
const time = (iso: string): Uint8Array => msg(f(1, Date.parse(iso) / 1000), f(2, 0));
const ZERO_TIME = new Uint8Array();

/**
 * The Job `kubectl create job manual-1 --from=cronjob/hello` builds (create_job.go), encoded the
 * way gogo-protobuf does: every non-pointer field written even when zero (generateName "",
 * generation 0, an empty creationTimestamp, stdin false, a zero status), pointer fields only when
 * set, including backoffLimit 0 and suspend false.
 */
function createJobFromCronJobBody(): Uint8Array {
  const objectMeta = (...extra: Parameters<typeof msg>) =>
    msg(f(1, 'manual-1'), f(2, ''), f(3, 'default'), f(4, ''), f(5, ''), f(6, ''), f(7, 0), f(8, ZERO_TIME), ...extra);
  const container = msg(
    f(1, 'hello'), f(2, 'busybox:1.28'), f(3, 'sh'), f(3, '-c'), f(3, 'date; echo Hello'), f(4, '--verbose'), f(5, ''),
    f(6, msg(f(1, 'http'), f(2, 0), f(3, 8080), f(4, 'TCP'), f(5, ''))),
    f(7, msg(f(1, 'GREETING'), f(2, 'hi'))), f(7, msg(f(1, 'EMPTY'), f(2, ''))),
    f(8, msg(entry(1, 'cpu', msg(f(1, '100m'))), entry(2, 'memory', msg(f(1, '64Mi'))))),
    f(13, '/dev/termination-log'), f(14, 'IfNotPresent'), f(16, false), f(17, false), f(18, false), f(20, 'File'),
  );
  const podSpec = msg(
    f(2, container), f(3, 'OnFailure'), f(4, 30), f(5, 600), f(6, 'ClusterFirst'), entry(7, 'disktype', 'ssd'),
    f(8, ''), f(9, ''), f(10, ''), f(11, false), f(12, false), f(13, false), f(14, msg()), f(16, ''), f(17, ''),
    f(19, 'default-scheduler'), f(22, msg(f(1, 'dedicated'), f(2, 'Equal'), f(3, 'batch'), f(4, 'NoSchedule'))), f(24, ''),
  );
  const template = msg(f(1, msg(f(1, ''), f(2, ''), f(3, ''), f(7, 0), f(8, ZERO_TIME), entry(11, 'app', 'hello'))), f(2, podSpec));
  const spec = msg(f(1, 1), f(2, 1), f(6, template), f(7, 0), f(10, false));
  const ownerRef = msg(f(1, 'CronJob'), f(3, 'hello'), f(4, '6f1c4e0e-8d5a-4a49-a3c1-3f1f4f1a9b10'), f(5, 'batch/v1'), f(6, true));
  const metadata = objectMeta(entry(11, 'app', 'hello'), entry(12, 'cronjob.kubernetes.io/instantiate', 'manual'), f(13, ownerRef));
  const status = msg(f(4, 0), f(5, 0), f(6, 0), f(7, ''));
  return k8sBody('batch/v1', 'Job', msg(f(1, metadata), f(2, spec), f(3, status)));
}

const CREATED_JOB = {
  kind: 'Job',
  apiVersion: 'batch/v1',
  metadata: {
    name: 'manual-1',
    namespace: 'default',
    labels: { app: 'hello' },
    annotations: { 'cronjob.kubernetes.io/instantiate': 'manual' },
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: '6f1c4e0e-8d5a-4a49-a3c1-3f1f4f1a9b10', controller: true }],
  },
  spec: {
    parallelism: 1,
    completions: 1,
    backoffLimit: 0,
    template: {
      metadata: { labels: { app: 'hello' } },
      spec: {
        containers: [{
          name: 'hello',
          image: 'busybox:1.28',
          command: ['sh', '-c', 'date; echo Hello'],
          args: ['--verbose'],
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env: [{ name: 'GREETING', value: 'hi' }, { name: 'EMPTY' }],
          resources: { limits: { cpu: '100m' }, requests: { memory: '64Mi' } },
          terminationMessagePath: '/dev/termination-log',
          terminationMessagePolicy: 'File',
          imagePullPolicy: 'IfNotPresent',
        }],
        restartPolicy: 'OnFailure',
        terminationGracePeriodSeconds: 30,
        activeDeadlineSeconds: 600,
        dnsPolicy: 'ClusterFirst',
        nodeSelector: { disktype: 'ssd' },
        securityContext: {},
        schedulerName: 'default-scheduler',
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'batch', effect: 'NoSchedule' }],
      },
    },
    suspend: false,
  },
};

describe('decodeK8sProtobuf: the Job of kubectl create job --from=cronjob', () => {
  it('decodes metadata, every spec field and the pod template as the Go API server would print them', () => {
    expect(decodeK8sProtobuf(createJobFromCronJobBody())).toStrictEqual(CREATED_JOB);
  });

  it('keeps Go field order, so the JSON reads like the real server', () => {
    const job = decodeK8sProtobuf(createJobFromCronJobBody());
    expect(Object.keys(job)).toEqual(['kind', 'apiVersion', 'metadata', 'spec']);
    expect(Object.keys(job.spec as object)).toEqual(['parallelism', 'completions', 'backoffLimit', 'template', 'suspend']);
  });

  it('keeps a zero status only when asked, as {} (all its zero counters dropped)', () => {
    expect(decodeK8sProtobuf(createJobFromCronJobBody(), { keepStatus: true }).status).toStrictEqual({});
  });

  it('starts exactly like the real body in the kubectl reference (6b387300 0a0f 0a08 "batch/v1" 1203 "Job" 12)', () => {
    const hex = Buffer.from(createJobFromCronJobBody()).toString('hex');
    const want = '6b387300' + '0a0f' + '0a08' + Buffer.from('batch/v1').toString('hex') + '1203' + Buffer.from('Job').toString('hex') + '12';
    expect(hex.startsWith(want)).toBe(true);
  });
});

describe('decodeK8sProtobuf: field rules', () => {
  const jobWithSpec = (...spec: Parameters<typeof msg>) => k8sBody('batch/v1', 'Job', msg(f(1, msg(f(1, 'j'))), f(2, msg(...spec))));
  const specOf = (body: Uint8Array) => decodeK8sProtobuf(body).spec as Record<string, unknown>;

  it.each([
    ['pointer int32 set to 0 is kept', [f(7, 0)], { backoffLimit: 0 }],
    ['pointer bool set to false is kept', [f(5, false)], { manualSelector: false }],
    ['pointer string set to "" is kept', [f(15, '')], { managedBy: '' }],
    ['absent pointer fields stay absent', [], {}],
    ['negative int64 (10-byte varint) decodes as a negative number', [f(3, -5)], { activeDeadlineSeconds: -5 }],
    ['unknown field numbers are skipped', [f(99, 'future'), f(7, 6)], { backoffLimit: 6 }],
    ['the last of a repeated singular field wins', [f(7, 1), f(7, 2)], { backoffLimit: 2 }],
  ])('%s', (_name, spec, want) => {
    expect(specOf(jobWithSpec(...spec))).toStrictEqual(want);
  });

  it('reads packed and unpacked repeated varints alike', () => {
    const rule = (values: ReturnType<typeof f>[]) =>
      msg(f(1, msg(f(1, 'FailJob'), f(2, msg(f(2, 'In'), ...values))))); // PodFailurePolicy{rules:[{action, onExitCodes}]}
    const unpacked = specOf(jobWithSpec(f(11, rule([f(3, 1), f(3, 42)]))));
    const packedForm = specOf(jobWithSpec(f(11, rule([packed(3, [1, 42])]))));
    expect(unpacked).toStrictEqual({ podFailurePolicy: { rules: [{ action: 'FailJob', onExitCodes: { operator: 'In', values: [1, 42] } }] } });
    expect(packedForm).toStrictEqual(unpacked);
  });

  it('prints non-zero Times as RFC3339 seconds and drops zero ones', () => {
    const meta = msg(f(1, 'j'), f(8, time('2026-11-27T18:50:29Z')), f(9, ZERO_TIME));
    const job = decodeK8sProtobuf(k8sBody('batch/v1', 'Job', msg(f(1, meta))));
    expect(job.metadata).toStrictEqual({ name: 'j', creationTimestamp: '2026-11-27T18:50:29Z' });
  });

  it('decodes IntOrString as a number or a string (Service targetPort)', () => {
    const port = (target: Uint8Array) => msg(f(2, 'TCP'), f(3, 80), f(4, target));
    const svc = msg(f(1, msg(f(1, 'web'))), f(2, msg(f(1, port(msg(f(1, 0), f(2, 8080)))), f(1, port(msg(f(1, 1), f(3, 'http')))))));
    const obj = decodeK8sProtobuf(k8sBody('v1', 'Service', svc));
    expect(obj.spec).toStrictEqual({ ports: [{ protocol: 'TCP', port: 80, targetPort: 8080 }, { protocol: 'TCP', port: 80, targetPort: 'http' }] });
  });

  it('decodes a Pod at the metadata + containers level', () => {
    const pod = msg(f(1, msg(f(1, 'oneshot'), entry(11, 'run', 'oneshot'))), f(2, msg(f(2, msg(f(1, 'c'), f(2, 'busybox'), f(16, true))), f(3, 'Never'))));
    expect(decodeK8sProtobuf(k8sBody('v1', 'Pod', pod))).toStrictEqual({
      kind: 'Pod', apiVersion: 'v1',
      metadata: { name: 'oneshot', labels: { run: 'oneshot' } },
      spec: { containers: [{ name: 'c', image: 'busybox', stdin: true }], restartPolicy: 'Never' },
    });
  });
});

describe('decodeK8sProtobuf: upstream round-trip fixtures (k8s.io/api testdata, release-1.32)', () => {
  it.each([
    'batch.v1.Job', 'batch.v1.CronJob', 'core.v1.Pod', 'core.v1.Node', 'core.v1.Service', 'core.v1.Event',
    'core.v1.Namespace', 'apps.v1.ReplicaSet', 'coordination.k8s.io.v1.Lease',
  ])('%s.pb decodes to exactly %s.json (same keys, values and order)', (name) => {
    const got = decodeK8sProtobuf(fixture(`${name}.pb`), { keepStatus: true });
    expect(JSON.stringify(got)).toBe(JSON.stringify(JSON.parse(fixture(`${name}.json`).toString('utf8'))));
  });

  it('drops status by default', () => {
    const job = decodeK8sProtobuf(fixture('batch.v1.Job.pb'));
    expect(job).not.toHaveProperty('status');
    expect(job.spec).toBeDefined();
  });
});

describe('decodeK8sProtobuf: errors', () => {
  it('answers 415 for a kind it cannot decode', () => {
    expectApiError(() => decodeK8sProtobuf(k8sBody('apps/v1', 'Deployment', msg())), 415, /cannot decode apps\/v1 Deployment/);
  });
  it('answers 415 for a served kind under the wrong group/version', () => {
    expectApiError(() => decodeK8sProtobuf(k8sBody('batch/v1beta1', 'Job', msg())), 415, /batch\/v1beta1 Job/);
  });
  it('answers 400 without the k8s magic', () => {
    expectApiError(() => decodeK8sProtobuf(Buffer.from('{"kind":"Job"}')), 400, /prefix/);
  });
  it('answers 400 for a truncated body', () => {
    const body = createJobFromCronJobBody();
    expectApiError(() => decodeK8sProtobuf(body.subarray(0, body.length - 10)), 400, /protobuf:/);
  });
  it('answers 400 for a wire type that does not fit the field', () => {
    expectApiError(() => decodeK8sProtobuf(k8sBody('batch/v1', 'Job', msg(f(1, 7)))), 400, /wire type/);
  });
});

describe('isProtobufContentType', () => {
  it.each([
    ['application/vnd.kubernetes.protobuf', true],
    ['application/vnd.kubernetes.protobuf; charset=binary', true],
    ['application/json', false],
    [undefined, false],
  ])('%s → %s', (ct, want) => {
    expect(isProtobufContentType(ct)).toBe(want);
  });
});
