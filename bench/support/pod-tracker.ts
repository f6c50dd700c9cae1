/** The pods benchmark's view of its pods: when each stage of each pod was first seen on a watch. */
import type { KObject, Pod, WatchEvent } from '@kjobs/api';
import type { HttpClient } from '@kjobs/client';
import { summarize } from './util.js';

/** Does this status show the container started (running, or terminated after a real start)? */
export function containerStarted(p: Pod): boolean {
  return (p.status?.containerStatuses ?? []).some((s) => s.state?.running !== undefined || (s.state?.terminated?.startedAt !== undefined && Date.parse(s.state.terminated.startedAt) > 0));
}

/** Per pod: when (performance.now()) each stage was first seen. */
export interface PodTimes {
  sent?: number;
  added?: number;
  bound?: number;
  started?: number;
  succeeded?: number;
  failed?: boolean;
}

/** Watches Pods in `default` and records, per pod, when each stage was first seen. */
export class PodTracker {
  readonly times = new Map<string, PodTimes>();
  private waiters: { names: string[]; resolve: () => void }[] = [];
  private handle?: { stop(): void };

  at(name: string): PodTimes {
    let t = this.times.get(name);
    if (!t) this.times.set(name, (t = {}));
    return t;
  }

  async start(api: HttpClient): Promise<void> {
    const rv = (await api.list<Pod>('Pod', { namespace: 'default', limit: 1 })).metadata.resourceVersion;
    this.handle = api.watch<Pod>('Pod', { namespace: 'default', resourceVersion: rv }, (ev: WatchEvent<Pod>) => this.onEvent(ev));
  }

  stop(): void {
    this.handle?.stop();
  }

  private onEvent(ev: WatchEvent<Pod>): void {
    const now = performance.now();
    const p = ev.object;
    const t = this.at((p as KObject).metadata.name ?? '');
    if (ev.type === 'ADDED') t.added ??= now;
    if (p.spec?.nodeName) t.bound ??= now;
    if (containerStarted(p)) t.started ??= now;
    if (p.status?.phase === 'Succeeded') t.succeeded ??= now;
    if (p.status?.phase === 'Failed') t.failed = true;
    this.waiters = this.waiters.filter((w) => {
      if (!this.allEnded(w.names)) return true;
      w.resolve();
      return false;
    });
  }

  private allEnded(names: string[]): boolean {
    return names.every((n) => {
      const t = this.times.get(n);
      return t !== undefined && (t.succeeded !== undefined || t.failed === true);
    });
  }

  /** Resolves once every named pod was seen Succeeded or Failed; throws after timeoutMs. */
  async ended(names: string[], timeoutMs: number): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const done = new Promise<void>((resolve) => {
      if (this.allEnded(names)) resolve();
      else this.waiters.push({ names, resolve });
    });
    const timeout = new Promise<never>((_r, reject) => {
      timer = setTimeout(() => {
        const ended = names.filter((n) => this.times.get(n)?.succeeded !== undefined || this.times.get(n)?.failed).length;
        reject(new Error(`only ${ended} of ${names.length} pods ended after ${timeoutMs / 1000} s`));
      }, timeoutMs);
    });
    try {
      await Promise.race([done, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  /** Per-pod duration between two stages, over the named pods that reached both. */
  stage(names: string[], from: keyof PodTimes, to: keyof PodTimes): { p50: number; p99: number; max: number } {
    const ms: number[] = [];
    for (const n of names) {
      const t = this.times.get(n);
      const a = t?.[from];
      const b = t?.[to];
      if (typeof a === 'number' && typeof b === 'number') ms.push(b - a);
    }
    return summarize(ms);
  }
}
