import { relTime } from './humanize.js';
import type { KeyGenConfig } from './flags.js';
import type { KeyGenerator } from './keygen.js';

/** What a keygen run needs from the outside world (injected so tests drive it). */
export interface WorkloadDeps {
  /** Log one line (kuard's WorkloadOutput: stderr + history). */
  out: (line: string) => void;
  generateKey: KeyGenerator;
  /** Exit the process (kuard: os.Exit). */
  exit: (code: number) => void;
  /** Epoch ms. */
  now: () => number;
  /** Aborted when the workload is restarted through `PUT /keygen`. */
  signal: AbortSignal;
}

/** Text of one "Item done" line of the plain workload (`workload.go` itemDone). */
export function itemDoneLine(id: number, generated: number, numToGen: number, timeLeft: string | undefined, desc: string): string {
  const count = numToGen > 0 ? ` ${generated}/${numToGen}` : ` ${generated}/Inf`;
  const left = timeLeft === undefined ? '' : ' ' + timeLeft;
  return `(ID ${id}${count}${left}) Item done${desc.length > 0 ? ': ' + desc : ''}`;
}

/**
 * kuard's plain keygen workload (`pkg/keygen/workload.go`): generate keys until numToGen keys
 * are done or timeToRun seconds have passed (checked before each key, so the last key can be
 * "overdue"), whichever comes first; then log "Workload exiting" and, unless cancelled and only
 * with exitOnComplete, exit with exitCode.
 */
export async function runWorkload(id: number, c: KeyGenConfig, deps: WorkloadDeps): Promise<void> {
  deps.out(`(ID ${id}) Workload starting`);
  const endTime = c.timeToRun > 0 ? deps.now() + c.timeToRun * 1000 : undefined;
  let generated = 0;
  const isDone = (): boolean => {
    if (deps.signal.aborted) return done(true);
    if (endTime !== undefined && deps.now() >= endTime) return done(false);
    if (c.numToGen > 0 && generated >= c.numToGen) return done(false);
    return false;
  };
  const done = (canceled: boolean): true => {
    deps.out(`(ID ${id}) Workload exiting`);
    if (!canceled && c.exitOnComplete) deps.exit(c.exitCode);
    return true;
  };
  while (!isDone()) {
    const desc = await deps.generateKey();
    generated++;
    const left = endTime === undefined ? undefined : relTime(deps.now(), endTime, 'left', 'overdue');
    deps.out(itemDoneLine(id, generated, c.numToGen, left, desc));
  }
}
