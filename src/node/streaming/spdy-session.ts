// The server side of a SPDY/3.1 connection: accepts client-opened streams and exposes each as a Duplex. Transport
// agnostic: bytes come in through `feed` and go out through the `write` callback (a raw socket, or WebSocket
// messages for SPDY/3.1+portforward.k8s.io). Flow control is not enforced, as in Go's spdystream.
import { EventEmitter } from 'node:events';
import { Duplex } from 'node:stream';
import {
  encodeData, encodeGoAway, encodePing, encodeRstStream, encodeSynReply, FLAG_FIN, FRAME, parseStreamIdAndCode, parseSynReply, parseSynStream, RST, SpdyFrameReader,
} from './spdy-frame.ts';
import type { HeaderMap, SpdyFrame } from './spdy-frame.ts';
import { HeaderCompressor, HeaderDecompressor } from './spdy-zlib.ts';

const MAX_DATA_FRAME = 32 * 1024;

interface StreamSink {
  send(frame: Buffer, done: () => void): void;
  compress(headers: HeaderMap): Buffer;
}

/** One SPDY stream opened by the client. Readable: the client's DATA; writable: our DATA (end() sends FIN). */
export class SpdyStream extends Duplex {
  readonly id: number;
  readonly headers: HeaderMap;
  #sink: StreamSink;
  #isReplied = false;
  #isReset = false;

  constructor(id: number, headers: HeaderMap, sink: StreamSink) {
    super({ allowHalfOpen: true });
    this.id = id;
    this.headers = headers;
    this.#sink = sink;
  }

  get isReset(): boolean {
    return this.#isReset;
  }

  /** Sends SYN_REPLY (once). */
  reply(headers: HeaderMap = {}): void {
    if (this.#isReplied || this.#isReset) return;
    this.#isReplied = true;
    this.#sink.send(encodeSynReply(this.id, this.#sink.compress(headers)), () => {});
  }

  /** Aborts the stream with RST_STREAM. */
  reset(status: number = RST.cancel): void {
    if (this.#isReset) return;
    this.#isReset = true;
    this.#sink.send(encodeRstStream(this.id, status), () => {});
    this.destroy();
  }

  /** The peer reset the stream. */
  onReset(): void {
    this.#isReset = true;
    this.destroy();
  }

  override _read(): void {}

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    if (this.#isReset) return callback();
    this.reply();
    for (let at = 0; at < chunk.length; at += MAX_DATA_FRAME) {
      const isLast = at + MAX_DATA_FRAME >= chunk.length;
      this.#sink.send(encodeData(this.id, chunk.subarray(at, at + MAX_DATA_FRAME)), isLast ? () => callback() : () => {});
    }
    if (chunk.length === 0) callback();
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.#isReset) return callback();
    this.reply();
    this.#sink.send(encodeData(this.id, Buffer.alloc(0), FLAG_FIN), () => callback());
  }
}

export interface SpdySessionEvents {
  stream: [stream: SpdyStream];
  error: [error: Error];
}

export class SpdySession extends EventEmitter<SpdySessionEvents> {
  #reader = new SpdyFrameReader();
  #inflater = new HeaderDecompressor();
  #deflater = new HeaderCompressor();
  #streams = new Map<number, SpdyStream>();
  #write: (frame: Buffer) => boolean;
  #waiting: (() => void)[] = [];
  #lastStreamId = 0;
  #isGoingAway = false;
  #isDestroyed = false;

  /** `write` returns false when the transport is full; call `drained()` when it empties. */
  constructor(options: { write: (frame: Buffer) => boolean }) {
    super();
    this.#write = options.write;
  }

  get streamCount(): number {
    return this.#streams.size;
  }

  /** Bytes from the peer. A protocol error ends the session with GOAWAY and emits `error`. */
  feed(chunk: Buffer): void {
    if (this.#isDestroyed) return;
    try {
      for (const frame of this.#reader.push(chunk)) this.#onFrame(frame);
    } catch (e) {
      this.#send(encodeGoAway(this.#lastStreamId, 1), () => {});
      this.destroy();
      this.emit('error', e as Error);
    }
  }

  drained(): void {
    for (const done of this.#waiting.splice(0)) done();
  }

  /** Tears down every stream (the transport closed). */
  destroy(): void {
    if (this.#isDestroyed) return;
    this.#isDestroyed = true;
    for (const stream of this.#streams.values()) stream.destroy();
    this.#streams.clear();
    this.drained();
  }

  #send(frame: Buffer, done: () => void): void {
    if (this.#isDestroyed) return done();
    if (this.#write(frame)) done();
    else this.#waiting.push(done);
  }

  #onFrame(frame: SpdyFrame): void {
    if (frame.type === 'data') {
      const stream = this.#streams.get(frame.streamId);
      if (!stream) return;
      if (frame.data.length) stream.push(frame.data);
      if (frame.flags & FLAG_FIN) stream.push(null);
      return;
    }
    switch (frame.kind) {
      case FRAME.synStream:
        return this.#onSynStream(frame.payload, frame.flags);
      case FRAME.synReply:
        this.#inflater.decompress(parseSynReply(frame.payload).headerBlock);
        return;
      case FRAME.headers:
        this.#inflater.decompress(parseSynReply(frame.payload).headerBlock);
        return;
      case FRAME.rstStream: {
        const { streamId } = parseStreamIdAndCode(frame.payload, 'RST_STREAM');
        this.#streams.get(streamId)?.onReset();
        return;
      }
      case FRAME.ping:
        // Odd ids are the client's pings and must be echoed; even ids would be answers to ours (we send none).
        if (frame.payload.length === 4 && frame.payload.readUInt32BE(0) % 2 === 1) this.#send(encodePing(frame.payload.readUInt32BE(0)), () => {});
        return;
      case FRAME.goAway:
        this.#isGoingAway = true;
        return;
      default:
        // SETTINGS and WINDOW_UPDATE: nothing to do without flow control.
        return;
    }
  }

  #onSynStream(payload: Buffer, flags: number): void {
    const { streamId, headerBlock } = parseSynStream(payload);
    // Always inflate, even for a refused stream: the zlib state is shared by the whole connection.
    const headers = this.#inflater.decompress(headerBlock);
    if (this.#isGoingAway) return void this.#send(encodeRstStream(streamId, RST.refusedStream), () => {});
    if (streamId % 2 === 0 || streamId <= this.#lastStreamId) return void this.#send(encodeRstStream(streamId, RST.protocolError), () => {});
    this.#lastStreamId = streamId;
    const stream = new SpdyStream(streamId, headers, { send: (f, done) => this.#send(f, done), compress: (h) => this.#deflater.compress(h) });
    this.#streams.set(streamId, stream);
    stream.on('close', () => this.#streams.delete(streamId));
    stream.on('error', () => {});
    if (flags & FLAG_FIN) stream.push(null);
    this.emit('stream', stream);
  }
}
