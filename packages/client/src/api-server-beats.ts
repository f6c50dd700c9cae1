import { performance } from 'node:perf_hooks';
import { API_SERVER_BEAT_MS, decodeJson, type ApiServerBeat, type NatsConnection, type Subjects } from '@kjobs/bus';

/** An api-server that sent no beat for this long is taken for dead. */
export const API_SERVER_SILENCE_MS = 4 * API_SERVER_BEAT_MS;

/**
 * Follows the api-servers' beats (`<p>.hb.api-servers`). When one falls silent — SIGKILLed, or
 * cut off — `onGone(lastSeen)` is called once with when its last beat arrived (performance.now()),
 * within API_SERVER_SILENCE_MS + API_SERVER_BEAT_MS of its end. A request the NATS queue group
 * handed to it before it died gets no reply; the caller fails the requests sent up to then
 * instead of waiting for their timeout. An api-server that says `bye` (a clean stop, after
 * answering its requests) is forgotten without a call.
 */
export class ApiServerBeats {
  private readonly seen = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(nc: NatsConnection, subjects: Subjects, private readonly onGone: (lastSeen: number) => void) {
    nc.subscribe(subjects.apiServers(), {
      callback: (err, m) => {
        if (err) return;
        const beat = decodeJson<ApiServerBeat>(m.data);
        if (beat.bye) this.seen.delete(beat.id);
        else this.seen.set(beat.id, performance.now());
      },
    });
    this.timer = setInterval(() => this.check(), API_SERVER_BEAT_MS);
    this.timer.unref();
  }

  private check(): void {
    const now = performance.now();
    for (const [id, at] of this.seen) {
      if (now - at <= API_SERVER_SILENCE_MS) continue;
      this.seen.delete(id);
      this.onGone(at);
    }
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
