/**
 * Each service's main as a real process: a bad setting is one line on stderr naming it and exit
 * code 2 before anything is opened; `--help` lists every variable the service declares.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/cluster.js';
import { SERVICE_SETTINGS } from '../../scripts/config-docs.js';

interface Exit {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runMain(service: string, args: string[], env: Record<string, string>): Promise<Exit> {
  const dir = service === 'memq' ? 'memq' : service;
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'services', dir, 'src', 'main.ts'), ...args], {
      cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

// One number variable per service.
const NUMBER_VARIABLE: Record<string, string> = {
  'api-server': 'KJOBS_EVENT_TTL_SECONDS',
  scheduler: 'KJOBS_SCHEDULER_WORKERS',
  'job-controller': 'KJOBS_NODE_CIDR_MASK_SIZE',
  'kubelet-agent': 'KJOBS_NODE_PODS',
  memq: 'MEMQ_WORKERS',
};

describe.each(SERVICE_SETTINGS.map((s) => [s.service, s] as const))('%s', (service, spec) => {
  it('exits 2 with one line naming a variable that is not a number', async () => {
    const name = NUMBER_VARIABLE[service]!;
    expect(Object.values(spec.settings).map((s) => s.env)).toContain(name);
    const r = await runMain(service, [], { [name]: 'notanumber' });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^${service}: ${name}="notanumber" is not an? [^\\n]+\\n$`));
  });

  it('--help lists every variable it reads and exits 0', async () => {
    const r = await runMain(service, ['--help'], {});
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`${service}: `)).toBe(true);
    for (const s of Object.values(spec.settings)) {
      expect(r.stdout).toContain(s.env);
      if (s.flag) expect(r.stdout).toContain(`--${s.flag}`);
    }
  });
});
