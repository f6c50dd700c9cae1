import type { KeyGenConfig } from './flags.js';
import type { KeyGenerator } from './keygen.js';
import type { DequeueResult } from './memq-client.js';
import { runMemqWorker } from './memq-worker.js';
import { runWorkload } from './workload.js';

/** What the controller needs to run workloads. */
export interface KeyGenControllerDeps {
  /** Log sink for workload lines (stderr, Go format). */
  log: (line: string) => void;
  generateKey: KeyGenerator;
  exit: (code: number) => void;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Dequeue (and, in lease mode, ack) functions for the given server URL and queue. */
  dequeuer: (server: string, queue: string) => { dequeue: () => Promise<DequeueResult>; ack?: (leaseId: string) => Promise<string | undefined> };
}

/** `GET /keygen` body: the config and the last 20 workload lines (oldest first). */
export interface KeyGenStatus {
  config: KeyGenConfig;
  history: { id: number; data: string }[];
}

/**
 * kuard's KeyGen (`pkg/keygen/keygen.go`): holds the config, (re)starts the workload — the MemQ
 * consumer when both memQServer and memQQueue are set, else the plain workload with the next
 * workload id — and keeps every output line in a 20-entry history.
 */
export class KeyGenController {
  private config: KeyGenConfig = { enable: false, numToGen: 0, timeToRun: 0, memQServer: '', memQQueue: '', exitOnComplete: false, exitCode: 0 };
  private history: { id: number; data: string }[] = [];
  private nextHistoryId = 0;
  private nextWorkloadId = 0;
  private cancel: AbortController | undefined;

  constructor(private readonly deps: KeyGenControllerDeps) {}

  /** kuard's LoadConfig: replace the config and restart. Returns the running workload's promise (if any). */
  load(config: KeyGenConfig): Promise<void> | undefined {
    this.config = { ...config };
    return this.restart();
  }

  /** The API view. */
  status(): KeyGenStatus {
    return { config: { ...this.config }, history: [...this.history] };
  }

  private restart(): Promise<void> | undefined {
    this.cancel?.abort();
    this.cancel = undefined;
    if (!this.config.enable) return undefined;
    const ac = new AbortController();
    this.cancel = ac;
    const c = { ...this.config };
    const base = { out: (s: string) => this.output(s), generateKey: this.deps.generateKey, exit: this.deps.exit, signal: ac.signal };
    if (c.memQQueue.length > 0 && c.memQServer.length > 0) {
      return runMemqWorker(c, { ...base, ...this.deps.dequeuer(c.memQServer, c.memQQueue), sleep: this.deps.sleep });
    }
    return runWorkload(this.nextWorkloadId++, c, { ...base, now: this.deps.now });
  }

  /** kuard's WorkloadOutput: log and remember. */
  private output(s: string): void {
    this.deps.log(s);
    this.history.push({ id: this.nextHistoryId++, data: s });
    if (this.history.length > 20) this.history = this.history.slice(-20);
  }
}
