/**
 * Simulated hosts for tests and chaos runs: each "host" is a network namespace this module
 * creates, with its own address on a private LAN, so that "host lost" and "host partitioned" can
 * be played on one machine. Nothing of the machine's own network is touched:
 * ```
 *  machine (untouched) 127.0.0.1:4222 NATS ◀── unix socket relay (this process) ◀──┐
 *  ┌ lan ns kjh-<id>-lan ─────────────────────────────────────────────────────────┐│
 *  │ br0 192.168.77.1/24   kjobs-nsdial --listen 192.168.77.1:<port> ─────────────┼┘
 *  └── h<id>a (veth) ─────────────── h<id>b (veth) ───────────────────────────────┘
 *  ┌ host ns kjh-<id>-a ─────────┐   ┌ host ns kjh-<id>-b ─────────┐
 *  │ eth0 192.168.77.10/24       │   │ eth0 192.168.77.11/24       │
 *  │ kubelet-agent (its pods'    │   │ kubelet-agent …             │
 *  │ bridge cni0, host-gw routes)│   │                             │
 *  └─────────────────────────────┘   └─────────────────────────────┘
 * ```
 * Why a relay rather than running the control plane in namespaces too: the control plane then
 * stays exactly as every other test starts it (the machine's Redis and NATS on 127.0.0.1), and
 * the members reach it as remote hosts would, through one address on their LAN — which a
 * partition cuts like any other traffic. The relay is the agent's own `kjobs-nsdial --listen`
 * (it listens inside the LAN namespace and hands each connection over a unix socket, which
 * crosses namespaces without a route) and a socket server in this process.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const ip = async (...args: string[]) => (await exec('ip', args)).stdout;

/** One simulated host. */
export interface SimHost {
  name: string;
  /** Its network namespace (made by SimulatedHosts). */
  netns: string;
  /** Its address on the LAN. */
  address: string;
}

/** Options of a set of simulated hosts. */
export interface SimulatedHostsOptions {
  /** The kjobs-nsdial binary (the kubelet-agent's nsDialBinary). */
  nsDial: string;
  /** Ports of the machine's 127.0.0.1 the hosts reach at `gateway:<port>` (NATS, …). */
  relayPorts: number[];
  /** Keep the hosts' logs (`dir`) after destroy, for a look at a failure. Default false. */
  keepLogs?: boolean;
}

/** A LAN of simulated hosts; `destroy` removes every namespace, link, process and socket it made. */
export class SimulatedHosts {
  readonly gateway = '192.168.77.1';
  readonly hosts: SimHost[] = [];
  private readonly procs = new Map<string, ChildProcess[]>();
  private readonly relays: ChildProcess[] = [];
  private readonly servers: net.Server[] = [];
  private readonly sockets = new Set<net.Socket>();

  private constructor(readonly id: string, readonly lanNs: string, readonly dir: string, private readonly o: SimulatedHostsOptions) {}

  /** The LAN namespace with its bridge, and a relay per port. */
  static async create(o: SimulatedHostsOptions): Promise<SimulatedHosts> {
    const id = Math.random().toString(36).slice(2, 8);
    const h = new SimulatedHosts(id, `kjh-${id}-lan`, mkdtempSync(path.join(os.tmpdir(), 'kjobs-hosts-')), o);
    await ip('netns', 'add', h.lanNs);
    await ip('-n', h.lanNs, 'link', 'set', 'lo', 'up');
    await ip('-n', h.lanNs, 'link', 'add', 'br0', 'type', 'bridge');
    await ip('-n', h.lanNs, 'addr', 'add', `${h.gateway}/24`, 'dev', 'br0');
    await ip('-n', h.lanNs, 'link', 'set', 'br0', 'up');
    for (const port of o.relayPorts) await h.relay(port);
    return h;
  }

  /** A new host on the LAN (address 192.168.77.<10 + n>). */
  async addHost(name: string): Promise<SimHost> {
    const host: SimHost = { name, netns: `kjh-${this.id}-${name}`, address: `192.168.77.${10 + this.hosts.length}` };
    await this.plug(host);
    this.hosts.push(host);
    return host;
  }

  /**
   * A lost host powered on again: its namespace (and with it its link, bridges and routes) and the
   * namespaces named by `alsoNetnsPrefix` (its pods') go, as a reboot loses them; a fresh one with
   * the same name and address is plugged into the LAN. Its processes must be gone (`lose`).
   */
  async reboot(host: SimHost, alsoNetnsPrefix?: string): Promise<void> {
    const spaces = [host.netns, ...(alsoNetnsPrefix ? readdirSync('/run/netns').filter((n) => n.startsWith(alsoNetnsPrefix)) : [])];
    // The LAN's end of its link first: a namespace is torn down after `netns del` returns, and
    // with it the link — whose name the fresh one needs. Deleting either end of a veth pair is
    // synchronous and takes both.
    await ip('-n', this.lanNs, 'link', 'del', this.lanLink(host)).catch(() => undefined);
    for (const ns of spaces) await ip('netns', 'del', ns).catch(() => undefined);
    await this.plug(host);
  }

