// The unpack worker: a worker thread that gunzips, hashes and writes layers (openUnpack) whose
// blob bytes the main thread sends it in transferred buffers, so a pull's second core does the
// diff_id hashing, the tar parsing and the garbage of zlib's output instead of waiting for the
// main thread (docs/benchmarks.md "Tenth session"). Started by unpack-workers.ts; the messages
// are in unpack-protocol.ts.
import { parentPort } from 'node:worker_threads';
import type { Writable } from 'node:stream';
import { UnsafeLayerEntryError } from './errors.js';
import type { FromWorker, ToWorker, WorkerError } from './unpack-protocol.js';
import { openUnpack, type Logger } from './unpack-layer.js';

const port = parentPort;
if (!port) throw new Error('unpack-worker.ts runs as a worker thread (unpack-workers.ts starts it)');

interface Layer { input: Writable; abort: AbortController; copy: boolean }
const layers = new Map<number, Layer>();

const post = (m: FromWorker, transfer?: ArrayBuffer[]): void => port.postMessage(m, transfer);

function logger(id: number): Logger {
  const line = (level: 'debug' | 'info' | 'warn') => (obj: object, msg?: string): void => post({ type: 'log', id, level, obj, msg });
  return { debug: line('debug'), info: line('info'), warn: line('warn') };
}

function describe(err: unknown): WorkerError {
  if (err instanceof UnsafeLayerEntryError) return { name: err.name, message: err.message, entry: err.entry, reason: err.reason };
  const e = err as Error & { code?: string };
  return { name: e?.name ?? 'Error', message: e?.message ?? String(err), ...(e?.code ? { code: e.code } : {}) };
}

port.on('message', (m: ToWorker) => {
  switch (m.type) {
    case 'start': {
      const abort = new AbortController();
      const { input, done } = openUnpack(m.dir, { compression: m.compression, log: logger(m.id), signal: abort.signal });
      // Gunzip has consumed a chunk when its write calls back; the uncompressed path passes chunks
      // on by reference, so those are copied before the buffer goes back.
      layers.set(m.id, { input, abort, copy: m.compression !== 'gzip' });
      // Stopped by the main thread: its reason, not how the streams happened to end.
      const failed = (err: unknown): void => post({ type: 'failed', id: m.id, error: describe(abort.signal.aborted ? abort.signal.reason : err) });
      done.then(({ diffId }) => post({ type: 'done', id: m.id, diffId }), failed)
        .finally(() => layers.delete(m.id));
      return;
    }
    case 'chunk': {
      const layer = layers.get(m.id);
      const giveBack = (): void => post({ type: 'ack', id: m.id, buffer: m.buffer }, [m.buffer]);
      if (!layer || layer.input.destroyed) return giveBack();
      const view = Buffer.from(m.buffer, 0, m.length);
      if (layer.copy) {
        layer.input.write(Buffer.from(view));
        return giveBack();
      }
      layer.input.write(view, () => giveBack());
      return;
    }
    case 'end':
      layers.get(m.id)?.input.end();
      return;
    case 'abort': {
      const layer = layers.get(m.id);
      if (!layer) return;
      const err = new Error(m.message);
      layer.abort.abort(err);
      layer.input.destroy(err);
      return;
    }
  }
});
