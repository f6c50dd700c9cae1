/**
 * The MemQ lease workload of the chaos suite: `items` messages enqueued up front, then consumers
 * that dequeue with `?lease=`, hold each item a while ("work"), and ack it. Faults interrupt any
 * of these steps:
 *
 * - a dequeue whose answer is lost leaves the item leased; the lease expires and it comes back;
 * - an ack answered 200 is final: the item is done;
 * - an ack answered `lease not found` came after the lease expired: the item comes back;
 * - an ack whose answer is lost is *ambiguous*: the item is done if and only if it never comes
 *   back, which the final check proves (queue empty and nothing in flight once every lease that
 *   could still expire has).
 *
 * `allowed()` bounds how many items may be done so far, so the suite can pace the queue with the
 * Job and keep work in flight across every fault instead of finishing it before the last one.
 */
import http from 'node:http';

interface Reply {
  status: number;
  text: string;
}

/** One HTTP request to memq on a fresh connection (memq restarts: no stale keep-alive sockets). */
function request(port: number, method: string, path: string, body?: string, timeoutMs = 5000): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers: body ? { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body) } : {} }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}

/** Counters of what the consumers saw. */
export interface MemqCounts {
  items: number;
  deliveries: number;
  redeliveries: number;
  ackOk: number;
  ackAmbiguous: number;
  ackExpired: number;
  /** Deliveries of an item after a 200 ack (must stay 0). */
  afterAck: number;
  errors: number;
}

/** Queue stats with the lease extension's fields. */
export interface QueueStats {
  name: string;
  depth: number;
  enqueued: number;
  dequeued: number;
  drained: number;
  inFlight?: number;
  redelivered?: number;
}

/** The workload: fill, start consumers, wait for everything done, verify. */
export class MemqWorkload {
  /** How many items may be done so far (consumers wait beyond it). */
  allowed: () => number;
  /** How long a consumer holds an item before acking it. */
  holdMs: number;
  readonly counts: MemqCounts;
  /** body → how it was finished: a 200 ack, or an ambiguous ack not (yet) contradicted. */
  private readonly done = new Map<string, 'ok' | 'ambiguous'>();
  private readonly seen = new Set<string>();
  private stopped = false;
  private loops: Promise<void>[] = [];

  constructor(private readonly port: number, private readonly queue: string, items: number, private readonly consumers: number, private readonly leaseS: number, holdMs: number) {
    this.counts = { items, deliveries: 0, redeliveries: 0, ackOk: 0, ackAmbiguous: 0, ackExpired: 0, afterAck: 0, errors: 0 };
    this.allowed = () => items;
    this.holdMs = holdMs;
  }

  /** Items finished (200-acked or ambiguous and not come back). */
  doneCount(): number {
    return this.done.size;
  }

  /** Create the queue and enqueue every item (before any fault: each enqueue must succeed). */
  async fill(): Promise<void> {
    const q = encodeURIComponent(this.queue);
    const put = await request(this.port, 'PUT', `/memq/server/queues/${q}`);
    if (put.status !== 200) throw new Error(`create queue: ${put.status} ${put.text}`);
    for (let i = 0; i < this.counts.items; i++) {
      const r = await request(this.port, 'POST', `/memq/server/queues/${q}/enqueue`, `item-${i}`);
      if (r.status !== 200) throw new Error(`enqueue item-${i}: ${r.status} ${r.text}`);
    }
  }

  start(): void {
    for (let i = 0; i < this.consumers; i++) this.loops.push(this.consume());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(this.loops);
  }

  private async consume(): Promise<void> {
    const q = encodeURIComponent(this.queue);
    const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
    while (!this.stopped) {
      if (this.done.size >= this.allowed()) {
        await pause(50);
        continue;
      }
      let msg: { body: string; leaseId: string };
      try {
        const r = await request(this.port, 'POST', `/memq/server/queues/${q}/dequeue?lease=${this.leaseS}s`);
        if (r.status === 204) {
          await pause(100);
          continue;
        }
        if (r.status !== 200) throw new Error(`dequeue: ${r.status}`);
        msg = JSON.parse(r.text) as { body: string; leaseId: string };
      } catch {
        this.counts.errors++;
        await pause(100);
        continue;
      }
      this.counts.deliveries++;
      if (this.seen.has(msg.body)) this.counts.redeliveries++;
      if (this.done.get(msg.body) === 'ok') this.counts.afterAck++;
      this.seen.add(msg.body);
      // Back again: whatever ack we sent before did not take.
      if (this.done.get(msg.body) === 'ambiguous') this.done.delete(msg.body);
      if (this.holdMs > 0) await pause(this.holdMs);
      try {
        const a = await request(this.port, 'POST', `/memq/server/queues/${q}/ack/${msg.leaseId}`);
        if (a.status === 200) {
          this.counts.ackOk++;
          this.done.set(msg.body, 'ok');
        } else if (a.status === 400 && a.text.includes('lease not found')) {
          this.counts.ackExpired++;
        } else {
          throw new Error(`ack: ${a.status}`);
        }
      } catch {
        this.counts.ackAmbiguous++;
        if (this.done.get(msg.body) !== 'ok') this.done.set(msg.body, 'ambiguous');
      }
    }
  }

  /** The queue's stats (extended), or undefined when memq does not answer. */
  async stats(): Promise<QueueStats | undefined> {
    try {
      const r = await request(this.port, 'GET', '/memq/server/stats?extended=1');
      if (r.status !== 200) return undefined;
      return (JSON.parse(r.text) as { queues: QueueStats[] }).queues.find((s) => s.name === this.queue);
    } catch {
      return undefined;
    }
  }

  /**
   * True once every item is finished and the queue holds nothing, queued or leased. Reading stats
   * returns expired leases to the queue, so an ambiguous ack that did not take shows up as depth.
   */
  async settled(): Promise<boolean> {
    if (this.done.size < this.counts.items) return false;
    const s = await this.stats();
    return !!s && s.depth === 0 && (s.inFlight ?? 0) === 0;
  }

  /** Problems found at the end (empty = every item acked exactly as required). */
  async verify(): Promise<string[]> {
    const problems: string[] = [];
    const s = await this.stats();
    if (!s) return ['memq stats unavailable'];
    if (s.enqueued !== this.counts.items) problems.push(`enqueued ${s.enqueued}, expected ${this.counts.items}`);
    if (s.depth !== 0 || (s.inFlight ?? 0) !== 0) problems.push(`queue not empty: depth ${s.depth}, inFlight ${s.inFlight}`);
    if (s.dequeued !== this.counts.items) problems.push(`dequeued ${s.dequeued}, expected ${this.counts.items} (in-flight items count as dequeued, redelivered ones do not)`);
    if (this.counts.afterAck) problems.push(`${this.counts.afterAck} deliveries of items already acked with 200`);
    const notDone = [];
    for (let i = 0; i < this.counts.items; i++) if (!this.done.has(`item-${i}`)) notDone.push(`item-${i}`);
    if (notDone.length) problems.push(`${notDone.length} items never acked: ${notDone.slice(0, 10).join(', ')}`);
    return problems;
  }

  /** How the items were finished. */
  finishedBy(): { ok: number; ambiguous: number } {
    let ok = 0;
    for (const v of this.done.values()) if (v === 'ok') ok++;
    return { ok, ambiguous: this.done.size - ok };
  }
}
