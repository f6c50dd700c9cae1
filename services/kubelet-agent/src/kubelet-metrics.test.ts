import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { KubeletMetrics } from './kubelet-metrics.js';

describe('KubeletMetrics', () => {
  it('counts started pods and observes each start once, from first seen to running; forgotten pods observe nothing', async () => {
    const registry = new Registry();
    let now = 1_000;
    const m = new KubeletMetrics(registry, () => now);
    m.podStarted('a', m.clock());
    m.podStarted('b', m.clock());
    now = 1_250;
    m.podRunning('a');
    now = 5_000;
    m.podRunning('a'); // already observed
    m.forget('b');
    m.podRunning('b');
    m.podRunning('unknown'); // recovered after a restart: its start was another process's
    const text = await registry.metrics();
    expect(text).toMatch(/^kubelet_started_pods_total 2$/m);
    expect(text).toMatch(/^kubelet_pod_start_duration_seconds_count 1$/m);
    expect(text).toMatch(/^kubelet_pod_start_duration_seconds_sum 0\.25$/m);
    expect(text).toMatch(/^kubelet_pod_start_duration_seconds_bucket\{le="0\.25"\} 1$/m);
  });

  it.each([
    ['Pulled', 'Successfully pulled image "busybox" in 1.2s (1.2s including waiting). Image size: 4 bytes.', 'success'],
    ['Failed', 'Failed to pull image "nope": not found', 'failure'],
    ['Pulled', 'Container image "busybox" already present on machine', undefined],
    ['Failed', 'Error: ErrImagePull', undefined],
    ['Started', 'Started container main', undefined],
  ])('%s %j counts as %s', async (reason, message, result) => {
    const registry = new Registry();
    const m = new KubeletMetrics(registry);
    m.observeEvent(reason, message);
    const text = await registry.metrics();
    expect(text).toMatch(new RegExp(`^kubelet_image_pulls_total\\{result="success"\\} ${result === 'success' ? 1 : 0}$`, 'm'));
    expect(text).toMatch(new RegExp(`^kubelet_image_pulls_total\\{result="failure"\\} ${result === 'failure' ? 1 : 0}$`, 'm'));
  });
});
