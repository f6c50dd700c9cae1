import zlib from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';

/**
 * SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 with the 3.1 session flow control), the part
 * Kubernetes' streaming (k8s.io/apimachinery httpstream/spdy, moby/spdystream) uses.
 *
 * Control frame: `1 | version(15) | type(16) | flags(8) | length(24) | payload`.
 * Data frame:    `0 | stream id(31)           | flags(8) | length(24) | data`.
 * Header blocks (SYN_STREAM, SYN_REPLY, HEADERS) are `count(32)`, then per header
 * `len(32) name len(32) value` (several values NUL-separated, names lower case), zlib-compressed
 * with the SPDY/3 dictionary in ONE stream per direction per connection, each block ending with a
 * sync flush. So blocks must be compressed and decompressed in frame order: the encoder and
 * decoder are sequential (await each call before the next).
 */

/** Header names (lower case) → value; several values are NUL-separated, as on the wire. */
export type SpdyHeaders = Record<string, string>;

export type SpdyFrame =
  | { type: 'data'; streamId: number; fin: boolean; data: Buffer }
  | { type: 'syn_stream'; streamId: number; associatedTo: number; priority: number; fin: boolean; unidirectional: boolean; headers: SpdyHeaders }
  | { type: 'syn_reply'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'rst_stream'; streamId: number; status: number }
  | { type: 'settings'; entries: { flags: number; id: number; value: number }[] }
  | { type: 'ping'; id: number }
  | { type: 'goaway'; lastGoodStreamId: number; status: number }
  | { type: 'headers'; streamId: number; fin: boolean; headers: SpdyHeaders }
  | { type: 'window_update'; streamId: number; delta: number }
  /** A control frame type this module does not know (CREDENTIAL, or newer): skipped by sessions. */
  | { type: 'unknown'; frameType: number };

export const SPDY_VERSION = 3;
const TYPE = { syn_stream: 1, syn_reply: 2, rst_stream: 3, settings: 4, ping: 6, goaway: 7, headers: 8, window_update: 9 } as const;
const FLAG_FIN = 0x01;
const FLAG_UNIDIRECTIONAL = 0x02;
/** RST_STREAM status codes used here. */
export const RstStatus = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5, internalError: 6 } as const;
/** Frames larger than this are refused (the 24-bit length allows 16 MiB; nobody sends that). */
const MAX_FRAME = 1 << 24;
const MAX_HEADER_BLOCK = 256 * 1024;

/** A framing error: the session answers with GOAWAY (protocol error) and closes. */
export class SpdyProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

/** Runs zlib work in sequence on one stream, each piece ended with a sync flush. */
class ZlibContext {
  private readonly chunks: Buffer[] = [];
  private failed: Error | undefined;

  constructor(private readonly z: zlib.Deflate | zlib.Inflate) {
    z.on('data', (c: Buffer) => this.chunks.push(c));
    z.on('error', (e: Error) => (this.failed = e));
  }

  /** Feed `input`, sync-flush, and return everything the flush produced. */
  run(input: Buffer): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      // A corrupt block errors the stream and the flush callback never comes.
      const onError = (e: Error) => reject(e);
      this.z.once('error', onError);
      this.z.write(input);
      this.z.flush(zlib.constants.Z_SYNC_FLUSH, () => {
        this.z.off('error', onError);
        if (this.failed) return reject(this.failed);
        resolve(Buffer.concat(this.chunks.splice(0)));
      });
    });
  }

  close(): void {
    this.z.close();
  }
}

/** Encodes header blocks with one compression context (one direction of one connection). */
export class HeaderCompressor {
  private readonly z = new ZlibContext(zlib.createDeflate({ dictionary: SPDY3_DICTIONARY }));

  /** The compressed block of `headers`; calls must not overlap. */
  compress(headers: SpdyHeaders): Promise<Buffer> {
    return this.z.run(encodeHeaderBlock(headers));
  }

