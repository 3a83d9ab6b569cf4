// Client-side halves of the protocols, for this folder's unit tests: a masking WebSocket client and a SPDY client
// that opens streams the way kubectl does. Not used outside tests.
import type { Duplex } from 'node:stream';
import { encodeFrame, FrameParser, MessageAssembler, OPCODE } from './websocket-frame.ts';
import { encodeControl, encodeData, encodeSynStream, FRAME, parseSynReply, SpdyFrameReader } from './spdy-frame.ts';
import type { HeaderMap, SpdyFrame } from './spdy-frame.ts';
import { HeaderCompressor, HeaderDecompressor } from './spdy-zlib.ts';

/** A FIFO that hands items to waiters. */
export class Inbox<T> {
  #items: T[] = [];
  #waiters: { match: (t: T) => boolean; resolve: (t: T) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }[] = [];

  put(item: T): void {
    const w = this.#waiters.find((w) => w.match(item));
    if (!w) return void this.#items.push(item);
    this.#waiters.splice(this.#waiters.indexOf(w), 1);
    clearTimeout(w.timer);
    w.resolve(item);
  }

  /** The first (queued or future) item that matches; fails after `timeoutMs`. */
  next(match: (t: T) => boolean = () => true, timeoutMs = 5_000): Promise<T> {
    const i = this.#items.findIndex(match);
    if (i >= 0) return Promise.resolve(this.#items.splice(i, 1)[0]);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`nothing matching arrived within ${timeoutMs} ms; queued: ${this.#items.length}`)), timeoutMs);
      this.#waiters.push({ match, resolve, reject, timer });
    });
  }

  get queued(): T[] {
    return [...this.#items];
  }
}

export class WebSocketTestClient {
  readonly messages = new Inbox<{ opcode: number; payload: Buffer }>();
  /** The server's HTTP response head (status line and headers). */
  readonly response: Promise<string>;
  readonly closed: Promise<void>;
  #socket: Duplex;

  /** `socket` carries the server's side from its HTTP response on: the head is split off, then frames are parsed. */
  constructor(socket: Duplex) {
    this.#socket = socket;
    const parser = new FrameParser({ requireMask: false });
    const assembler = new MessageAssembler();
    let head: Buffer | undefined = Buffer.alloc(0);
    let gotResponse: (text: string) => void = () => {};
    this.response = new Promise((resolve) => (gotResponse = resolve));
    socket.on('data', (data: Buffer) => {
      let chunk = data;
      if (head) {
        head = Buffer.concat([head, chunk]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        gotResponse(head.subarray(0, end).toString('latin1'));
        chunk = head.subarray(end + 4);
        head = undefined;
      }
      for (const frame of parser.push(chunk)) {
        const m = assembler.add(frame);
        if (m) this.messages.put(m);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  send(opcode: number, payload: Buffer, options: { fin?: boolean } = {}): void {
    this.#socket.write(encodeFrame({ opcode, payload, fin: options.fin, mask: Buffer.from([0x12, 0x34, 0x56, 0x78]) }));
  }

  sendBinary(payload: Buffer): void {
    this.send(OPCODE.binary, payload);
  }
}

/** Drives a server-side SPDY session as kubectl's port-forward does. */
export class SpdyTestClient {
  readonly frames = new Inbox<SpdyFrame>();
  #reader = new SpdyFrameReader();
  #deflater = new HeaderCompressor();
  #inflater = new HeaderDecompressor();
  #replies = new Map<number, HeaderMap>();
  #write: (frame: Buffer) => void;

  constructor(write: (frame: Buffer) => void) {
    this.#write = write;
  }

  /** Bytes from the server. */
  feed(chunk: Buffer): void {
    for (const frame of this.#reader.push(chunk)) {
      // Inflate in arrival order: the header compression state is shared by the connection.
      if (frame.type === 'control' && frame.kind === FRAME.synReply) {
        const { streamId, headerBlock } = parseSynReply(frame.payload);
        this.#replies.set(streamId, this.#inflater.decompress(headerBlock));
      }
      this.frames.put(frame);
    }
  }

  synStream(streamId: number, headers: HeaderMap, flags = 0): void {
    this.#write(encodeSynStream(streamId, this.#deflater.compress(headers), flags));
  }

  data(streamId: number, data: Buffer, flags = 0): void {
    this.#write(encodeData(streamId, data, flags));
  }

  control(kind: number, payload: Buffer): void {
    this.#write(encodeControl(kind, payload));
  }

  /** Waits for the SYN_REPLY of `streamId` and returns its headers. */
  async reply(streamId: number): Promise<HeaderMap> {
    await this.frames.next((f) => f.type === 'control' && f.kind === FRAME.synReply && parseSynReply(f.payload).streamId === streamId);
    return this.#replies.get(streamId)!;
  }

  /** Collects DATA on `streamId` until FIN. */
  async readToEnd(streamId: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for (;;) {
      const f = await this.frames.next((f) => f.type === 'data' && f.streamId === streamId);
      if (f.type !== 'data') continue;
      parts.push(f.data);
      if (f.flags & 1) return Buffer.concat(parts);
    }
  }
}
