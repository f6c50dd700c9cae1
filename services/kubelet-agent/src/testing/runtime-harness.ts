import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { beforeAll, describe } from 'vitest';
import type { Container, Pod, PodSpec, PodStatus } from '@kjobs/api';
import { createCatalog, type ProgramSource } from '../runtime/catalog.js';
import { ProcessRuntime, type ProcessRuntimeOptions, type RuntimeEvent } from '../runtime/process-runtime.js';
import { groupMembers } from '../runtime/proc.js';

/** Test-only helpers for the runtime's integration tests (not part of the public API). */

/** Poll `fn` until it returns a truthy value; throws with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, fn: () => T | undefined | null | false | Promise<T | undefined | null | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await sleep(20);
  }
}

/** A random /24 on loopback, so concurrent test files and agents do not share pod IPs. */
export function randomPodRange(): string {
  return `127.${200 + Math.floor(Math.random() * 50)}.${Math.floor(Math.random() * 256)}.0/24`;
}

/** The two ways runs start (launcher undefined = the native launcher, compiled with cc). */
const STARTERS: [string, string | false | undefined][] = [['native launcher', undefined], ['sh shim', false]];

/** Run `suites` once per way runs start: every Harness created inside uses that starter. */
export function forEachStarter(suites: () => void): void {
  describe.each(STARTERS)('containers started by the %s', (_name, launcher) => {
    beforeAll(() => {
      Harness.defaults = launcher === undefined ? {} : { launcher };
    });
    suites();
  });
}

/** One runtime on a fresh temp rootDir, with recorded events and every process group it ever saw. */
export class Harness {
  readonly events: RuntimeEvent[] = [];
  readonly pgids = new Set<number>();
  rt: ProcessRuntime;
  /** Options every new Harness starts from (set per suite by describe.each(STARTERS)). */
  static defaults: Partial<ProcessRuntimeOptions> = {};

  private constructor(readonly rootDir: string, readonly opts: ProcessRuntimeOptions) {
    this.rt = this.newRuntime();
  }

  static async create(over: Partial<ProcessRuntimeOptions> & { kuardProgram?: ProgramSource } = {}): Promise<Harness> {
    const rootDir = await mkdtemp(join(tmpdir(), 'kjobs-rt-'));
    const { kuardProgram, ...rest } = over;
    const opts: ProcessRuntimeOptions = {
      rootDir,
      nodeName: 'node-test',
      podIPRange: randomPodRange(),
      catalog: createCatalog(kuardProgram ? { kuardProgram } : {}),
      ...Harness.defaults,
      ...rest,
    };
    return new Harness(rootDir, opts);
  }

  /** A new ProcessRuntime on the same rootDir (the "restarted agent"). */
  newRuntime(): ProcessRuntime {
    const rt = new ProcessRuntime(this.opts);
    rt.onEvent((e) => this.events.push(e));
    rt.onChange((uid) => this.notePgids(rt, uid));
    this.rt = rt;
    return rt;
  }

  private notePgids(rt: ProcessRuntime, uid: string): void {
    for (const c of Object.values(rt.podRecord(uid)?.containers ?? {})) {
      for (const inst of [c.current, c.previous]) if (inst && inst.pgid > 0) this.pgids.add(inst.pgid);
    }
  }

  /** A pod with a random uid. */
  pod(name: string, containers: Container[], spec: Partial<PodSpec> = {}, meta: Partial<Pod['metadata']> = {}): Pod {
    return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: randomUUID(), ...meta }, spec: { containers, ...spec } };
  }

  /** Poll the pod's computed status until `pred` holds. */
  waitStatus(pod: Pod, what: string, pred: (s: PodStatus) => boolean, timeoutMs?: number): Promise<PodStatus> {
    return waitFor(what, () => {
      const s = this.rt.podStatus(pod);
      return pred(s) ? s : undefined;
    }, timeoutMs);
  }

  /** Process groups of the harness that still have a live member. */
  livePgids(): number[] {
    return [...this.pgids].filter((g) => groupMembers(g).length > 0);
  }

  /** Kill everything, close, delete the rootDir; returns the groups that were still alive after the kill (should be none). */
  async cleanup(): Promise<number[]> {
    await this.rt.killOrphans([], { gracePeriodSeconds: 0 });
    const left = this.livePgids();
    await this.rt.close();
    await rm(this.rootDir, { recursive: true, force: true });
    return left;
  }
}

/** A busy loop in sh that reacts to SIGTERM promptly (a `sleep` in the foreground would delay the trap). */
export const LOOP = 'while :; do sleep 0.05; done';
