import { performance } from 'node:perf_hooks';
import { API_SERVER_BEAT_MS, decodeJson, type ApiServerBeat, type NatsConnection, type Subjects } from '@kjobs/bus';

/**
 * An api-server that sent no beat for this long (and still none after a round trip to NATS) is
 * taken for dead. Six periods: on a loaded machine (the scale benchmark at load 9) an api-server
 * busy storing pods in batches went four without one and answered its requests after all.
 */
export const API_SERVER_SILENCE_MS = 6 * API_SERVER_BEAT_MS;

/**
 * Follows the api-servers' beats (`<p>.hb.api-servers`). When one falls silent — SIGKILLed, or
 * cut off — `onLost(upTo)` is called once, within API_SERVER_SILENCE_MS + API_SERVER_BEAT_MS of
 * its end and one NATS round trip, with `upTo` = its last beat's arrival plus one period
 * (performance.now() times): a request the NATS queue group handed to it by then gets no reply,
 * and the caller fails the requests sent up to then instead of waiting for their timeout. When one
 * beats from another NATS server than before (its server died: requests routed to it through that
 * server were lost on the way), `onLost(now)`. An api-server that says `bye` (a clean stop, after
 * answering its requests) is forgotten without a call.
 *
 * A silence is confirmed with a round trip to the NATS server (`flush`: its PONG comes after
 * everything the server had already queued for this connection) before anything is failed: a
 * client that is behind on its own connection — it stood still in a long task, had no CPU, or
 * has a backlog of watch events ahead of the beats — would otherwise take beats it has not read
 * yet for silence, and fail requests whose replies wait in the same backlog.
 */
export class ApiServerBeats {
  private readonly seen = new Map<string, { at: number; server?: string }>();
  private readonly timer: NodeJS.Timeout;
  private confirming = false;

  constructor(private readonly nc: NatsConnection, subjects: Subjects, private readonly onLost: (upTo: number, why: string) => void) {
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
    this.timer = setInterval(() => this.check(), API_SERVER_BEAT_MS);
    this.timer.unref();
  }

  private check(): void {
    if (this.confirming) return;
    const silent = [...this.seen].filter(([, s]) => performance.now() - s.at > API_SERVER_SILENCE_MS).map(([id, s]) => [id, s.at] as const);
    if (!silent.length) return;
    this.confirming = true;
    this.nc.flush().then(() => {
      for (const [id, at] of silent) {
        if (this.seen.get(id)?.at !== at) continue; // a beat was waiting behind the backlog
        this.seen.delete(id);
        this.onLost(at + API_SERVER_BEAT_MS, 'stopped (no beat)');
      }
    }, () => undefined).finally(() => (this.confirming = false));
  }

  stop(): void {
    clearInterval(this.timer);
  }
}
