import { describe, expect, it } from 'vitest';
import { runStoreContract } from './contract.js';
import { pod, pods } from './contract-fixtures.js';
import { MemoryStore } from './memory-store.js';

runStoreContract('MemoryStore', async (opts) => ({
  store: new MemoryStore({ ...opts }),
  cleanup: async () => undefined,
}));

describe('MemoryStore.simulateRestart', () => {
  it('raises the floor: older watches and continue tokens answer 410, newer ones work', async () => {
    const store = new MemoryStore();
    for (const n of ['a', 'b', 'c']) await store.create(pods, pod('default', n));
    const page = await store.list(pods, { limit: 1 });
    const before = await store.revision();
    store.simulateRestart();
    await expect(store.changesSince(pods, before)).rejects.toMatchObject({ code: 410 });
    await expect(store.list(pods, { limit: 1, continue: page.continue })).rejects.toMatchObject({ code: 410 });
    const now = await store.revision();
    expect(BigInt(now)).toBe(BigInt(before) + 1_000_000n);
    const d = await store.create(pods, pod('default', 'd'));
    expect((await store.changesSince(pods, now)).events.map((e) => e.rv)).toEqual([d.metadata.resourceVersion]);
  });
});
