import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { ConfigMap, Container, Secret } from '@kjobs/api';
import type { PodConfigData } from '../config-data.js';
import type { Harness } from '../../testing/runtime-harness.js';
import type { OciEngine } from './oci-engine.js';
import { ociTestBed } from '../../testing/oci-image.js';

/** Volumes in runc containers under the real pod worker: bind mounts, subPath, readOnly, a memory emptyDir. */

let h: Harness;
let engine: OciEngine;
const bed = ociTestBed('kjobs-oci-vol-');

afterEach(async () => {
  const left = await h.cleanup();
  await engine.shutdown();
  expect(left).toEqual([]);
  // The memory emptyDir's tmpfs went with the pod.
  expect(readFileSync('/proc/mounts', 'utf8')).not.toContain(h.rootDir);
  expect(existsSync(engine.layout.stateDir) ? engine.layout.stateDir : '').toBe('');
});

async function create(): Promise<void> {
  ({ h, engine } = await bed.node());
}

const bb = (over: Partial<Container>): Container => ({ name: 'c', image: 'busybox', imagePullPolicy: 'IfNotPresent', ...over });
const DATA: PodConfigData = {
  configMaps: new Map<string, ConfigMap>([['cfg', { metadata: { name: 'cfg' }, data: { 'app.conf': 'mode=batch' } }]]),
  secrets: new Map<string, Secret>([['tok', { metadata: { name: 'tok' }, data: { token: Buffer.from('t0ken').toString('base64') } }]]),
};

describe('OciEngine volumes', () => {
  it('a configMap key by subPath, a read-only emptyDir, a memory emptyDir on tmpfs with its sizeLimit', async () => {
    await create();
    const script = [
      'cat /etc/app.conf; echo',
      'touch /ro/x 2>/dev/null && echo writable || echo read-only',
      'echo data > /rw/f && cat /ro/f',
      'grep " /mem " /proc/mounts | cut -d" " -f3',
      'df -k /mem | tail -1 | tr -s " " | cut -d" " -f2',
      'touch /etc/cfgdir/new 2>/dev/null && echo writable || echo read-only',
      'grep " /sec " /proc/mounts | cut -d" " -f3; cat /sec/token',
    ].join('; ');
    const pod = h.pod('p', [bb({
      command: ['sh', '-c', script],
      volumeMounts: [
        { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' }, { name: 'cfg', mountPath: '/etc/cfgdir' },
        { name: 'scratch', mountPath: '/rw' }, { name: 'scratch', mountPath: '/ro', readOnly: true }, { name: 'mem', mountPath: '/mem' },
        { name: 'sec', mountPath: '/sec' },
      ],
    })], {
      restartPolicy: 'Never',
      volumes: [
        { name: 'cfg', configMap: { name: 'cfg' } }, { name: 'scratch', emptyDir: {} }, { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '4Mi' } },
        { name: 'sec', secret: { secretName: 'tok' } },
      ],
    });
    await h.rt.syncPod(pod, {}, DATA);
    const s = await h.waitStatus(pod, 'done', (st) => st.phase === 'Succeeded' || st.phase === 'Failed', 60_000);
    const log = await h.rt.readLogs(pod.metadata.uid!, 'c');
    // The secret's files: on a tmpfs on the node (the bind mount shows its type in the container).
    expect(log.trim().split('\n')).toEqual(['mode=batch', 'read-only', 'data', 'tmpfs', '4096', 'read-only', 'tmpfs', 't0ken']);
    expect(s.phase).toBe('Succeeded');
  });

  it('a mount of an unknown volume waits in CreateContainerConfigError', async () => {
    await create();
    const pod = h.pod('p', [bb({ command: ['true'], volumeMounts: [{ name: 'nope', mountPath: '/x' }] })], { restartPolicy: 'Never' });
    await h.rt.syncPod(pod, {}, DATA);
    const s = await h.waitStatus(pod, 'config error', (st) => st.containerStatuses?.[0]?.state.waiting?.reason === 'CreateContainerConfigError', 30_000);
    expect(s.containerStatuses?.[0]?.state.waiting?.message).toBe('cannot find volume "nope" to mount into container "c"');
  });
});
