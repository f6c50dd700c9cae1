import { describe, expect, it } from 'vitest';
import { ApiError, type KObject, type Lease } from '@kjobs/api';
import type { ApiClient } from './types.js';
import { LeaderElector } from './leader-election.js';

/**
 * A Lease-only ApiClient with compare-and-swap updates. `hangNextMs` makes the next get answer
 * only with a timeout error that many ms later, like a NATS request whose message was lost.
 */
function leaseClient() {
  let lease: Lease | undefined;
  let rv = 0;
  const state = { hangNextMs: 0, hangsEnded: 0, updates: 0 };
  const notFound = () => new ApiError(404, 'NotFound', 'leases not found');
  const client = {
    async get<T extends KObject>(): Promise<T> {
      if (state.hangNextMs > 0) {
        const ms = state.hangNextMs;
        state.hangNextMs = 0;
        await new Promise((r) => setTimeout(r, ms));
        state.hangsEnded++;
        throw new Error(`timeout after ${ms} ms`);
      }
      if (!lease) throw notFound();
      return structuredClone(lease) as unknown as T;
    },
    async create<T extends KObject>(_kind: string, obj: T): Promise<T> {
      if (lease) throw new ApiError(409, 'AlreadyExists', 'exists');
      lease = { ...(obj as unknown as Lease), metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
      return structuredClone(lease) as unknown as T;
    },
    async update<T extends KObject>(_kind: string, obj: T): Promise<T> {
      if (!lease) throw notFound();
      if (obj.metadata.resourceVersion !== lease.metadata.resourceVersion) throw new ApiError(409, 'Conflict', 'conflict');
      lease = { ...(obj as unknown as Lease), metadata: { ...obj.metadata, resourceVersion: String(++rv) } };
      state.updates++;
      return structuredClone(lease) as unknown as T;
    },
  } as unknown as ApiClient;
  return { client, state, holder: () => lease?.spec.holderIdentity };
}

async function until(fn: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('LeaderElector', () => {
  const timings = { leaseDurationMs: 3000, renewDeadlineMs: 600, retryPeriodMs: 50 };

  it('a renewal lost for longer than the renew deadline costs one bounded attempt, not the leadership', async () => {
    const { client, state, holder } = leaseClient();
    let started = 0;
    let stopped = 0;
    const e = new LeaderElector({ client, name: 'x', identity: 'a', ...timings, onStartedLeading: () => started++, onStoppedLeading: () => stopped++ });
    e.start();
    await until(() => e.isLeader());
    state.hangNextMs = 1500;
    const before = state.updates;
    // The lost request finally fails, and renewals went on meanwhile.
    await until(() => state.hangsEnded === 1 && state.updates >= before + 10);
    expect(e.isLeader()).toBe(true);
    await e.stop();
    expect(started).toBe(1);
    expect(stopped).toBe(0);
    expect(holder()).toBeUndefined();
  });

  it('with attempts as long as the lost request, the same loss costs the leadership', async () => {
    const { client, state } = leaseClient();
    let stopped = 0;
    const e = new LeaderElector({ client, name: 'x', identity: 'a', ...timings, attemptTimeoutMs: 60_000, onStartedLeading: () => undefined, onStoppedLeading: () => stopped++ });
    e.start();
    await until(() => e.isLeader());
    state.hangNextMs = 1500;
    await until(() => stopped === 1);
    expect(e.isLeader()).toBe(false);
    await e.stop();
  });
});