  close(): void {
    this.z.close();
  }
}

/** Decodes header blocks with one decompression context (the other direction). */
export class HeaderDecompressor {
  private readonly z = new ZlibContext(zlib.createInflate({ dictionary: SPDY3_DICTIONARY }));

  /** The headers of a compressed block; calls must not overlap. */
  async decompress(block: Buffer): Promise<SpdyHeaders> {
    let raw: Buffer;
    try {
      raw = await this.z.run(block);
    } catch (e) {
      throw new SpdyProtocolError(`header block: ${(e as Error).message}`);
    }
    return decodeHeaderBlock(raw);
  }

  close(): void {
    this.z.close();
  }
}

/** The uncompressed header block of `headers` (names lower-cased). */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const entries = Object.entries(headers);
  const parts: Buffer[] = [u32(entries.length)];
  for (const [name, value] of entries) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

/** Parse an uncompressed header block; repeated names join with NUL. */
export function decodeHeaderBlock(raw: Buffer): SpdyHeaders {
  if (raw.length > MAX_HEADER_BLOCK) throw new SpdyProtocolError('header block too large');
  const out: SpdyHeaders = {};
  let off = 0;
  const take = (n: number) => {
    if (off + n > raw.length) throw new SpdyProtocolError('truncated header block');
    const b = raw.subarray(off, off + n);
    off += n;
    return b;
  };
  const count = take(4).readUInt32BE(0);
  for (let i = 0; i < count; i++) {
    const name = take(take(4).readUInt32BE(0)).toString('utf8').toLowerCase();
    const value = take(take(4).readUInt32BE(0)).toString('utf8');
    out[name] = Object.hasOwn(out, name) ? `${out[name]}\0${value}` : value;
  }
  if (off !== raw.length) throw new SpdyProtocolError('trailing bytes in header block');
  return out;
}

/**
 * Turns a byte stream into frames. Bytes may come in any pieces (a WebSocket tunnel carries
 * whatever each Write of the Go client held). Call `push` in sequence, awaiting each.
 */
export class FrameDecoder {
  private buf: Buffer = Buffer.alloc(0);
  private readonly headers = new HeaderDecompressor();

  /** Add bytes; returns the frames they complete, in order. */
  async push(chunk: Buffer): Promise<SpdyFrame[]> {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: SpdyFrame[] = [];
    while (this.buf.length >= 8) {
      const length = this.buf.readUInt32BE(4) & 0xffffff;
      if (length >= MAX_FRAME) throw new SpdyProtocolError('frame too large');
      if (this.buf.length < 8 + length) break;
      const head = this.buf.subarray(0, 8);
      const payload = this.buf.subarray(8, 8 + length);
      this.buf = this.buf.subarray(8 + length);
      frames.push(await this.parse(head, payload));
    }
    return frames;
  }

  close(): void {
    this.headers.close();
  }

