import type { KeyGenConfig } from './flags.js';
import type { KeyGenerator } from './keygen.js';
import type { DequeueResult } from './memq-client.js';

/** What the MemQ consumer needs from the outside world. */
export interface MemqWorkerDeps {
  out: (line: string) => void;
  generateKey: KeyGenerator;
  exit: (code: number) => void;
  /** One `POST <server>/queues/<queue>/dequeue` (leased when the consumer was given a lease). */
  dequeue: () => Promise<DequeueResult>;
  /** Settle a leased item; resolves with an error text or undefined. Only called for leased items. */
  ack?: (leaseId: string) => Promise<string | undefined>;
  /** Wait (kuard: time.Sleep(time.Second)). */
  sleep: (ms: number) => Promise<void>;
  signal: AbortSignal;
}

/**
 * kuard's MemQ consumer (`pkg/keygen/memq.go`): dequeue, make one key per message (the body is
 * ignored), log "Item done: ..."; on any error log it and retry every second, forever; on an
 * empty queue exit at once with exitCode when exitOnComplete is set (no log line), else log and
 * retry every second. A restart through the API logs "MemQ Worker shutting down".
 * kjobs lease mode (`--keygen-memq-lease`): each item is acked after its key is made.
 */
export async function runMemqWorker(c: KeyGenConfig, deps: MemqWorkerDeps): Promise<void> {
  deps.out('MemQ Worker starting');
  const isDone = (): boolean => {
    if (!deps.signal.aborted) return false;
    deps.out('MemQ Worker shutting down');
    return true;
  };
  while (!isDone()) {
    const r = await deps.dequeue();
    if (r.kind === 'error') {
      deps.out(`Error talking to server: ${r.message}. Retrying after 1s.`);
      await deps.sleep(1000);
      continue;
    }
    if (r.kind === 'empty') {
      if (c.exitOnComplete) {
        deps.exit(c.exitCode);
        return;
      }
      deps.out('Queue is empty. Retrying after 1s.');
      await deps.sleep(1000);
      continue;
    }
    const desc = await deps.generateKey();
    deps.out(`Item done${desc.length > 0 ? ': ' + desc : ''}`);
    if (r.leaseId !== undefined && deps.ack) {
      // kjobs lease mode: a failed ack means the lease expired and the item will be redelivered.
      const err = await deps.ack(r.leaseId);
      if (err !== undefined) deps.out(`Error acking item: ${err}`);
    }
  }
}
