/**
 * The HA chaos run's nodes on simulated hosts (chaos/hosts.ts): node-1 and node-2 are each a
 * network namespace on a private LAN, their kubelet-agents joined with a bootstrap token from
 * `kjobs token create --print-join-command`, their pods on the pod network with host-gw routes
 * between the hosts. The hosts reach the three NATS servers through one relay per server (so
 * SIGKILLing one NATS server leaves two reachable), and nothing else of the machine. A host can be
 * lost (every process of it and its pods SIGKILLed), rebooted (fresh namespaces, the agent started
 * again with the credential it already has on disk) and partitioned (its LAN link down).
 */
import { type ChildProcess, execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { networkNames, nsDialBinary } from '@kjobs/kubelet-agent/testing';
import { ensureServiceBundles, serviceBundle } from '../scripts/bundle.mjs';
import { ROOT } from '../scripts/cluster.js';
import { SimulatedHosts, type SimHost } from './hosts.js';

const exec = promisify(execFile);
const silent = { info() {}, warn() {}, error() {}, debug() {} } as never;

/** The chaos run's simulated hosts and their agents. */
export interface ChaosHosts {
  sim: SimulatedHosts;
  names: string[];
  /** The live kubelet-agent of each host (a new one after `reboot`). */
  agents: Map<string, ChildProcess>;
  /** Every pid an agent ever had (for the orphan check). */
  agentPids: number[];
  host(name: string): SimHost;
  /** SIGKILL every process of the host and of its pods (a power cut); resolves with how many. */
  lose(name: string): Promise<number>;
  /** The lost host back: fresh namespaces, its agent started again. */
  reboot(name: string): Promise<void>;
  partition(name: string, cut: boolean): Promise<void>;
  /** Every namespace of the hosts and of their pods that exists now (after `stop`: none). */
  leftNetns(): string[];
  /** Links on the machine's own network named like the hosts' or their pods' (there must never be any). */
  machineLinks(): string[];
  /** Stop the agents (SIGTERM, their pods with them), then remove every namespace and the relays. */
  stop(): Promise<void>;
}

/** Join `names` as nodes on simulated hosts of the cluster under `home` (NATS servers on `natsPorts`). */
export async function startChaosHosts(o: { home: string; natsPorts: number[]; subjectPrefix?: string; env: Record<string, string>; names?: string[] }): Promise<ChaosHosts> {
  const names = o.names ?? ['node-1', 'node-2'];
  await ensureServiceBundles({ names: ['kubelet-agent'] });
  const sim = await SimulatedHosts.create({ nsDial: (await nsDialBinary(silent))!, relayPorts: o.natsPorts, keepLogs: !!process.env.CHAOS_KEEP });
  const nodeDir = (n: string) => path.join(o.home, 'nodes', n);
  const podPrefix = (n: string) => networkNames(nodeDir(n)).podNsPrefix;
  const agents = new Map<string, ChildProcess>();
  const agentPids: number[] = [];
  try {
    for (const n of names) await sim.addHost(n);
    const r = await exec(process.execPath, [path.join(ROOT, 'packages/cli/bin/kjobs.mjs'), 'token', 'create', '--print-join-command', '--description', 'chaos'], {
      env: { ...process.env, KUBECONFIG: path.join(o.home, 'kubeconfig'), NO_COLOR: '1' },
    });
    const join = Object.fromEntries(r.stdout.trim().split(' ').filter((w) => /^KJOBS_[A-Z_]+=/.test(w)).map((w) => w.split('=', 2) as [string, string]));
    if (!join.KJOBS_JOIN_TOKEN || !join.KJOBS_DISCOVERY_TOKEN_CA_CERT_HASH) throw new Error(`no join command from kjobs token create: ${r.stdout}${r.stderr}`);
    const natsUrl = o.natsPorts.map((p) => `nats://${sim.gateway}:${p}`).join(',');
    const start = (n: string) => {
      const host = sim.hosts.find((h) => h.name === n)!;
      const p = sim.spawnIn(host, process.execPath, [serviceBundle('kubelet-agent')], {
        PATH: process.env.PATH, HOME: process.env.HOME, KJOBS_HOME: o.home, ...(o.subjectPrefix ? { KJOBS_SUBJECT_PREFIX: o.subjectPrefix } : {}), NATS_URL: natsUrl,
        NODE_NAME: n, KJOBS_AGENT_DIR: nodeDir(n), KJOBS_NODE_IP: host.address, KJOBS_NODE_NETNS: host.netns,
        KJOBS_RUNTIME: 'process', KJOBS_POD_NETWORK: 'on', KJOBS_SHUTDOWN_GRACE_SECONDS: '1', LOG_LEVEL: 'info',
        ...o.env, ...join,
      });
      if (p.pid) agentPids.push(p.pid);
      agents.set(n, p);
    };
    for (const n of names) start(n);
    const hosts: ChaosHosts = {
      sim, names, agents, agentPids,
      host: (n) => sim.hosts.find((h) => h.name === n)!,
      async lose(n) {
        agents.delete(n);
        return (await sim.lose(hosts.host(n), podPrefix(n))).length;
      },
      async reboot(n) {
        await sim.reboot(hosts.host(n), podPrefix(n));
        start(n);
      },
      partition: (n, cut) => sim.partition(hosts.host(n), cut),
      leftNetns() {
        const ours = [`kjh-${sim.id}-`, ...names.map(podPrefix), ...names.map((n) => networkNames(nodeDir(n)).nodeNs)];
        return readdirSync('/run/netns').filter((ns) => ours.some((p) => ns.startsWith(p)));
      },
      machineLinks() {
        const ours = [`h${sim.id}`, ...names.map((n) => networkNames(nodeDir(n)).fabricLink)];
        return readFileSync('/proc/net/dev', 'utf8').split('\n').map((l) => l.split(':')[0]!.trim()).filter((l) => l && ours.some((p) => l.startsWith(p)));
      },
      async stop() {
        const live = [...agents.values()].filter((p) => p.exitCode === null && p.signalCode === null);
        for (const p of live) p.kill('SIGTERM');
        await Promise.race([Promise.all(live.map((p) => new Promise((r) => p.once('exit', r)))), new Promise((r) => setTimeout(r, 20_000))]);
        await sim.destroy(hosts.leftNetns().filter((ns) => !ns.startsWith(`kjh-${sim.id}-`)));
      },
    };
    return hosts;
  } catch (e) {
    for (const p of agents.values()) p.kill('SIGKILL');
    await sim.destroy(readdirSync('/run/netns').filter((ns) => names.some((n) => ns.startsWith(podPrefix(n)))));
    throw e;
  }
}
