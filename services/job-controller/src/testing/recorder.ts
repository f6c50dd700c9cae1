/**
 * What a test sees of the Job controller's writes: a JobControl wrapper that counts each write,
 * logs it in call order, keeps the events, and once told to die throws on every write after the
 * n-th (the controller crashes between two writes). The writes themselves go to the real API.
 */
import type { Job, JobStatus, KObject, Pod } from '@kjobs/api';
import type { BackoffRecord } from '../job/backoff.js';
import type { JobControl, JobSyncDeps } from '../job/control.js';

/** Thrown by every write once the controller has died. */
export class ControllerCrashed extends Error {
  constructor() {
    super('controller crashed');
  }
}

/** A recorded event. */
export interface TestEvent {
  type: string;
  reason: string;
  message: string;
}

/** One logged write, in call order. `batch` numbers concurrent creates (a slow-start batch). */
export type LoggedWrite =
  | { op: 'createPod'; pod: Pod; batch: number }
  | { op: 'deletePod'; name: string }
  | { op: 'patchPod'; name: string; patch: unknown }
  | { op: 'updateJobStatus'; status: JobStatus }
  | { op: 'saveBackoff'; record: BackoffRecord }
  | { op: 'dropBackoff' }
  | { op: 'event'; event: TestEvent };

export class Recorder {
  readonly events: TestEvent[] = [];
  readonly log: LoggedWrite[] = [];
  /** The controller dies when it attempts write number `crashAfter + 1`. */
  crashAfter: number | undefined;
  writes = 0;
  crashed = false;
  /** Called with each write before it is sent (a test's hook into the middle of a sync). */
  beforeWrite?: (w: LoggedWrite) => void;
  private inflightCreates = 0;
  private batches = 0;

  /** Forget the crash (a new controller process). */
  revive(): void {
    this.crashed = false;
    this.crashAfter = undefined;
  }

  private write(w: LoggedWrite): void {
    this.log.push(w);
    this.beforeWrite?.(w);
    if (this.crashed) throw new ControllerCrashed();
    if (this.crashAfter !== undefined && this.writes >= this.crashAfter) {
      this.crashed = true;
      throw new ControllerCrashed();
    }
    this.writes++;
  }

  /** Wrap the controller's real JobControl; created pod names are appended to `created`. */
  wrap(base: JobControl, created: string[]): JobControl {
    return {
      createPod: async (ns: string, pod: Pod) => {
        if (this.inflightCreates++ === 0) this.batches++;
        try {
          this.write({ op: 'createPod', pod, batch: this.batches });
          const p = await base.createPod(ns, pod);
          created.push(p.metadata.name!);
          return p;
        } finally {
          this.inflightCreates--;
        }
      },
      deletePod: async (ns: string, name: string, opts?: { uid?: string }) => {
        this.write({ op: 'deletePod', name });
        await base.deletePod(ns, name, opts);
      },
      patchPod: async (ns: string, name: string, patch: unknown) => {
        this.write({ op: 'patchPod', name, patch });
        await base.patchPod(ns, name, patch);
      },
      updateJobStatus: async (job: Job) => {
        this.write({ op: 'updateJobStatus', status: structuredClone(job.status ?? {}) });
        return base.updateJobStatus(job);
      },
      getJob: (ns: string, name: string) => base.getJob(ns, name),
      recordEvent: (obj: KObject, type: 'Normal' | 'Warning', reason: string, message: string) => {
        if (this.crashed) return;
        this.events.push({ type, reason, message });
        this.log.push({ op: 'event', event: { type, reason, message } });
        base.recordEvent(obj, type, reason, message);
      },
    };
  }

  /** Log the controller's backoff saves and drops too (they are part of a sync's outcome). */
  watchBackoff(deps: JobSyncDeps): void {
    const inner = deps.backoff;
    deps.backoff = {
      get: (k) => inner.get(k),
      set: (k, r) => {
        this.log.push({ op: 'saveBackoff', record: r });
        inner.set(k, r);
      },
      delete: (k) => {
        this.log.push({ op: 'dropBackoff' });
        inner.delete(k);
      },
    };
  }
}
