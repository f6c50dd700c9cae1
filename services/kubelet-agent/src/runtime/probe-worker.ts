import { setTimeout as sleep } from 'node:timers/promises';
import { type ProbeCounter, type ProbeOutcome, type ProbeTarget, type ResolvedProbe, countProbe, runProbe } from './probes.js';

/** The three probe kinds, named as in the kubelet's events ("Liveness probe failed: …"). */
export type ProbeKind = 'Liveness' | 'Readiness' | 'Startup';

/** What a worker reports after every attempt. */
export interface ProbeReport {
  kind: ProbeKind;
  outcome: ProbeOutcome;
  /** The result after this attempt (undefined until a threshold was crossed). */
  result: boolean | undefined;
  /** The result flipped with this attempt. */
  changed: boolean;
}

/**
 * Runs one probe of one container run periodically: first after initialDelaySeconds, then every
 * periodSeconds, until stopped (the run ended, or the runtime closes). Attempts never overlap.
 */
export class ProbeWorker {
  private readonly abort = new AbortController();
  private counter: ProbeCounter = { result: undefined, successes: 0, failures: 0 };

  constructor(
    readonly kind: ProbeKind,
    private readonly probe: ResolvedProbe,
    private readonly target: ProbeTarget,
    private readonly onReport: (r: ProbeReport) => void,
  ) {}

  /** Start probing in the background. */
  start(): void {
    void this.loop();
  }

  /** Stop; an attempt in flight is abandoned (an exec probe's process group is killed). */
  stop(): void {
    this.abort.abort();
  }

  private async loop(): Promise<void> {
    const signal = this.abort.signal;
    try {
      await sleep(this.probe.initialDelayMs, undefined, { signal, ref: false });
      while (!signal.aborted) {
        const outcome = await runProbe(this.probe, this.target, signal);
        if (signal.aborted) return;
        const { counter, changed } = countProbe(this.counter, outcome.ok, this.probe);
        this.counter = counter;
        this.onReport({ kind: this.kind, outcome, result: counter.result, changed });
        await sleep(this.probe.periodMs, undefined, { signal, ref: false });
      }
    } catch {
      // aborted
    }
  }
}
