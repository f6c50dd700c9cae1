import { type ChildProcess, spawn } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { rm } from 'node:fs/promises';
import http from 'node:http';
import net from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from '../runtime/logger.js';
import { parseCidr } from './names.js';

/** `--pod-egress` / KJOBS_POD_EGRESS: `off` (default: pods reach only the pod network) or `proxy`. */
export type EgressMode = 'off' | 'proxy';

/** Parse the mode; throws on anything else. */
export function parseEgressMode(v: string | undefined): EgressMode {
  const m = (v ?? 'off').trim() || 'off';
  if (m === 'off' || m === 'proxy') return m;
  throw new Error(`KJOBS_POD_EGRESS must be off or proxy, not "${v}"`);
}

/** KJOBS_POD_EGRESS_LOOPBACK: `deny` (default) or `allow` the proxy to reach the node's 127.0.0.0/8. */
export function parseEgressLoopback(v: string | undefined): boolean {
  const m = (v ?? 'deny').trim() || 'deny';
  if (m === 'deny' || m === 'allow') return m === 'allow';
  throw new Error(`KJOBS_POD_EGRESS_LOOPBACK must be deny or allow, not "${v}"`);
}

/** Where pods find the proxy: the node's gateway address (the pod bridge), this port. */
export const EGRESS_PROXY_PORT = 3128;

/** The env vars a pod gets when its node has egress: the usual proxy variables, both spellings. */
export function egressProxyEnv(gateway: string, clusterCIDR: string): Record<string, string> {
  const url = `http://${gateway}:${EGRESS_PROXY_PORT}`;
  const noProxy = `localhost,127.0.0.1,${clusterCIDR}`;
  return { HTTP_PROXY: url, HTTPS_PROXY: url, NO_PROXY: noProxy, http_proxy: url, https_proxy: url, no_proxy: noProxy };
}

/** What the proxy does with a destination address. */
export type EgressVerdict = { via: 'host' } | { via: 'pod-network' } | { refuse: string };

/**
 * The destination policy, on the resolved address (never the name, so a name cannot smuggle in
 * a refused address): pod addresses are dialled inside the pod network (from the host they would
 * leave the machine); the host's loopback is refused unless allowed (it holds the cluster's own
 * Redis, NATS and api-server); unspecified, link-local (cloud metadata) and multicast addresses
 * are refused; everything else leaves through the host's network.
 */
export function egressVerdict(address: string, o: { clusterCIDR: string; allowLoopback: boolean }): EgressVerdict {
  const v4 = net.isIPv4(address) ? address : address.toLowerCase().startsWith('::ffff:') && net.isIPv4(address.slice(7)) ? address.slice(7) : undefined;
  if (v4) {
    const n = ipv4Number(v4);
    const { base, bits } = parseCidr(o.clusterCIDR);
    if (inRange(n, base, bits)) return { via: 'pod-network' };
    if (inRange(n, ipv4Number('127.0.0.0'), 8)) return o.allowLoopback ? { via: 'host' } : { refuse: `${address} is the node's loopback (KJOBS_POD_EGRESS_LOOPBACK=allow opens it)` };
    if (inRange(n, 0, 8)) return { refuse: `${address} is not a destination` };
    if (inRange(n, ipv4Number('169.254.0.0'), 16)) return { refuse: `${address} is link-local` };
    if (n >= ipv4Number('224.0.0.0')) return { refuse: `${address} is multicast or reserved` };
    return { via: 'host' };
  }
  const a = address.toLowerCase();
  if (a === '::1') return o.allowLoopback ? { via: 'host' } : { refuse: `${address} is the node's loopback (KJOBS_POD_EGRESS_LOOPBACK=allow opens it)` };
  if (a === '::' || a.startsWith('fe80:') || a.startsWith('ff')) return { refuse: `${address} is not a destination` };
  return { via: 'host' };
}

function ipv4Number(ip: string): number {
  return ip.split('.').reduce((n, p) => n * 256 + Number(p), 0);
}

function inRange(n: number, base: number, bits: number): boolean {
  const size = 2 ** (32 - bits);
  return n >= base && n < base + size;
}

/** Options of an EgressProxy; every optional field names its default. */
export interface EgressProxyOptions {
  /** The unix socket the proxy serves (the in-namespace listener relays to it). */
  socketPath: string;
  /** The node's namespace and the address the listener takes there (the pods' gateway). */
  netnsPath: string;
  gateway: string;
  clusterCIDR: string;
  /** Let pods reach the node's 127.0.0.0/8 (default false). */
  allowLoopback?: boolean;
  /** The kjobs-nsdial helper (listens in the namespace). */
  nsDial: string;
  /** A TCP connection from inside the pod network (NodeNetwork.dial). */
  dialPodNetwork(host: string, port: number, timeoutMs?: number): Duplex;
  logger: Logger;
  /** Name resolution (default the host's resolver). */
  resolve?: (host: string) => Promise<string>;
}

const HOP_BY_HOP = ['connection', 'proxy-connection', 'keep-alive', 'proxy-authorization', 'proxy-authenticate', 'te', 'trailer', 'upgrade'];

