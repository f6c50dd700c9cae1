import { mkdtempSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../runtime/logger.js';
import { Harness, waitFor } from '../testing/runtime-harness.js';
import { podNetworkUnavailable } from './availability.js';
import { listNetns } from './ip.js';
import { NodeNetwork } from './node-network.js';
import { nsDialBinary } from './ns-dial.js';

const why = podNetworkUnavailable();

/** An HTTP server on 0.0.0.0:8080 (the same port in every pod), and a readiness probe on it. */
const server = {
  name: 'web', image: 'host-node', command: [process.execPath, '-e', "require('http').createServer((q, r) => r.end('ok')).listen(8080, '0.0.0.0')"],
  readinessProbe: { httpGet: { path: '/', port: 8080 }, periodSeconds: 1 },
};

describe.skipIf(why !== undefined)('the process runtime on the pod network', () => {
  let dir: string;
  let net: NodeNetwork;
  let h: Harness;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-rtnet-'));
    net = await NodeNetwork.create({ rootDir: path.join(dir, 'nodes', 'n'), podCIDR: '10.244.7.0/24', nsDial: (await nsDialBinary(silentLogger))!, logger: silentLogger });
    h = await Harness.create({ podNetwork: net });
  });

  afterAll(async () => {
    try {
      expect(await h?.cleanup()).toEqual([]);
      await net?.shutdown();
      expect((await listNetns()).filter((n) => n.includes(net.names.nodeKey) || n === net.names.fabricNs)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs two pods on 0.0.0.0:8080 side by side, each in its own namespace, probed from inside the network; a restarted runtime keeps them; removal releases them', async () => {
    const a = h.pod('a', [server]);
    const b = h.pod('b', [server]);
    await h.rt.syncPod(a, {});
    await h.rt.syncPod(b, {});
    const ready = (s: { conditions?: { type: string; status: string }[] }) => s.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    const sa = await h.waitStatus(a, 'a ready', ready, 30_000);
    const sb = await h.waitStatus(b, 'b ready', ready, 30_000);
    expect(sa.podIP).toMatch(/^10\.244\.7\.\d+$/);
    expect(sb.podIP).toMatch(/^10\.244\.7\.\d+$/);
    expect(sa.podIP).not.toBe(sb.podIP);
    expect(h.rt.podRecord(a.metadata.uid!)?.netns).toBe(net.netnsPathOf(a.metadata.uid!));

    // A restarted runtime (the agent crashed) re-attaches; reconcile keeps what it still runs.
    await h.rt.close();
    const rt = h.newRuntime();
    await rt.recover();
    await rt.killOrphans([a.metadata.uid!, b.metadata.uid!]);
    expect(await listNetns()).toEqual(expect.arrayContaining([path.basename(net.netnsPathOf(a.metadata.uid!)), path.basename(net.netnsPathOf(b.metadata.uid!))]));
    expect(rt.podStatus(a).podIP).toBe(sa.podIP);

    // Gone from the API: its namespace and address go.
    await rt.killOrphans([a.metadata.uid!]);
    expect(await listNetns()).not.toContain(path.basename(net.netnsPathOf(b.metadata.uid!)));
    h.rt = rt;
  }, 60_000);

  it('a finished pod gives its namespace and address back at once, before its object is deleted; its status keeps the address', async () => {
    const done = h.pod('done', [{ name: 'c', image: 'busybox', command: ['true'] }], { restartPolicy: 'Never' });
    await h.rt.syncPod(done, {});
    const st = await h.waitStatus(done, 'Succeeded', (s) => s.phase === 'Succeeded', 30_000);
    expect(st.podIP).toMatch(/^10\.244\.7\.\d+$/);
    // Its namespace goes, and its address is free: a pod started now may get it (host-local hands
    // out the next free one, so check the allocation files instead: no file names the finished pod
    // any more — the teardown removes its CNI result file last, after the namespace).
    const ipam = path.join(dir, 'nodes', 'n');
    await waitFor('its namespace and address given back', async () =>
      !(await listNetns()).includes(path.basename(net.netnsPathOf(done.metadata.uid!))) && !JSON.stringify(await filesUnder(ipam)).includes(done.metadata.uid!));
    expect(h.rt.podStatus(done).podIP).toBe(st.podIP);
    await h.rt.removePod(done.metadata.uid!);
  }, 60_000);
});

/** Every file's contents under `dir` (host-local's allocation files name the container id, the pod uid). */
async function filesUnder(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const e of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) out[path.join(e.parentPath ?? e.path, e.name)] = await readFile(path.join(e.parentPath ?? e.path, e.name), 'utf8').catch(() => '');
  }
  return out;
}
