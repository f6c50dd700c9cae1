import { EventEmitter } from 'node:events';
import { FrameDecoder, FrameEncoder, RstStatus, type SpdyFrame, type SpdyHeaders } from './spdy-framing.js';

/** Where a session's bytes go: a raw upgraded socket, or a WebSocket tunnel (binary messages). */
export interface SpdyTransport {
  write(bytes: Buffer): void;
  /** Bytes written but not yet sent on (WebSocket bufferedAmount, socket writableLength). */
  buffered(): number;
  /** Close the connection (the owner then calls `session.closed()`). */
  close(): void;
}

/** DATA frames are cut to this size. */
const MAX_DATA = 32 * 1024;
/** After the client's GOAWAY, how long open streams may still run before the connection closes. */
const GOAWAY_GRACE_MS = 2_000;
const GOAWAY_PROTOCOL_ERROR = 1;

/**
 * One stream the client opened (SYN_STREAM). Events: `data` (Buffer), `end` (the client's FIN),
 * `reset` (RST_STREAM, or the connection ended). Answer it with `reply()` before writing.
 */
export class SpdyStream extends EventEmitter {
  /** We sent FIN (or RST). */
  localDone = false;
  /** The client sent FIN (or RST). */
  remoteDone = false;

  constructor(private readonly session: SpdySession, readonly id: number, readonly headers: SpdyHeaders) {
    super();
  }

  /** SYN_REPLY with no headers, as the kubelet answers. */
  reply(): void {
    this.session.send({ type: 'syn_reply', streamId: this.id, fin: false, headers: {} });
  }

  write(data: Buffer): void {
    if (this.localDone) return;
    for (let i = 0; i < data.length; i += MAX_DATA) this.session.send({ type: 'data', streamId: this.id, fin: false, data: data.subarray(i, i + MAX_DATA) });
  }

  /** Half-close: an empty DATA frame with FIN. */
  end(): void {
    if (this.localDone) return;
    this.localDone = true;
    this.session.send({ type: 'data', streamId: this.id, fin: true, data: Buffer.alloc(0) });
    this.session.settle(this);
  }

  reset(status: number = RstStatus.cancel): void {
    if (this.localDone && this.remoteDone) return;
    this.localDone = this.remoteDone = true;
    this.session.send({ type: 'rst_stream', streamId: this.id, status });
    this.session.settle(this);
    this.emit('reset');
  }
}

/**
 * The server side of a SPDY/3.1 connection as Kubernetes' streaming clients use it: the client
 * opens streams, the server answers them; PINGs are echoed; the client's GOAWAY closes the
 * connection once its streams are done. No flow control is enforced in either direction: the
 * Go client (moby/spdystream) neither sends nor honours WINDOW_UPDATE.
 * Does, per received chunk: 1. decode frames in order (header blocks share one zlib context),
 * 2. dispatch each. Everything sent goes through one ordered queue, so a SYN_REPLY always
 * precedes the stream's DATA and header blocks are compressed in the order they are sent.
 */
export class SpdySession {
  private readonly decoder = new FrameDecoder();
  private readonly encoder = new FrameEncoder();
  private readonly streams = new Map<number, SpdyStream>();
  private reading: Promise<void> = Promise.resolve();
  private writing: Promise<void> = Promise.resolve();
  private lastStreamId = 0;
  private goneAway = false;
  private ended = false;
  private goAwayTimer: NodeJS.Timeout | undefined;
  /** Bytes of DATA queued for encoding and not yet handed to the transport. */
  private queued = 0;

  constructor(
    private readonly transport: SpdyTransport,
    private readonly onStream: (s: SpdyStream) => void,
    private readonly onError: (e: Error) => void = () => undefined,
  ) {}