  private async plug(host: SimHost): Promise<void> {
    const lanLink = this.lanLink(host);
    await ip('netns', 'add', host.netns);
    await ip('-n', host.netns, 'link', 'set', 'lo', 'up');
    // Made inside the host's namespace with its peer put straight into the LAN's: never on the machine.
    await ip('-n', host.netns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', lanLink, 'netns', this.lanNs);
    await ip('-n', this.lanNs, 'link', 'set', lanLink, 'master', 'br0', 'up');
    await ip('-n', host.netns, 'addr', 'add', `${host.address}/24`, 'dev', 'eth0');
    await ip('-n', host.netns, 'link', 'set', 'eth0', 'up');
  }

  /**
   * Start a program inside a host; output to `<dir>/<host>-<n>.log`. `nsenter --net` (which execs
   * it: the pid is the program's) rather than `ip netns exec`, which would also give it a mount
   * namespace of its own — then the namespaces it makes with `ip netns add` (its pods') would be
   * mounted only there.
   */
  spawnIn(host: SimHost, cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
    const list = this.procs.get(host.name) ?? [];
    const log = createWriteStream(path.join(this.dir, `${host.name}-${list.length}.log`));
    const p = spawn('nsenter', [`--net=/run/netns/${host.netns}`, '--', cmd, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    p.stdout!.pipe(log);
    p.stderr!.pipe(log);
    list.push(p);
    this.procs.set(host.name, list);
    return p;
  }

  /**
   * The host is lost: SIGKILL every process in its namespace and in the namespaces named by
   * `alsoNetnsPrefix` (its pods'), as a power cut would. Its namespaces stay (for `destroy`).
   */
  async lose(host: SimHost, alsoNetnsPrefix?: string): Promise<number[]> {
    const spaces = [host.netns, ...(alsoNetnsPrefix ? readdirSync('/run/netns').filter((n) => n.startsWith(alsoNetnsPrefix)) : [])];
    const killed: number[] = [];
    for (const ns of spaces) {
      const pids = (await ip('netns', 'pids', ns).catch(() => '')).split('\n').map(Number).filter((n) => n > 0);
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
          killed.push(pid);
        } catch {
          // gone already
        }
      }
    }
    return killed;
  }

  /** Cut the host off the LAN (its link down on the LAN's side), or restore it. */
  async partition(host: SimHost, cut: boolean): Promise<void> {
    await ip('-n', this.lanNs, 'link', 'set', this.lanLink(host), cut ? 'down' : 'up');
  }

  /**
   * Kill what this module started, delete every namespace it made (and `extraNetns`), remove the
   * relay sockets. Namespaces go first: nothing that follows may keep them alive.
   */
  async destroy(extraNetns: string[] = []): Promise<void> {
    for (const list of this.procs.values()) for (const p of list) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    for (const r of this.relays) r.kill('SIGKILL');
    for (const host of this.hosts) await this.lose(host).catch(() => []);
    for (const ns of [...extraNetns, ...this.hosts.map((h) => h.netns), this.lanNs]) await ip('netns', 'del', ns).catch(() => undefined);
    for (const s of this.sockets) s.destroy();
    for (const s of this.servers) s.close();
    if (!this.o.keepLogs) rmSync(this.dir, { recursive: true, force: true });
  }

  private lanLink(host: SimHost): string {
    return `h${this.id}${host.name}`.slice(0, 15);
  }

  /** gateway:<port> inside the LAN → 127.0.0.1:<port> of the machine. */
  private async relay(port: number): Promise<void> {
    const sock = path.join(this.dir, `relay-${port}.sock`);
    const server = net.createServer((c) => {
      const up = net.connect(port, '127.0.0.1');
      for (const s of [c, up]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => (s === c ? up : c).destroy());
      }
      c.pipe(up).pipe(c);
    });
    await new Promise<void>((r) => server.listen(sock, r));
    this.servers.push(server);
    const p = spawn(this.o.nsDial, ['--listen', `/run/netns/${this.lanNs}`, this.gateway, String(port), sock], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.relays.push(p);
    await new Promise<void>((resolve, reject) => {
      let err = '';
      p.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        if (err.startsWith('ok')) resolve();
        else if (err.includes('\n')) reject(new Error(`relay ${port}: ${err.trim()}`));
      });
      p.on('exit', (code) => reject(new Error(`relay ${port} exited ${code}: ${err.trim()}`)));
    });
  }
}
