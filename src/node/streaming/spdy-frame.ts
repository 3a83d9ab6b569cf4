// SPDY/3.1 framing (draft-mbelshe-httpbis-spdy-00 §2.2): pure encoders and an incremental reader. Header blocks
// here are the uncompressed name/value form; spdy-zlib.ts compresses them.

export const SPDY_VERSION = 3;

export const FRAME = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goAway: 7, headers: 8, windowUpdate: 9 } as const;

export const FLAG_FIN = 0x01;

/** RST_STREAM status codes. */
export const RST = { protocolError: 1, invalidStream: 2, refusedStream: 3, cancel: 5, internalError: 6, streamInUse: 8, streamAlreadyClosed: 9 } as const;

export type SpdyFrame =
  | { type: 'data'; streamId: number; flags: number; data: Buffer }
  | { type: 'control'; kind: number; flags: number; payload: Buffer };

export type HeaderMap = Record<string, string>;

export class SpdyProtocolError extends Error {
  readonly code = 'ERR_SPDY_PROTOCOL';
  constructor(message: string) {
    super(message);
    this.name = 'SpdyProtocolError';
  }
}

const MAX_FRAME = 0xffffff;

export function encodeControl(kind: number, payload: Buffer, flags = 0): Buffer {
  if (payload.length > MAX_FRAME) throw new SpdyProtocolError('control frame too large');
  const out = Buffer.allocUnsafe(8 + payload.length);
  out.writeUInt16BE(0x8000 | SPDY_VERSION, 0);
  out.writeUInt16BE(kind, 2);
  out.writeUInt32BE((((flags & 0xff) << 24) | payload.length) >>> 0, 4);
  payload.copy(out, 8);
  return out;
}

export function encodeData(streamId: number, data: Buffer, flags = 0): Buffer {
  if (data.length > MAX_FRAME) throw new SpdyProtocolError('data frame too large');
  const out = Buffer.allocUnsafe(8 + data.length);
  out.writeUInt32BE(streamId & 0x7fffffff, 0);
  out.writeUInt32BE((((flags & 0xff) << 24) | data.length) >>> 0, 4);
  data.copy(out, 8);
  return out;
}

function u32(...values: number[]): Buffer {
  const out = Buffer.allocUnsafe(4 * values.length);
  values.forEach((v, i) => out.writeUInt32BE(v >>> 0, 4 * i));
  return out;
}

export function encodeSynStream(streamId: number, compressedHeaders: Buffer, flags = 0): Buffer {
  return encodeControl(FRAME.synStream, Buffer.concat([u32(streamId & 0x7fffffff, 0), Buffer.from([0, 0]), compressedHeaders]), flags);
}

export function encodeSynReply(streamId: number, compressedHeaders: Buffer, flags = 0): Buffer {
  return encodeControl(FRAME.synReply, Buffer.concat([u32(streamId & 0x7fffffff), compressedHeaders]), flags);
}

export function encodeRstStream(streamId: number, status: number): Buffer {
  return encodeControl(FRAME.rstStream, u32(streamId & 0x7fffffff, status));
}

export function encodePing(id: number): Buffer {
  return encodeControl(FRAME.ping, u32(id));
}

export function encodeGoAway(lastGoodStreamId: number, status = 0): Buffer {
  return encodeControl(FRAME.goAway, u32(lastGoodStreamId & 0x7fffffff, status));
}

/** The parts of control payloads this server reads. */
export function parseSynStream(payload: Buffer): { streamId: number; associatedId: number; headerBlock: Buffer } {
  if (payload.length < 10) throw new SpdyProtocolError('SYN_STREAM too short');
  return { streamId: payload.readUInt32BE(0) & 0x7fffffff, associatedId: payload.readUInt32BE(4) & 0x7fffffff, headerBlock: payload.subarray(10) };
}

export function parseSynReply(payload: Buffer): { streamId: number; headerBlock: Buffer } {
  if (payload.length < 4) throw new SpdyProtocolError('SYN_REPLY too short');
  return { streamId: payload.readUInt32BE(0) & 0x7fffffff, headerBlock: payload.subarray(4) };
}

export function parseStreamIdAndCode(payload: Buffer, what: string): { streamId: number; code: number } {
  if (payload.length < 8) throw new SpdyProtocolError(`${what} too short`);
  return { streamId: payload.readUInt32BE(0) & 0x7fffffff, code: payload.readUInt32BE(4) };
}

/** Uncompressed header block (§2.6.10): count, then length-prefixed names and values; several values join with NUL. */
export function encodeHeaderBlock(headers: HeaderMap): Buffer {
  const parts: Buffer[] = [u32(Object.keys(headers).length)];
  for (const [name, value] of Object.entries(headers)) {
    const n = Buffer.from(name.toLowerCase(), 'utf8');
    const v = Buffer.from(value, 'utf8');
    parts.push(u32(n.length), n, u32(v.length), v);
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(block: Buffer): HeaderMap {
  const headers: HeaderMap = {};
  let at = 0;
  const take = (): Buffer => {
    if (at + 4 > block.length) throw new SpdyProtocolError('truncated header block');
    const len = block.readUInt32BE(at);
    at += 4;
    if (at + len > block.length) throw new SpdyProtocolError('truncated header block');
    const out = block.subarray(at, at + len);
    at += len;
    return out;
  };
  if (block.length < 4) throw new SpdyProtocolError('truncated header block');
  const count = block.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = take().toString('utf8').toLowerCase();
    const value = take().toString('utf8');
    headers[name] = name in headers ? `${headers[name]}\0${value}` : value;
  }
  return headers;
}

/** Accumulates bytes and yields whole frames. */
export class SpdyFrameReader {
  #buffer: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): SpdyFrame[] {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    const frames: SpdyFrame[] = [];
    while (this.#buffer.length >= 8) {
      const b = this.#buffer;
      const len = b.readUInt32BE(4) & 0xffffff;
      if (b.length < 8 + len) break;
      const flags = b[4];
      const body = Buffer.from(b.subarray(8, 8 + len));
      if (b[0] & 0x80) {
        const version = b.readUInt16BE(0) & 0x7fff;
        if (version !== SPDY_VERSION) throw new SpdyProtocolError(`unsupported SPDY version ${version}`);
        frames.push({ type: 'control', kind: b.readUInt16BE(2), flags, payload: body });
      } else {
        frames.push({ type: 'data', streamId: b.readUInt32BE(0) & 0x7fffffff, flags, data: body });
      }
      this.#buffer = b.subarray(8 + len);
    }
    return frames;
  }
}