/**
 * Egress for pods, opt-in, without touching the host's routes or firewall: an HTTP forward
 * proxy (CONNECT for https and anything TCP, absolute-form GETs for http) that the agent serves
 * on a unix socket, reached by pods at `<gateway>:3128` through a kjobs-nsdial listener inside
 * the node's namespace. Its connections leave from the host's own network, as the agent's do.
 */
export class EgressProxy {
  private constructor(private readonly o: EgressProxyOptions, private readonly server: http.Server, private readonly listener: ChildProcess) {}

  static async start(o: EgressProxyOptions): Promise<EgressProxy> {
    await rm(o.socketPath, { force: true });
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(o.socketPath, () => resolve()));
    const listener = spawn(o.nsDial, ['--listen', o.netnsPath, o.gateway, String(EGRESS_PROXY_PORT), o.socketPath], { stdio: ['ignore', 'ignore', 'pipe'] });
    const status = await new Promise<string>((resolve) => {
      let err = '';
      listener.stderr!.on('data', (b: Buffer) => {
        err += b.toString();
        if (err.includes('\n')) resolve(err.split('\n')[0]!);
      });
      listener.once('close', () => resolve(err.trim() || 'error EIO the listener ended'));
      listener.once('error', (e) => resolve(`error EIO ${e.message}`));
    });
    if (status !== 'ok') {
      listener.kill('SIGKILL');
      server.close();
      throw new Error(`the egress proxy cannot listen on ${o.gateway}:${EGRESS_PROXY_PORT}: ${status}`);
    }
    const proxy = new EgressProxy(o, server, listener);
    server.on('connect', (req: http.IncomingMessage, sock: Duplex, head: Buffer) => void proxy.tunnel(req, sock, head));
    server.on('request', (req, res) => void proxy.forward(req, res));
    return proxy;
  }

  async close(): Promise<void> {
    this.listener.kill('SIGKILL');
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.o.socketPath, { force: true });
  }

  /** Where a host:port goes: an upstream connection (not yet connected), or why not. */
  private async upstream(host: string, port: number): Promise<{ sock: Duplex } | { status: number; reason: string }> {
    if (!host || !Number.isInteger(port) || port < 1 || port > 65535) return { status: 400, reason: `bad destination "${host}:${port}"` };
    let address: string;
    try {
      address = net.isIP(host) ? host : await (this.o.resolve ?? resolveFirst)(host);
    } catch (e) {
      return { status: 502, reason: `cannot resolve ${host}: ${(e as Error).message}` };
    }
    const v = egressVerdict(address, { clusterCIDR: this.o.clusterCIDR, allowLoopback: this.o.allowLoopback ?? false });
    if ('refuse' in v) return { status: 403, reason: v.refuse };
    this.o.logger.debug({ host, address, port, via: v.via }, 'egress');
    return { sock: v.via === 'pod-network' ? this.o.dialPodNetwork(address, port) : net.connect({ host: address, port }) };
  }

  private async tunnel(req: http.IncomingMessage, client: Duplex, head: Buffer): Promise<void> {
    client.on('error', () => undefined);
    const m = /^\[?([^\]]*?)\]?:(\d+)$/.exec(req.url ?? '');
    const up = await this.upstream(m?.[1] ?? '', Number(m?.[2]));
    if ('status' in up) return reply(client, up.status, up.reason);
    const sock = up.sock;
    let open = false;
    sock.once('connect', () => {
      open = true;
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) sock.write(head);
      sock.pipe(client);
      client.pipe(sock);
    });
    sock.on('error', (e) => (open ? client.destroy() : reply(client, 502, `${req.url}: ${(e as Error).message}`)));
    client.once('close', () => sock.destroy());
  }

  private async forward(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '');
    } catch {
      return text(res, 400, 'kjobs egress proxy: send an absolute http:// URL, or CONNECT host:port');
    }
    if (url.protocol !== 'http:') return text(res, 400, `kjobs egress proxy: ${url.protocol} needs CONNECT`);
    const up = await this.upstream(url.hostname.replace(/^\[|\]$/g, ''), Number(url.port || 80));
    if ('status' in up) return text(res, up.status, `kjobs egress proxy: ${up.reason}`);
    const headers = { ...req.headers };
    for (const h of HOP_BY_HOP) delete headers[h];
    // No `agent`: with one, http would ignore createConnection (and dial from the host).
    const out = http.request({ method: req.method, path: `${url.pathname}${url.search}`, headers, createConnection: () => up.sock as net.Socket });
    out.on('response', (r) => {
      const h = { ...r.headers };
      for (const k of HOP_BY_HOP) delete h[k];
      res.writeHead(r.statusCode ?? 502, r.statusMessage, h);
      r.pipe(res);
    });
    out.on('error', (e) => (res.headersSent ? res.destroy() : text(res, 502, `kjobs egress proxy: ${url.host}: ${e.message}`)));
    req.pipe(out);
  }
}

async function resolveFirst(host: string): Promise<string> {
  return (await lookup(host)).address;
}

function reply(client: Duplex, status: number, reason: string): void {
  const body = `kjobs egress proxy: ${reason}\n`;
  client.end(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

function text(res: http.ServerResponse, status: number, body: string): void {
  res.writeHead(status, { 'Content-Type': 'text/plain', Connection: 'close' }).end(`${body}\n`);
}
