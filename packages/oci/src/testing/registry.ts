// Test support (not exported by the package): a real CNCF Distribution registry on a free loopback
// port with its storage in a temp dir, removed by stop().
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A running docker-registry. */
export interface TestRegistry { url: string; root: string; pid: number; stop(): Promise<void> }

/** A free TCP port on 127.0.0.1 (closed again before returning; good enough for tests). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Starts `docker-registry` with filesystem storage; `extraConfig` is appended to its YAML config. */
export async function startRegistry(extraConfig = ''): Promise<TestRegistry> {
  const root = await mkdtemp(join(tmpdir(), 'kjobs-oci-registry-'));
  const port = await freePort();
  const config = join(root, 'config.yml');
  await writeFile(config, [
    'version: 0.1', 'log:', '  level: warn', 'storage:', '  filesystem:', `    rootdirectory: ${join(root, 'data')}`,
    '  delete:', '    enabled: true', 'http:', `  addr: 127.0.0.1:${port}`, extraConfig,
  ].join('\n'));
  const child: ChildProcess = spawn('docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => { stderr += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
    await rm(root, { recursive: true, force: true });
  };
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    const ok = await fetch(`${url}/v2/`).then((r) => r.status === 200 || r.status === 401, () => false);
    if (ok) return { url, root: join(root, 'data'), pid: child.pid!, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  await stop();
  throw new Error(`docker-registry did not start: ${stderr}`);
}
