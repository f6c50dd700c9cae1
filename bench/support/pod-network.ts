/**
 * The per-pod cost of the pod network (part of `npm run bench -- pods --runtime=oci`): CNI ADD +
 * DEL of one pod (its namespace, loopback and bridge + host-local, as the kubelet-agent does it)
 * beside the floor measured in the same run, a bare `ip netns add` + `ip netns del`. Runs on a
 * node network of its own in a temporary directory (namespaces of its own, nothing on the host),
 * removed at the end. Environment: BENCH_NET_PODS (100).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Pod } from '@kjobs/api';
import { NodeNetwork, nsDialBinary, podNetworkUnavailable } from '../../services/kubelet-agent/src/network/index.js';
import { silentLogger } from '../../services/kubelet-agent/src/runtime/logger.js';
import type { FloorNetwork } from './floors.js';
import { printTable, summarize } from './util.js';

const exec = promisify(execFile);
const round = (x: number) => Number(x.toFixed(2));

/** The network's numbers, or why they could not be measured. */
export type NetworkCost =
  | { skipped: string }
  | { pods: number; add_del_ms: { p50: number; p99: number }; add_ms: { p50: number; p99: number }; floor_netns_add_del_ms: { p50: number; p99: number } };

/** A node network of the bench's own (its namespaces, a temporary directory), or why there is none. */
export async function benchNetwork(): Promise<{ net: NodeNetwork; close: () => Promise<void> } | { skipped: string }> {
  const why = podNetworkUnavailable();
  if (why) return { skipped: why };
  const nsDial = await nsDialBinary(silentLogger);
  if (!nsDial) return { skipped: 'no C compiler for kjobs-nsdial' };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kjobs-bench-net-'));
  try {
    const net = await NodeNetwork.create({ rootDir: path.join(dir, 'nodes', 'bench'), podCIDR: '10.244.0.0/22', nsDial, logger: silentLogger });
    return { net, close: async () => { try { await net.shutdown(); } finally { rmSync(dir, { recursive: true, force: true }); } } };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}

/** The floor's pod network: `net.setUp` and `net.tearDown` of a pod whose uid is the run's id. */
export function floorNetwork(net: NodeNetwork): FloorNetwork {
  return {
    setUp: (id) => net.setUp({ apiVersion: 'v1', kind: 'Pod', metadata: { name: id, namespace: 'default', uid: id }, spec: { containers: [] } } as Pod),
    tearDown: (id) => net.tearDown(id),
  };
}

/** Measure `n` pods one after another (the per-pod cost, not throughput). */
export async function measureNetworkCost(n = Number(process.env.BENCH_NET_PODS ?? 100)): Promise<NetworkCost> {
  const made = await benchNetwork();
  if ('skipped' in made) return made;
  const { net } = made;
  const addDel: number[] = [];
  const add: number[] = [];
  const floor: number[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const uid = `bench-${i}`;
      const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: uid, namespace: 'default', uid }, spec: { containers: [] } } as Pod;
      const t0 = performance.now();
      await net.setUp(pod);
      const t1 = performance.now();
      await net.tearDown(uid);
      const t2 = performance.now();
      add.push(t1 - t0);
      addDel.push(t2 - t0);
      const name = `${net.names.podNsPrefix}floor`;
      const f0 = performance.now();
      await exec('ip', ['netns', 'add', name]);
      await exec('ip', ['netns', 'del', name]);
      floor.push(performance.now() - f0);
    }
  } finally {
    await made.close();
  }
  const r = (s: { p50: number; p99: number }) => ({ p50: round(s.p50), p99: round(s.p99) });
  return { pods: n, add_del_ms: r(summarize(addDel)), add_ms: r(summarize(add)), floor_netns_add_del_ms: r(summarize(floor)) };
}

/** Print the table of a measurement. */
export function printNetworkCost(c: NetworkCost): void {
  if ('skipped' in c) {
    console.log(`\npod network: not measured (${c.skipped})`);
    return;
  }
  console.log(`\npod network per pod (${c.pods} pods one at a time; ms):`);
  printTable([
    ['', 'p50', 'p99'],
    ['CNI ADD + DEL (netns, loopback, bridge + host-local)', c.add_del_ms.p50, c.add_del_ms.p99],
    ['  of which ADD', c.add_ms.p50, c.add_ms.p99],
    ['floor: ip netns add + del', c.floor_netns_add_del_ms.p50, c.floor_netns_add_del_ms.p99],
  ]);
}
