import { describe, expect, it } from 'vitest';
import type { KeyGenConfig } from './flags.js';
import type { DequeueResult } from './memq-client.js';
import { runMemqWorker } from './memq-worker.js';

const base: KeyGenConfig = {
  enable: true, numToGen: 5, timeToRun: 9, memQServer: 'http://queue:8080/memq/server', memQQueue: 'keygen', exitOnComplete: true, exitCode: 0,
};

function world(replies: DequeueResult[], c: KeyGenConfig = base) {
  const lines: string[] = [];
  const exits: number[] = [];
  const sleeps: number[] = [];
  const ac = new AbortController();
  let k = 0;
  const run = runMemqWorker(c, {
    out: (s) => lines.push(s),
    generateKey: async () => `SHA256:key${++k}`,
    exit: (code) => exits.push(code),
    dequeue: async () => {
      const r = replies.shift();
      if (r) return r;
      ac.abort();
      return { kind: 'error', message: 'done' };
    },
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    signal: ac.signal,
  });
  return { lines, exits, sleeps, run };
}

const msg = (id: string): DequeueResult => ({ kind: 'message', id, body: 'ignored' });

describe('runMemqWorker (pkg/keygen/memq.go)', () => {
  it('kjobs lease mode: acks each leased item after its key; a failed ack is logged', async () => {
    const acked: string[] = [];
    const lines: string[] = [];
    const replies: DequeueResult[] = [
      { kind: 'message', id: '1', body: 'a', leaseId: 'L1' },
      { kind: 'message', id: '2', body: 'b', leaseId: 'L2' },
      { kind: 'empty' },
    ];
    await runMemqWorker(base, {
      out: (s) => lines.push(s),
      generateKey: async () => 'SHA256:k',
      exit: () => {},
      dequeue: async () => replies.shift()!,
      ack: async (id) => {
        acked.push(id);
        return id === 'L2' ? 'HTTP Error: 400 Bad Request' : undefined;
      },
      sleep: async () => {},
      signal: new AbortController().signal,
    });
    expect(acked).toEqual(['L1', 'L2']);
    expect(lines).toEqual(['MemQ Worker starting', 'Item done: SHA256:k', 'Item done: SHA256:k', 'Error acking item: HTTP Error: 400 Bad Request']);
  });

  it('one key per message, then exits with the exit code at the first empty dequeue, silently', async () => {
    const w = world([msg('a'), msg('b'), msg('c'), { kind: 'empty' }]);
    await w.run;
    expect(w.lines).toEqual(['MemQ Worker starting', 'Item done: SHA256:key1', 'Item done: SHA256:key2', 'Item done: SHA256:key3']);
    expect(w.exits).toEqual([0]);
  });

  it('ignores numToGen and timeToRun', async () => {
    const w = world([msg('1'), msg('2'), msg('3'), msg('4'), msg('5'), msg('6'), { kind: 'empty' }], { ...base, numToGen: 2, exitCode: 3 });
    await w.run;
    expect(w.lines.filter((l) => l.startsWith('Item done'))).toHaveLength(6);
    expect(w.exits).toEqual([3]);
  });

  it('logs errors and retries every second, even with exit-on-complete', async () => {
    const w = world([{ kind: 'error', message: 'HTTP Error: 400 Bad Request' }, { kind: 'error', message: 'Post http://queue:8080/memq/server/queues/keygen/dequeue: EOF' }, msg('x'), { kind: 'empty' }]);
    await w.run;
    expect(w.lines).toEqual([
      'MemQ Worker starting',
      'Error talking to server: HTTP Error: 400 Bad Request. Retrying after 1s.',
      'Error talking to server: Post http://queue:8080/memq/server/queues/keygen/dequeue: EOF. Retrying after 1s.',
      'Item done: SHA256:key1',
    ]);
    expect(w.sleeps).toEqual([1000, 1000]);
  });

  it('without exit-on-complete an empty queue is logged and polled every second; a cancel shuts it down', async () => {
    const w = world([{ kind: 'empty' }, msg('x'), { kind: 'empty' }], { ...base, exitOnComplete: false });
    await w.run;
    expect(w.lines).toEqual([
      'MemQ Worker starting',
      'Queue is empty. Retrying after 1s.',
      'Item done: SHA256:key1',
      'Queue is empty. Retrying after 1s.',
      'Error talking to server: done. Retrying after 1s.',
      'MemQ Worker shutting down',
    ]);
    expect(w.exits).toEqual([]);
  });
});
