/**
 * Volumes, env sources and sidecars on the process runtime, with real processes: the pod directory stands
 * for the container's root (`<pod dir>/<mountPath>` links to the volume).
 */
import { existsSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigMap, Secret } from '@kjobs/api';
import type { PodConfigData } from './config-data.js';
import { podDir } from './layout.js';
import { volumeDir } from './pod-volumes.js';
import { Harness, waitFor } from '../testing/runtime-harness.js';

let h: Harness;
afterEach(async () => {
  expect(await h.cleanup()).toEqual([]);
});

const b64 = (s: string) => Buffer.from(s).toString('base64');
const data = (cm: Record<string, string>, secret: Record<string, string>): PodConfigData => ({
  configMaps: new Map<string, ConfigMap | null>([['settings', { metadata: { name: 'settings' }, data: cm }], ['gone', null]]),
  secrets: new Map<string, Secret | null>([['creds', { metadata: { name: 'creds' }, type: 'Opaque', data: Object.fromEntries(Object.entries(secret).map(([k, v]) => [k, b64(v)])) }]]),
});

describe('ProcessRuntime: volumes and env from ConfigMaps and Secrets', () => {
  it('env from a ConfigMap and a Secret; configMap, secret, emptyDir and downwardAPI volumes under the pod directory', async () => {
    h = await Harness.create();
    const pod = h.pod('vols', [{
      name: 'c', image: 'busybox',
      command: ['sh', '-c', 'echo "$MODE $DB_password"; cat etc/cfg/MODE; echo; cat secret/password; echo; cat info/labels; echo; echo hi > scratch/f; cat work/sub/f'],
      env: [{ name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'MODE' } } }],
      envFrom: [{ secretRef: { name: 'creds' }, prefix: 'DB_' }],
      volumeMounts: [
        { name: 'cfg', mountPath: '/etc/cfg' }, { name: 'sec', mountPath: '/secret' }, { name: 'info', mountPath: '/info' },
        { name: 'scratch', mountPath: '/scratch' }, { name: 'scratch', mountPath: '/work/sub' },
      ],
    }], {
      restartPolicy: 'Never',
      volumes: [
        { name: 'cfg', configMap: { name: 'settings' } }, { name: 'sec', secret: { secretName: 'creds', defaultMode: 0o400 } },
        { name: 'info', downwardAPI: { items: [{ path: 'labels', fieldRef: { fieldPath: 'metadata.labels' } }] } }, { name: 'scratch', emptyDir: {} },
      ],
    }, { labels: { app: 'x', tier: 'batch' } });
    await h.rt.syncPod(pod, {}, data({ MODE: 'batch' }, { password: 's3cret' }));
    const s = await h.waitStatus(pod, 'Succeeded', (st) => st.phase === 'Succeeded' || st.phase === 'Failed');
    const log = await h.rt.readLogs(pod.metadata.uid!, 'c');
    expect(log).toBe('batch s3cret\nbatch\ns3cret\napp="x"\ntier="batch"\nhi\n');
    expect(s.phase).toBe('Succeeded');
    const uid = pod.metadata.uid!;
    expect(readlinkSync(join(podDir(h.rootDir, uid), 'etc', 'cfg'))).toBe(volumeDir(h.rootDir, uid, 'configMap', 'cfg'));
    expect(readlinkSync(join(volumeDir(h.rootDir, uid, 'configMap', 'cfg'), 'MODE'))).toBe('..data/MODE');
    await h.rt.removePod(uid);
    expect(existsSync(podDir(h.rootDir, uid))).toBe(false);
  });

  it('a missing ConfigMap volume: FailedMount and no container starts; once it exists the pod runs', async () => {
    h = await Harness.create();
    const pod = h.pod('fm', [{ name: 'c', image: 'busybox', command: ['cat', 'cfg/a'], volumeMounts: [{ name: 'cfg', mountPath: '/cfg' }] }], {
      restartPolicy: 'Never', volumes: [{ name: 'cfg', configMap: { name: 'gone' } }],
    });
    const missing = data({}, {});
    await h.rt.syncPod(pod, {}, missing);
    expect(h.events.filter((e) => e.reason === 'FailedMount').map((e) => e.message)).toEqual(['MountVolume.SetUp failed for volume "cfg" : configmap "gone" not found']);
    await h.rt.syncPod(pod, {}, missing);
    expect(h.events.filter((e) => e.reason === 'FailedMount')).toHaveLength(1);
    expect(h.rt.podStatus(pod).containerStatuses?.[0]?.state.running).toBeUndefined();
    expect(h.events.some((e) => e.reason === 'Started')).toBe(false);
    await h.rt.syncPod(pod, {}, { ...missing, configMaps: new Map([['gone', { metadata: { name: 'gone' }, data: { a: 'here' } }]]) });
    await h.waitStatus(pod, 'Succeeded', (st) => st.phase === 'Succeeded');
    expect(await h.rt.readLogs(pod.metadata.uid!, 'c')).toBe('here');
  });

  it('a missing Secret key in env: CreateContainerConfigError with the kubelet message', async () => {
    h = await Harness.create();
    const pod = h.pod('ke', [{ name: 'c', image: 'busybox', command: ['true'], env: [{ name: 'T', valueFrom: { secretKeyRef: { name: 'creds', key: 'token' } } }] }], { restartPolicy: 'Never' });
    await h.rt.syncPod(pod, {}, data({}, { password: 'x' }));
    const s = await waitFor('config error', () => {
      const st = h.rt.podStatus(pod);
      return st.containerStatuses?.[0]?.state.waiting?.reason === 'CreateContainerConfigError' ? st : undefined;
    });
    expect(s.containerStatuses?.[0]?.state.waiting?.message).toBe("couldn't find key token in Secret default/creds");
  });

  it('hostPath can be forbidden by the node', async () => {
    h = await Harness.create({ volumes: { allowHostPath: false } });
    const pod = h.pod('hp', [{ name: 'c', image: 'busybox', command: ['true'] }], { restartPolicy: 'Never', volumes: [{ name: 'h', hostPath: { path: '/tmp' } }] });
    await h.rt.syncPod(pod, {}, data({}, {}));
    expect(h.events.find((e) => e.reason === 'FailedMount')?.message).toBe('MountVolume.SetUp failed for volume "h" : hostPath volumes are forbidden on this node (KJOBS_ALLOW_HOST_PATH=false)');
  });

  it('a sidecar with a startup probe holds the main container back until it passes, then is stopped when the main container is done', async () => {
    h = await Harness.create();
    const pod = h.pod('sc', [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'cat ready-flag'] }], {
      restartPolicy: 'Never',
      initContainers: [{
        name: 'side', image: 'busybox', restartPolicy: 'Always',
        command: ['sh', '-c', 'sleep 0.5; echo up > ready-flag; trap "exit 0" TERM; while :; do sleep 0.05; done'],
        startupProbe: { exec: { command: ['test', '-f', 'ready-flag'] }, periodSeconds: 1, failureThreshold: 30 },
      }],
    });
    await h.rt.syncPod(pod, {}, data({}, {}));
    const s = await h.waitStatus(pod, 'Succeeded', (st) => st.phase === 'Succeeded', 30_000);
    expect(await h.rt.readLogs(pod.metadata.uid!, 'main')).toBe('up\n');
    expect(s.initContainerStatuses?.[0]?.state.terminated?.exitCode).toBe(0);
    expect(h.events.map((e) => `${e.reason}: ${e.message}`)).toContain('Killing: Stopping container side');
  });
});
