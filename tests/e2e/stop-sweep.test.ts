/**
 * A cluster stopped while one of its kubelet-agents is down (crashed, or killed by a test) still
 * leaves no pod process behind: the stop ends what that agent's launcher holds.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { expect, it } from 'vitest';
import { startE2E, waitFor } from './harness.js';

/** Pids whose environment names this pod (every process of a process-runtime pod has POD_NAME). */
function processesOf(podName: string): number[] {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`POD_NAME=${podName}`);
    } catch {
      return false;
    }
  });
}

it('stopping a cluster whose agent is down ends that agent\'s pods', async () => {
  const e = await startE2E();
  const name = `lonely-${process.pid}`;
  try {
    await e.apply({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-1', restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'sleep 600'] }] } });
    await waitFor('running', async () => (await e.getJson('pod', name))?.status?.phase === 'Running', 60_000);
    expect(processesOf(name).length).toBeGreaterThan(0);
    // The agent dies; its pod goes on under the launcher, as on a real node.
    const agent = e.cluster.procs.get('kubelet-agent-node-1')!;
    const exited = new Promise((r) => agent.once('exit', r));
    agent.kill('SIGKILL');
    await exited;
    expect(processesOf(name).length).toBeGreaterThan(0);
  } finally {
    await e.stop();
  }
  expect(processesOf(name)).toEqual([]);
}, 180_000);