  private async parse(head: Buffer, p: Buffer): Promise<SpdyFrame> {
    const flags = head[4]!;
    if (!(head[0]! & 0x80)) return { type: 'data', streamId: head.readUInt32BE(0) & 0x7fffffff, fin: (flags & FLAG_FIN) !== 0, data: Buffer.from(p) };
    const version = head.readUInt16BE(0) & 0x7fff;
    if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
    const type = head.readUInt16BE(2);
    const need = (n: number) => {
      if (p.length < n) throw new SpdyProtocolError(`control frame ${type} too short`);
    };
    const id31 = (at: number) => p.readUInt32BE(at) & 0x7fffffff;
    const fin = (flags & FLAG_FIN) !== 0;
    switch (type) {
      case TYPE.syn_stream:
        need(10);
        return {
          type: 'syn_stream', streamId: id31(0), associatedTo: id31(4), priority: p[8]! >> 5, fin, unidirectional: (flags & FLAG_UNIDIRECTIONAL) !== 0,
          headers: await this.headers.decompress(p.subarray(10)),
        };
      case TYPE.syn_reply:
        need(4);
        return { type: 'syn_reply', streamId: id31(0), fin, headers: await this.headers.decompress(p.subarray(4)) };
      case TYPE.headers:
        need(4);
        return { type: 'headers', streamId: id31(0), fin, headers: await this.headers.decompress(p.subarray(4)) };
      case TYPE.rst_stream:
        need(8);
        return { type: 'rst_stream', streamId: id31(0), status: p.readUInt32BE(4) };
      case TYPE.settings: {
        need(4);
        const n = p.readUInt32BE(0);
        need(4 + n * 8);
        const entries = Array.from({ length: n }, (_, i) => ({ flags: p[4 + i * 8]!, id: p.readUInt32BE(4 + i * 8) & 0xffffff, value: p.readUInt32BE(8 + i * 8) }));
        return { type: 'settings', entries };
      }
      case TYPE.ping:
        need(4);
        return { type: 'ping', id: p.readUInt32BE(0) };
      case TYPE.goaway:
        need(8);
        return { type: 'goaway', lastGoodStreamId: id31(0), status: p.readUInt32BE(4) };
      case TYPE.window_update:
        need(8);
        return { type: 'window_update', streamId: id31(0), delta: p.readUInt32BE(4) & 0x7fffffff };
      default:
        return { type: 'unknown', frameType: type };
    }
  }
}

/** Turns frames into bytes. Call `encode` in sequence, awaiting each, and send in that order. */
export class FrameEncoder {
  private readonly headers = new HeaderCompressor();

  async encode(f: SpdyFrame): Promise<Buffer> {
    switch (f.type) {
      case 'data': {
        const head = Buffer.alloc(8);
        head.writeUInt32BE(f.streamId & 0x7fffffff, 0);
        head.writeUInt32BE(((f.fin ? FLAG_FIN : 0) << 24) | f.data.length, 4);
        return Buffer.concat([head, f.data]);
      }
      case 'syn_stream': {
        const fixed = Buffer.alloc(10);
        fixed.writeUInt32BE(f.streamId & 0x7fffffff, 0);
        fixed.writeUInt32BE(f.associatedTo & 0x7fffffff, 4);
        fixed[8] = (f.priority & 7) << 5;
        const flags = (f.fin ? FLAG_FIN : 0) | (f.unidirectional ? FLAG_UNIDIRECTIONAL : 0);
        return control(TYPE.syn_stream, flags, Buffer.concat([fixed, await this.headers.compress(f.headers)]));
      }
      case 'syn_reply':
      case 'headers':
        return control(TYPE[f.type], f.fin ? FLAG_FIN : 0, Buffer.concat([u32(f.streamId & 0x7fffffff), await this.headers.compress(f.headers)]));
      case 'rst_stream':
        return control(TYPE.rst_stream, 0, Buffer.concat([u32(f.streamId & 0x7fffffff), u32(f.status)]));
      case 'settings':
        return control(TYPE.settings, 0, Buffer.concat([u32(f.entries.length), ...f.entries.flatMap((e) => [u32(((e.flags & 0xff) << 24 | (e.id & 0xffffff)) >>> 0), u32(e.value)])]));
      case 'ping':
        return control(TYPE.ping, 0, u32(f.id));
      case 'goaway':
        return control(TYPE.goaway, 0, Buffer.concat([u32(f.lastGoodStreamId & 0x7fffffff), u32(f.status)]));
      case 'window_update':
        return control(TYPE.window_update, 0, Buffer.concat([u32(f.streamId & 0x7fffffff), u32(f.delta & 0x7fffffff)]));
      case 'unknown':
        throw new Error(`cannot encode frame type ${f.frameType}`);
    }
  }

  close(): void {
    this.headers.close();
  }
}

function control(type: number, flags: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
  return Buffer.concat([head, payload]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}
