import { type ChildProcess, spawn } from 'node:child_process';
import { Duplex } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Logger } from '../runtime/logger.js';
import { compileNative } from '../runtime/native-build.js';

const SOURCE = fileURLToPath(new URL('../../native/kjobs-nsdial.c', import.meta.url));

/** Opens a TCP connection to host:port as seen from inside the pod network. */
export type NetDial = (host: string, port: number, timeoutMs?: number) => NsSocket;

/**
 * A TCP connection made inside a network namespace by the kjobs-nsdial helper, relayed over its
 * stdin/stdout. Behaves as much like a net.Socket as http.request and the probes need: 'connect'
 * once connected; 'error' with `code` (ECONNREFUSED, ETIMEDOUT, …) when it cannot; end-of-input
 * half-closes; setTimeout / setNoDelay / setKeepAlive / ref / unref.
 */
export class NsSocket extends Duplex {
  connecting = true;
  private readonly child: ChildProcess;
  private idleTimer: NodeJS.Timeout | undefined;
  private idleMs = 0;
  private endPending = false;

  constructor(helper: string, netns: string, host: string, port: number, timeoutMs = 10_000) {
    super({ allowHalfOpen: true });
    this.child = spawn(helper, [netns, host, String(port), String(timeoutMs)], { stdio: ['pipe', 'pipe', 'pipe'] });
    let status = '';
    // stderr (the status line) and stdout (the data) are two pipes: either may be read first.
    this.child.stderr!.on('data', (b: Buffer) => {
      if (!this.connecting) return;
      status += b.toString();
      const nl = status.indexOf('\n');
      if (nl < 0) return;
      const line = status.slice(0, nl);
      if (line === 'ok') this.connected();
      else this.fail(line);
    });
    this.child.stdout!.on('data', (b: Buffer) => {
      this.connected();
      this.touch();
      if (!this.push(b)) this.child.stdout!.pause();
    });
    this.child.stdout!.on('end', () => {
      if (this.connecting) this.endPending = true;
      else this.push(null);
    });
    this.child.stdin!.on('error', () => undefined);
    this.child.on('error', (e) => this.destroy(e));
    this.child.on('close', () => {
      if (this.connecting) this.fail(status.trim() || 'error EIO the dial helper ended');
    });
  }

  override _read(): void {
    this.child.stdout!.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.touch();
    if (this.child.stdin!.write(chunk)) cb();
    else this.child.stdin!.once('drain', () => cb());
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.child.stdin!.end(() => cb());
  }

  override _destroy(err: Error | null, cb: (e?: Error | null) => void): void {
    clearTimeout(this.idleTimer);
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    cb(err);
  }

  /** As net.Socket's: 'timeout' after `ms` without traffic (0 turns it off). */
  setTimeout(ms: number, cb?: () => void): this {
    this.idleMs = ms;
    if (cb) this.once('timeout', cb);
    this.touch();
    return this;
  }

  setNoDelay(): this {
    return this;
  }

  setKeepAlive(): this {
    return this;
  }

  ref(): this {
    return this;
  }

  unref(): this {
    return this;
  }

  private touch(): void {
    clearTimeout(this.idleTimer);
    if (this.idleMs > 0) this.idleTimer = setTimeout(() => this.emit('timeout'), this.idleMs);
  }

  private connected(): void {
    if (!this.connecting || this.destroyed) return;
    this.connecting = false;
    this.emit('connect');
    this.emit('ready');
    if (this.endPending) this.push(null);
  }

  private fail(line: string): void {
    this.connecting = false;
    const m = /^error (\S+) (.*)$/.exec(line);
    const err = Object.assign(new Error(m ? m[2]! : line), { code: m ? m[1] : 'EIO' });
    this.destroy(err);
  }
}

/**
 * The kjobs-nsdial binary: KJOBS_NSDIAL when set, else native/kjobs-nsdial.c compiled once with
 * $CC or cc into the cache directory (keyed by the source's hash). Undefined without a compiler.
 */
export async function nsDialBinary(log: Logger, env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  if (env.KJOBS_NSDIAL) return env.KJOBS_NSDIAL;
  return compileNative(SOURCE, 'kjobs-nsdial', 'pod-network dial helper', log, env);
}
