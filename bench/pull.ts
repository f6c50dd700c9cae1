/**
 * `npm run bench -- pull`: a cold pull of a ~50 MB image (two gzip layers: 40 MiB of random
 * bytes and 24 MiB of text) from a local CNCF Distribution registry into an empty kjobs image
 * store — manifest, blobs verified, layers unpacked — beside `skopeo copy` of the same image to an
 * OCI layout directory (download and verify only, no unpacking) and `skopeo copy` + `umoci
 * unpack`, measured in the same run, interleaved, BENCH_PULL_ROUNDS (3) times; medians reported.
 * kjobs pulls twice per round: as configured by default (layers unpacked in worker threads where
 * there are two cores) and with every layer unpacked on the main thread (`unpackWorkers: 0`), the
 * way it was before the workers.
 * Beside each wall time, the CPU it took: kjobs' (this process, and its main thread alone),
 * skopeo's (its own children's times) and the registry's while serving each side.
 * Target: kjobs' cold pull at least as fast as `skopeo copy` (ratio ≥ 1).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { pack } from 'tar-stream';
import { ImageStore, defaultUnpackWorkers, pushImage } from '@kjobs/oci';
import { startRegistry } from '@kjobs/oci/testing';
import { machine, printTable } from './support/util.js';

const run = promisify(execFile);
const ROUNDS = Number(process.env.BENCH_PULL_ROUNDS ?? 3);

/** One uncompressed layer tar holding `files`. */
async function layerTar(files: Record<string, Buffer>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((r) => p.on('end', () => r()));
  p.entry({ name: 'data/', type: 'directory', mode: 0o755 });
  for (const [name, body] of Object.entries(files)) p.entry({ name, mode: 0o644 }, body);
  p.finalize();
  await done;
  return Buffer.concat(chunks);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** CPU ms (user + system) of a process or thread so far, from /proc (clock ticks of 10 ms). */
function procCpuMs(stat: string): number {
  const f = readFileSync(stat, 'utf8').split(') ')[1]!.split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

/** One measured run: wall ms, CPU ms of what ran (`cpu` returns it) and of the registry meanwhile. */
interface Sample { ms: number; cpu: number; mainCpu?: number; registryCpu: number }

async function timed(registryPid: number, fn: () => Promise<number | undefined>): Promise<Sample> {
  const registry = `/proc/${registryPid}/stat`;
  const main = `/proc/self/task/${process.pid}/stat`;
  const [r0, m0, c0, t0] = [procCpuMs(registry), procCpuMs(main), process.cpuUsage(), performance.now()];
  const childCpu = await fn();
  const ms = performance.now() - t0;
  const c = process.cpuUsage(c0);
  const registryCpu = procCpuMs(registry) - r0;
  if (childCpu !== undefined) return { ms, cpu: childCpu, registryCpu };
  return { ms, cpu: (c.user + c.system) / 1000, mainCpu: procCpuMs(main) - m0, registryCpu };
}

/** Runs a command and returns its children's CPU ms (user + system), from the shell's `times`. */
async function runTimed(cmd: string, args: string[]): Promise<number> {
  const { stdout } = await run('sh', ['-c', '"$@" && times', 'sh', cmd, ...args]);
  const children = stdout.trim().split('\n').at(-1)!.split(' ');
  const seconds = (t: string): number => { const m = /^(\d+)m([\d.]+)s$/.exec(t); return m ? Number(m[1]) * 60 + Number(m[2]) : NaN; };
  return (seconds(children[0]!) + seconds(children[1]!)) * 1000;
}

export async function run_(): Promise<void> {
  const reg = await startRegistry();
  const work = mkdtempSync(path.join(os.tmpdir(), 'kjobs-bench-pull-'));
  try {
    const text = Buffer.from(Array.from({ length: 400_000 }, (_, i) => `line ${i} of a text file that compresses like source code or logs do\n`).join(''));
    const tars = [await layerTar({ 'data/random.bin': randomBytes(40 * 1024 * 1024) }), await layerTar({ 'data/text.txt': text })];
    const layers = tars.map((t) => gzipSync(t, { level: 6 }));
    const { createHash } = await import('node:crypto');
    const config = Buffer.from(JSON.stringify({
      architecture: 'amd64', os: 'linux', config: { Cmd: ['/bin/true'] },
      rootfs: { type: 'layers', diff_ids: tars.map((t) => `sha256:${createHash('sha256').update(t).digest('hex')}`) },
    }));
    await pushImage(reg.url, 'bench/big', 'v1', { config, layers: layers.map((data) => ({ data, mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' })) });
    const host = new URL(reg.url).host;
    const ref = `${host}/bench/big:v1`;
    const compressed = layers.reduce((a, l) => a + l.length, 0) + config.length;
    const kjobs: Sample[] = [];
    const kjobsMain: Sample[] = [];
    const skopeo: Sample[] = [];
    const skopeoUnpack: Sample[] = [];
    const copy = (dir: string): string[] => ['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `oci:${dir}:v1`];
    for (let i = 0; i < ROUNDS; i++) {
      const store = path.join(work, `store-${i}`);
      kjobs.push(await timed(reg.pid, async () => { await new ImageStore({ root: store }).pull(ref); return undefined; }));
      rmSync(store, { recursive: true, force: true });
      kjobsMain.push(await timed(reg.pid, async () => { await new ImageStore({ root: store, unpackWorkers: 0 }).pull(ref); return undefined; }));
      const dir = path.join(work, `skopeo-${i}`);
      skopeo.push(await timed(reg.pid, () => runTimed('skopeo', copy(dir))));
      const dir2 = path.join(work, `umoci-${i}`);
      skopeoUnpack.push(await timed(reg.pid, async () =>
        (await runTimed('skopeo', copy(dir2))) + (await runTimed('umoci', ['unpack', '--image', `${dir2}:v1`, path.join(work, `bundle-${i}`)]))));
      for (const d of [store, dir, dir2, path.join(work, `bundle-${i}`)]) rmSync(d, { recursive: true, force: true });
    }
    const med = (xs: Sample[], key: keyof Sample): number => median(xs.map((x) => x[key] ?? NaN));
    const k = med(kjobs, 'ms');
    const km = med(kjobsMain, 'ms');
    const s = med(skopeo, 'ms');
    const su = med(skopeoUnpack, 'ms');
    console.log(`pull benchmark — cold pull of a ${(compressed / 1e6).toFixed(1)} MB image (2 gzip layers) from a local docker-registry, ${ROUNDS} rounds interleaved, medians; load average ${os.loadavg()[0]!.toFixed(1)}`);
    printTable([
      ['what', 'ms', 'MB/s', 'CPU ms', 'registry CPU ms', 'ratio (floor / kjobs)', 'target', 'met'],
      [`kjobs ImageStore.pull (fetch, verify, unpack; ${defaultUnpackWorkers()} unpack workers)`, k, compressed / 1e3 / k, `${Math.round(med(kjobs, 'cpu'))} (main thread ${Math.round(med(kjobs, 'mainCpu'))})`, med(kjobs, 'registryCpu'), '', '', ''],
      ['kjobs, unpacking on the main thread (unpackWorkers: 0)', km, compressed / 1e3 / km, `${Math.round(med(kjobsMain, 'cpu'))} (main thread ${Math.round(med(kjobsMain, 'mainCpu'))})`, med(kjobsMain, 'registryCpu'), s / km, '', ''],
      ['skopeo copy → OCI layout (fetch, verify)', s, compressed / 1e3 / s, Math.round(med(skopeo, 'cpu')), med(skopeo, 'registryCpu'), s / k, '>= 1', s / k >= 1 ? 'yes' : 'NO'],
      ['skopeo copy + umoci unpack', su, compressed / 1e3 / su, Math.round(med(skopeoUnpack, 'cpu')), med(skopeoUnpack, 'registryCpu'), su / k, '', ''],
    ]);
    const summary = (xs: Sample[]): object => ({
      median: Math.round(med(xs, 'ms')), all: xs.map((x) => Math.round(x.ms)),
      cpu_ms: { median: Math.round(med(xs, 'cpu')), all: xs.map((x) => Math.round(x.cpu)) }, registry_cpu_ms: Math.round(med(xs, 'registryCpu')),
    });
    console.log(JSON.stringify({
      bench: 'pull', machine: machine(), load_average: os.loadavg()[0], image_bytes: compressed, rounds: ROUNDS,
      unpack_workers: defaultUnpackWorkers(),
      kjobs_ms: { ...summary(kjobs), main_thread_cpu_ms: Math.round(med(kjobs, 'mainCpu')) },
      kjobs_main_thread_unpack_ms: { ...summary(kjobsMain), main_thread_cpu_ms: Math.round(med(kjobsMain, 'mainCpu')) },
      skopeo_copy_ms: summary(skopeo), skopeo_copy_umoci_unpack_ms: summary(skopeoUnpack),
      ratio_skopeo_over_kjobs: Math.round((s / k) * 100) / 100, target: 1, met: s / k >= 1,
    }));
  } finally {
    await reg.stop();
    rmSync(work, { recursive: true, force: true });
  }
}

export { run_ as run };
