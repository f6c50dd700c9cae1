/**
 * The short chaos suite (`npm run chaos -- --short`) as a test, so `npm test` and CI run it: a
 * whole cluster on its own Redis and NATS, every service SIGKILLed in turn and NATS and Redis
 * restarted during a 100-completion Job and a 200-item MemQ lease workload. The suite program
 * makes every check itself (exact completions, every item acked, no acknowledged write lost,
 * services back within 5 s, no orphan process) and exits non-zero on any problem; this test
 * runs it and checks its verdict and its report; then the same on the highly available layout
 * (`--ha`: chaos/ha-faults.ts), its kubelet-agents on two simulated hosts, one lost and one
 * partitioned for 15 s.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { expect, it } from 'vitest';
import { ROOT } from '../../scripts/cluster.js';

interface Report {
  suite: string;
  ha: boolean;
  short: boolean;
  /** Per fault, ms from restart to back per service (the 5 s limit is checked by the suite itself). */
  faults: { fault: string; back: Record<string, number> }[];
  job: { completions: number; succeeded: number };
  memq: { items: number; finishedBy: { ok: number; ambiguous: number } };
  writes: { acknowledged: number; lost: number };
  orphans: number;
  problems: string[];
}

/** Run the suite program with `args`; its output and exit code. */
async function runSuite(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'chaos/chaos.ts'), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('close', (c) => resolve({ code: c ?? -1, out }));
  });
}

/** The suite's verdict and the checks every run must pass. */
function checkReport(code: number, out: string, faults: number): Report {
  console.log(out);
  const line = out.split('\n').find((l) => l.startsWith('{"suite":"chaos"'));
  expect(line, 'the suite printed its JSON report').toBeDefined();
  const r = JSON.parse(line!) as Report;
  expect(r.problems).toEqual([]);
  expect(code).toBe(0);
  expect(r.short).toBe(true);
  expect(r.faults.map((f) => f.fault)).toHaveLength(faults);
  expect(r.job.succeeded).toBe(r.job.completions);
  expect(r.memq.finishedBy.ok + r.memq.finishedBy.ambiguous).toBe(r.memq.items);
  expect(r.writes.acknowledged).toBeGreaterThan(0);
  expect(r.writes.lost).toBe(0);
  expect(r.orphans).toBe(0);
  return r;
}

it('chaos (short): exact completions, every MemQ item acked, no acknowledged write lost, every service back within 5 s, no orphans', async () => {
  const { code, out } = await runSuite(['--short']);
  checkReport(code, out, 7);
}, 600_000);

it('chaos on the HA layout (short): the Redis primary, a NATS server, an api-server, both leaders, a host lost and a host partitioned (agents on simulated hosts), with the same checks', async () => {
  const { code, out } = await runSuite(['--short', '--ha']);
  const r = checkReport(code, out, 7);
  expect(r.ha).toBe(true);
  expect(r.faults[0]!.fault).toMatch(/Redis primary/);
}, 600_000);
