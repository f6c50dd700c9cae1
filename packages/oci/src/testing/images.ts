// Test support (not exported by the package): builds layer tarballs and image configs in memory.
import { gzipSync } from 'node:zlib';
import { pack, type Header } from 'tar-stream';
import { sha256Digest } from '../digest.js';
import { OCI_LAYER_GZIP } from '../media-types.js';

/** One tar entry: tar-stream headers plus an optional file body. */
export type TarEntry = Partial<Header> & { name: string; body?: string | Buffer };

/** An uncompressed tar of the entries, in order. */
export async function makeTar(entries: TarEntry[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    p.on('data', (c: unknown) => { chunks.push(c as Buffer); });
    p.on('end', () => resolve(Buffer.concat(chunks)));
    p.on('error', reject);
  });
  for (const { body, ...header } of entries) {
    await new Promise<void>((resolve, reject) => {
      const h = { mtime: new Date(1_600_000_000_000), mode: header.type === 'directory' ? 0o755 : 0o644, ...header };
      const cb = (err?: Error | null): void => (err ? reject(err) : resolve());
      if (body !== undefined || header.type === undefined || header.type === 'file') p.entry(h, body ?? '', cb);
      else p.entry(h, cb);
    });
  }
  p.finalize();
  return done;
}

/** A gzip layer of the entries with the diff_id (sha256 of the uncompressed tar) a config records. */
export async function makeLayer(entries: TarEntry[]): Promise<{ data: Buffer; mediaType: string; diffId: string }> {
  const tar = await makeTar(entries);
  return { data: gzipSync(tar), mediaType: OCI_LAYER_GZIP, diffId: sha256Digest(tar) };
}

/** An OCI image config for the layers, with the given container config. */
export function makeConfig(layers: { diffId: string }[], config: object = { Cmd: ['/bin/sh'] }, arch = 'amd64'): Buffer {
  return Buffer.from(JSON.stringify({
    architecture: arch, os: 'linux', config,
    rootfs: { type: 'layers', diff_ids: layers.map((l) => l.diffId) },
  }));
}