  /** Bytes from the client, in any pieces. */
  receive(chunk: Buffer): void {
    this.reading = this.reading.then(async () => {
      if (this.ended) return;
      try {
        for (const f of await this.decoder.push(chunk)) this.dispatch(f);
      } catch (e) {
        this.onError(e as Error);
        this.send({ type: 'goaway', lastGoodStreamId: this.lastStreamId, status: GOAWAY_PROTOCOL_ERROR });
        this.close();
      }
    });
  }

  /**
   * Bytes sent but not yet on the wire: writers of bulk data (a pod's output) pause above a limit,
   * as the client does not do SPDY flow control and nothing else would hold them back.
   */
  buffered(): number {
    return this.queued + this.transport.buffered();
  }

  /** Queue a frame; sent in call order. */
  send(f: SpdyFrame): void {
    if (this.ended) return;
    const size = f.type === 'data' ? f.data.length : 0;
    this.queued += size;
    this.writing = this.writing.then(async () => {
      this.queued -= size;
      if (this.ended) return;
      this.transport.write(await this.encoder.encode(f));
    }).catch((e: Error) => {
      this.onError(e);
      this.close();
    });
  }

  /** Close the connection after what is queued has been written. */
  close(): void {
    void this.writing.then(() => this.transport.close());
  }

  /** The transport ended: every stream is reset, the zlib contexts freed. */
  closed(): void {
    if (this.ended) return;
    this.ended = true;
    clearTimeout(this.goAwayTimer);
    for (const s of this.streams.values()) {
      s.localDone = s.remoteDone = true;
      s.emit('reset');
    }
    this.streams.clear();
    this.decoder.close();
    this.encoder.close();
  }

  /** Forget a stream once both sides are done; after a GOAWAY, close once we have sent all we had. */
  settle(s: SpdyStream): void {
    if (s.localDone && s.remoteDone) this.streams.delete(s.id);
    if (this.goneAway && this.sending() === 0) this.close();
  }

  /** Streams we still write to. */
  private sending(): number {
    let n = 0;
    for (const s of this.streams.values()) if (!s.localDone) n++;
    return n;
  }

  private dispatch(f: SpdyFrame): void {
    switch (f.type) {
      case 'syn_stream': {
        // Client streams are odd and increasing (SPDY/3 §2.3.2).
        if (f.streamId % 2 === 0 || f.streamId <= this.lastStreamId || this.goneAway) {
          this.send({ type: 'rst_stream', streamId: f.streamId, status: RstStatus.protocolError });
          return;
        }
        this.lastStreamId = f.streamId;
        const s = new SpdyStream(this, f.streamId, f.headers);
        this.streams.set(s.id, s);
        this.onStream(s);
        if (f.fin) this.remoteEnd(s);
        return;
      }
      case 'data': {
        const s = this.streams.get(f.streamId);
        if (!s || s.remoteDone) return;
        if (f.data.length) s.emit('data', f.data);
        if (f.fin) this.remoteEnd(s);
        return;
      }
      case 'rst_stream': {
        const s = this.streams.get(f.streamId);
        if (!s) return;
        s.localDone = s.remoteDone = true;
        this.settle(s);
        s.emit('reset');
        return;
      }
      case 'ping':
        // Echo the client's (odd) pings; an even id would be an answer to ours (we send none).
        if (f.id % 2 === 1) this.send(f);
        return;
      case 'goaway':
        // The client sends no more streams; the ones we still write to get a grace period.
        this.goneAway = true;
        if (this.sending() === 0) this.close();
        else this.goAwayTimer ??= setTimeout(() => this.close(), GOAWAY_GRACE_MS);
        return;
      case 'headers': {
        const s = this.streams.get(f.streamId);
        if (s && f.fin) this.remoteEnd(s);
        return;
      }
      default:
        // SETTINGS, WINDOW_UPDATE, SYN_REPLY (we open no streams), unknown types: nothing to do.
        return;
    }
  }

  private remoteEnd(s: SpdyStream): void {
    if (s.remoteDone) return;
    s.remoteDone = true;
    s.emit('end');
    this.settle(s);
  }
}
