// The local registry of `npm start` and the test clusters (scripts/registry.ts) against the real
// docker-registry: started, seeded with kjobs' images, re-seeded as a no-op, stopped without a
// trace; and its fallbacks (no binary, KJOBS_LOCAL_REGISTRY=off, a user's mirrors file).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clusterServices } from '../../scripts/cluster.js';
import { bundleKuardForImage } from '../../scripts/images.js';
import { startLocalRegistry } from '../../scripts/registry.js';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'kjobs-registry-'));
const cacheDir = path.join(tmp, 'cache');
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const hasRegistry = spawnSync('sh', ['-c', 'command -v docker-registry']).status === 0;
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('local registry', () => {
  it.skipIf(!hasRegistry)('starts, is seeded with kuard and busybox, re-seeds as a no-op, and stops without a trace', async () => {
    const home = path.join(tmp, 'home');
    const reg = await startLocalRegistry({ home, port: 0, cacheDir });
    let stopped = false;
    try {
      expect(reg.kind).toBe('registry');
      expect(readFileSync(reg.registriesFile, 'utf8')).toContain(`- "${reg.url}"`);
      expect(readFileSync(reg.registriesFile, 'utf8')).toMatch(/"gcr\.io":[\s\S]*"docker\.io":/);
      const seed = await reg.seeded;
      expect(seed.errors).toEqual([]);
      const blue = seed.pushed.find((p) => p.ref === 'gcr.io/kuar-demo/kuard-amd64:blue')!;
      expect(blue.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const res = await fetch(`${reg.url}/v2/kuar-demo/kuard-amd64/manifests/blue`, { headers: { Accept: OCI_MANIFEST } });
      expect(res.status).toBe(200);
      expect(res.headers.get('docker-content-digest')).toBe(blue.digest);
      expect(res.headers.get('content-type')).toBe(OCI_MANIFEST);
      // The pushed manifest is the layout's: a pull by digest from either source sees the same image.
      const index = JSON.parse(readFileSync(path.join(reg.layoutDir!, 'index.json'), 'utf8')) as { manifests: { digest: string }[] };
      expect(index.manifests.map((m) => m.digest)).toContain(blue.digest);
      const green = await fetch(`${reg.url}/v2/kuar-demo/kuard-amd64/manifests/green`, { method: 'HEAD', headers: { Accept: OCI_MANIFEST } });
      expect(green.headers.get('docker-content-digest')).toBe(blue.digest);
      await reg.stop();
      stopped = true;
      expect(isAlive(reg.pid!)).toBe(false);
      expect(readdirSync(home).sort()).toEqual(['logs', 'registries.yaml', 'registry']);

      // A second start on the same home finds every tag in place: nothing to push.
      const again = await startLocalRegistry({ home, port: 0, cacheDir });
      try {
        const reseed = await again.seeded;
        expect(reseed.errors).toEqual([]);
        expect(reseed.pushed).toEqual(seed.pushed);
      } finally {
        await again.stop();
      }
      expect(isAlive(again.pid!)).toBe(false);
    } finally {
      if (!stopped) await reg.stop();
    }
  });

  it('points the mirrors at the image layout when no registry can start (the air-gap path)', async () => {
    const home = path.join(tmp, 'home-nobin');
    const reg = await startLocalRegistry({ home, port: 0, cacheDir, binary: path.join(tmp, 'no-such-registry') });
    expect(reg.kind).toBe('layout');
    const yaml = readFileSync(reg.registriesFile, 'utf8');
    expect(yaml).toContain(`- "file://${reg.layoutDir}"`);
    expect(existsSync(path.join(reg.layoutDir!, 'index.json'))).toBe(true);
    expect(reg.summary).toMatch(/air-gap/);
    const off = await startLocalRegistry({ home: path.join(tmp, 'home-off'), port: 0, cacheDir, mode: 'off' });
    expect(off.kind).toBe('layout');
    expect(off.pid).toBeUndefined();
  });

  it("uses a user's mirrors file as is with KJOBS_LOCAL_REGISTRY=off, building and starting nothing", async () => {
    const file = path.join(tmp, 'mine.yaml');
    writeFileSync(file, 'mirrors: {}\n');
    const userCache = path.join(tmp, 'unused-cache');
    const reg = await startLocalRegistry({ home: path.join(tmp, 'home-user'), mode: 'off', registriesFile: file, cacheDir: userCache });
    expect(reg).toMatchObject({ kind: 'user', registriesFile: file });
    expect(existsSync(userCache)).toBe(false);
    const specs = clusterServices({ home: path.join(tmp, 'home-user'), redisUrl: 'redis://x', natsUrl: 'nats://x', registriesFile: file });
    const agents = specs.filter((s) => s.name.startsWith('kubelet-agent-'));
    expect(agents.map((a) => a.env.KJOBS_REGISTRIES_FILE)).toEqual([file, file]);
  });

  it('gives every kubelet-agent the generated mirrors file', () => {
    const home = path.join(tmp, 'home-specs');
    const specs = clusterServices({ home, redisUrl: 'redis://x', natsUrl: 'nats://x', nodes: 3 });
    const files = specs.filter((s) => s.name.startsWith('kubelet-agent-')).map((a) => a.env.KJOBS_REGISTRIES_FILE);
    expect(files).toEqual(Array(3).fill(path.join(home, 'registries.yaml')));
    expect(specs.find((s) => s.name === 'api-server')!.env.KJOBS_REGISTRIES_FILE).toBeUndefined();
  });

  it("the image's kuard bundle runs alone: no node_modules, an empty environment", () => {
    const dir = path.join(tmp, 'alone');
    execFileSync('mkdir', ['-p', dir]);
    writeFileSync(path.join(dir, 'kuard'), bundleKuardForImage(), { mode: 0o755 });
    const help = spawnSync(process.execPath, [path.join(dir, 'kuard'), '--help'], { cwd: dir, env: {}, encoding: 'utf8' });
    expect(help.status).toBe(0);
    expect(help.stderr).toMatch(/^Usage of \/kuard:/);
    const keygen = spawnSync(process.execPath, [path.join(dir, 'kuard'), '--keygen-enable', '--keygen-exit-on-complete', '--keygen-num-to-gen=1', '--keygen-key-bits=512', '--address=127.0.0.1:0'], { cwd: dir, env: {}, encoding: 'utf8', timeout: 30_000 });
    expect(keygen.status).toBe(0);
    expect(keygen.stderr).toMatch(/Item done: SHA256:/);
  });
});
