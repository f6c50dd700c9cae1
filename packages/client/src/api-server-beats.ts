import { performance } from 'node:perf_hooks';
import { API_SERVER_BEAT_MS, decodeJson, type ApiServerBeat, type NatsConnection, type Subjects } from '@kjobs/bus';

/**
 * An api-server that sent no beat for this long is taken for dead. Six periods: a busy api-server
 * on a loaded machine (the scale benchmark at load 9, storing pods in batches) went four without
 * one, and its callers' writes failed with 503 though it answered them.
 */
export const API_SERVER_SILENCE_MS = 6 * API_SERVER_BEAT_MS;

/**
 * Follows the api-servers' beats (`<p>.hb.api-servers`). When one falls silent — SIGKILLed, or
 * cut off — `onLost(upTo)` is called once, within API_SERVER_SILENCE_MS + API_SERVER_BEAT_MS of
 * its end, with `upTo` = its last beat's arrival plus one period (performance.now() times): a
 * request the NATS queue group handed to it by then gets no reply, and the caller fails the
 * requests sent up to then instead of waiting for their timeout. When one beats from another NATS
 * server than before (its server died: requests routed to it through that server were lost on
 * the way), `onLost(now)`. An api-server that says `bye` (a clean stop, after answering its
 * requests) is forgotten without a call. Silence is judged only from a process that was itself
 * running: the check waits for the socket's pending messages (setImmediate after the timer), and
 * a check that comes late (this process had no CPU, or a long task) gives every api-server a
 * fresh period instead — their beats may still be unread.
 */
export class ApiServerBeats {
  private readonly seen = new Map<string, { at: number; server?: string }>();
  private readonly timer: NodeJS.Timeout;
  private lastCheck = performance.now();

  constructor(nc: NatsConnection, subjects: Subjects, private readonly onLost: (upTo: number, why: string) => void) {
    nc.subscribe(subjects.apiServers(), {
      callback: (err, m) => {
        if (err) return;
        const beat = decodeJson<ApiServerBeat>(m.data);
        if (beat.bye) return void this.seen.delete(beat.id);
        const now = performance.now();
        const before = this.seen.get(beat.id)?.server;
        this.seen.set(beat.id, { at: now, server: beat.server });
        if (before && beat.server && before !== beat.server) this.onLost(now, 'lost its NATS server (it beats from another one now)');
      },
    });
    this.timer = setInterval(() => setImmediate(() => this.check()), API_SERVER_BEAT_MS);
    this.timer.unref();
  }

  private check(): void {
    const now = performance.now();
    const late = now - this.lastCheck > 2 * API_SERVER_BEAT_MS;
    this.lastCheck = now;
    if (late) {
      for (const s of this.seen.values()) s.at = Math.max(s.at, now - API_SERVER_BEAT_MS);
      return;
    }
    for (const [id, { at }] of this.seen) {
      if (now - at <= API_SERVER_SILENCE_MS) continue;
      this.seen.delete(id);
      this.onLost(at + API_SERVER_BEAT_MS, 'stopped (no beat)');
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
