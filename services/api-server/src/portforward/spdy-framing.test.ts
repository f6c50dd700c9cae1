import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SPDY3_DICTIONARY } from './spdy-dictionary.js';
import { FrameDecoder, FrameEncoder, HeaderCompressor, HeaderDecompressor, SpdyProtocolError, decodeHeaderBlock, encodeHeaderBlock, type SpdyFrame } from './spdy-framing.js';

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ''), 'hex');

describe('the SPDY/3 header dictionary', () => {
  it('is byte for byte the one Go\'s spdy package (moby/spdystream) uses', () => {
    expect(SPDY3_DICTIONARY.length).toBe(1423);
    expect(createHash('sha256').update(SPDY3_DICTIONARY).digest('hex')).toBe('51d27341373f923f3cd88e1eb7162aeaa3723d7585ff2399201dc06498407f02');
  });
});

describe('frame round trips', () => {
  const frames: [string, SpdyFrame][] = [
    ['data', { type: 'data', streamId: 3, fin: false, data: Buffer.from('GET / HTTP/1.1\r\n\r\n') }],
    ['data with FIN, empty', { type: 'data', streamId: 0x7fffffff, fin: true, data: Buffer.alloc(0) }],
    ['syn_stream', { type: 'syn_stream', streamId: 1, associatedTo: 0, priority: 0, fin: false, unidirectional: false, headers: { streamtype: 'error', port: '8080', requestid: '0' } }],
    ['syn_stream, fin + unidirectional + priority', { type: 'syn_stream', streamId: 5, associatedTo: 1, priority: 7, fin: true, unidirectional: true, headers: {} }],
    ['syn_reply', { type: 'syn_reply', streamId: 1, fin: false, headers: {} }],
    ['headers', { type: 'headers', streamId: 1, fin: true, headers: { 'x-a': 'one\0two' } }],
    ['rst_stream', { type: 'rst_stream', streamId: 7, status: 5 }],
    ['settings', { type: 'settings', entries: [{ flags: 1, id: 7, value: 65536 }, { flags: 0, id: 4, value: 100 }] }],
    ['ping', { type: 'ping', id: 0xffffffff }],
    ['goaway', { type: 'goaway', lastGoodStreamId: 9, status: 0 }],
    ['window_update', { type: 'window_update', streamId: 1, delta: 0x7fffffff }],
  ];
  it.each(frames)('%s', async (_name, frame) => {
    const enc = new FrameEncoder();
    const dec = new FrameDecoder();
    expect(await dec.push(await enc.encode(frame))).toEqual([frame]);
  });

  it('decodes a stream cut at every byte, several frames in order', async () => {
    const enc = new FrameEncoder();
    const dec = new FrameDecoder();
    const wire = Buffer.concat([
      await enc.encode(frames[2]![1]), await enc.encode(frames[0]![1]), await enc.encode(frames[8]![1]), await enc.encode(frames[3]![1]),
    ]);
    const got: SpdyFrame[] = [];
    for (let i = 0; i < wire.length; i++) got.push(...(await dec.push(wire.subarray(i, i + 1))));
    expect(got).toEqual([frames[2]![1], frames[0]![1], frames[8]![1], frames[3]![1]]);
  });
});

describe('wire layout (as Go\'s framer writes and reads it)', () => {
  it.each([
    ['ping 1', { type: 'ping', id: 1 }, '8003 0006 00000004 00000001'],
    ['rst_stream 3 cancel', { type: 'rst_stream', streamId: 3, status: 5 }, '8003 0003 00000008 00000003 00000005'],
    ['goaway 1 ok', { type: 'goaway', lastGoodStreamId: 1, status: 0 }, '8003 0007 00000008 00000001 00000000'],
    ['window_update', { type: 'window_update', streamId: 1, delta: 1024 }, '8003 0009 00000008 00000001 00000400'],
    ['data 1 "hi" FIN', { type: 'data', streamId: 1, fin: true, data: Buffer.from('hi') }, '00000001 01000002 6869'],
  ] as [string, SpdyFrame, string][])('%s', async (_n, frame, bytes) => {
    expect((await new FrameEncoder().encode(frame)).toString('hex')).toBe(hex(bytes).toString('hex'));
  });

  it('an uncompressed header block: count, then length-prefixed lower-case names and values', () => {
    expect(encodeHeaderBlock({ Port: '80' }).toString('hex')).toBe(hex('00000001 00000004 706f7274 00000002 3830').toString('hex'));
    expect(decodeHeaderBlock(hex('00000002 00000001 61 00000001 31 00000001 61 00000001 32'))).toEqual({ a: '1\x002' });
  });

  it('refuses a SPDY version other than 3 and truncated blocks', async () => {
    await expect(new FrameDecoder().push(hex('8002 0006 00000004 00000001'))).rejects.toBeInstanceOf(SpdyProtocolError);
    expect(() => decodeHeaderBlock(hex('00000001 00000009 61'))).toThrow(SpdyProtocolError);
  });
});

describe('header compression: one zlib context per direction', () => {
  const blocks = [
    { streamtype: 'error', port: '8080', requestid: '0' },
    { streamtype: 'data', port: '8080', requestid: '0' },
    { streamtype: 'error', port: '9090', requestid: '1' },
  ];

  it('blocks compressed in sequence decompress in sequence with one context', async () => {
    const c = new HeaderCompressor();
    const d = new HeaderDecompressor();
    const wire = [];
    for (const b of blocks) wire.push(await c.compress(b));
    // The later blocks refer back to the first: the shared context makes them smaller.
    expect(wire[1]!.length).toBeLessThan(wire[0]!.length);
    for (const [i, w] of wire.entries()) expect(await d.decompress(w)).toEqual(blocks[i]);
  });

  it('a later block cannot be read without the context of the earlier ones', async () => {
    const c = new HeaderCompressor();
    await c.compress(blocks[0]!);
    const second = await c.compress(blocks[1]!);
    await expect(new HeaderDecompressor().decompress(second)).rejects.toBeInstanceOf(SpdyProtocolError);
  });

  it('every block ends on a sync flush (00 00 ff ff), so the reader needs no later bytes', async () => {
    const c = new HeaderCompressor();
    for (const b of blocks) expect((await c.compress(b)).subarray(-4).toString('hex')).toBe('0000ffff');
  });

  it('frames carrying header blocks share the contexts across frames of one connection', async () => {
    const enc = new FrameEncoder();
    const dec = new FrameDecoder();
    for (const [i, headers] of blocks.entries()) {
      const f: SpdyFrame = { type: 'syn_stream', streamId: 2 * i + 1, associatedTo: 0, priority: 0, fin: false, unidirectional: false, headers };
      expect(await dec.push(await enc.encode(f))).toEqual([f]);
    }
  });
});
