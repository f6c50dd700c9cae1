import { afterEach, expect, it } from 'vitest';
import { Harness, waitFor } from '../testing/runtime-harness.js';

let h: Harness | undefined;
afterEach(async () => {
  expect(await h?.cleanup()).toEqual([]);
  h = undefined;
});

it('a kill with a shorter grace period ends a pod that a longer kill is still waiting on (node shutdown during a 30 s grace)', async () => {
  h = await Harness.create();
  // Ignores SIGTERM: only SIGKILL ends it.
  const pod = h.pod('stubborn', [{ name: 'c', image: 'busybox', command: ['sh', '-c', "trap '' TERM; echo ignoring; while :; do sleep 0.05; done"] }]);
  await h.rt.syncPod(pod, {});
  await h.waitStatus(pod, 'running', (s) => s.containerStatuses?.[0]?.state.running !== undefined);
  // Running is not enough: under load the shell may not have reached its trap yet (CI saw 143).
  const rt = h.rt;
  await waitFor('the trap set', async () => (await rt.readLogs(pod.metadata.uid!, 'c')).includes('ignoring'));
  const long = h.rt.killPod(pod.metadata.uid!, 30);
  const t0 = Date.now();
  await h.rt.killPod(pod.metadata.uid!, 1);
  await long;
  expect(Date.now() - t0).toBeLessThan(10_000);
  expect(h.rt.podStatus(pod).containerStatuses?.[0]?.state.terminated?.exitCode).toBe(137);
}, 30_000);
