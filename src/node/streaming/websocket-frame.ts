// RFC 6455 §5 framing: a pure encoder and an incremental parser, shared by the server and the tests' client.

export const OPCODE = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

export interface WebSocketFrame {
  fin: boolean;
  opcode: number;
  /** Unmasked payload. */
  payload: Buffer;
}

export class WebSocketProtocolError extends Error {
  readonly code = 'ERR_WEBSOCKET_PROTOCOL';
  /** Close code to send (RFC 6455 §7.4.1). */
  readonly closeCode: number;
  constructor(message: string, closeCode = 1002) {
    super(message);
    this.name = 'WebSocketProtocolError';
    this.closeCode = closeCode;
  }
}

/** Encodes one frame. Clients must pass a 4-byte `mask`; servers never mask (§5.1). */
export function encodeFrame(frame: { opcode: number; payload: Buffer; fin?: boolean; mask?: Buffer }): Buffer {
  const { opcode, payload } = frame;
  const len = payload.length;
  const extra = len < 126 ? 0 : len < 0x10000 ? 2 : 8;
  const maskLen = frame.mask ? 4 : 0;
  const out = Buffer.allocUnsafe(2 + extra + maskLen + len);
  out[0] = ((frame.fin ?? true) ? 0x80 : 0) | (opcode & 0x0f);
  const maskBit = frame.mask ? 0x80 : 0;
  if (extra === 0) out[1] = maskBit | len;
  else if (extra === 2) {
    out[1] = maskBit | 126;
    out.writeUInt16BE(len, 2);
  } else {
    out[1] = maskBit | 127;
    out.writeBigUInt64BE(BigInt(len), 2);
  }
  const at = 2 + extra;
  if (frame.mask) {
    frame.mask.copy(out, at, 0, 4);
    for (let i = 0; i < len; i++) out[at + 4 + i] = payload[i] ^ frame.mask[i & 3];
  } else {
    payload.copy(out, at);
  }
  return out;
}

/** Feeds bytes in, gets whole frames out. `requireMask` is true on the server side (§5.1: clients must mask). */
export class FrameParser {
  #buffer: Buffer = Buffer.alloc(0);
  #requireMask: boolean;
  #maxPayload: number;

  constructor(options: { requireMask: boolean; maxPayload?: number }) {
    this.#requireMask = options.requireMask;
    this.#maxPayload = options.maxPayload ?? 64 * 1024 * 1024;
  }

  push(chunk: Buffer): WebSocketFrame[] {
    this.#buffer = this.#buffer.length ? Buffer.concat([this.#buffer, chunk]) : chunk;
    const frames: WebSocketFrame[] = [];
    for (;;) {
      const frame = this.#next();
      if (!frame) return frames;
      frames.push(frame);
    }
  }

  #next(): WebSocketFrame | undefined {
    const b = this.#buffer;
    if (b.length < 2) return undefined;
    if (b[0] & 0x70) throw new WebSocketProtocolError('reserved bits set without a negotiated extension');
    const fin = (b[0] & 0x80) !== 0;
    const opcode = b[0] & 0x0f;
    const masked = (b[1] & 0x80) !== 0;
    if (masked !== this.#requireMask) throw new WebSocketProtocolError(masked ? 'server frames must not be masked' : 'client frames must be masked');
    let len = b[1] & 0x7f;
    let at = 2;
    if (len === 126) {
      if (b.length < 4) return undefined;
      len = b.readUInt16BE(2);
      at = 4;
    } else if (len === 127) {
      if (b.length < 10) return undefined;
      const big = b.readBigUInt64BE(2);
      if (big > BigInt(this.#maxPayload)) throw new WebSocketProtocolError('frame too large', 1009);
      len = Number(big);
      at = 10;
    }
    if (len > this.#maxPayload) throw new WebSocketProtocolError('frame too large', 1009);
    if (opcode >= 0x8 && (len > 125 || !fin)) throw new WebSocketProtocolError('control frames must be short and unfragmented');
    const maskAt = at;
    if (masked) at += 4;
    if (b.length < at + len) return undefined;
    const payload = Buffer.from(b.subarray(at, at + len));
    if (masked) for (let i = 0; i < len; i++) payload[i] ^= b[maskAt + (i & 3)];
    this.#buffer = b.subarray(at + len);
    return { fin, opcode, payload };
  }
}

/** Reassembles fragmented messages (§5.4); control frames pass through, possibly between fragments. */
export class MessageAssembler {
  #opcode = -1;
  #parts: Buffer[] = [];

  /** Returns a complete message or control frame, or undefined while a message is still fragmented. */
  add(frame: WebSocketFrame): { opcode: number; payload: Buffer } | undefined {
    if (frame.opcode >= 0x8) return { opcode: frame.opcode, payload: frame.payload };
    if (frame.opcode === OPCODE.continuation) {
      if (this.#opcode < 0) throw new WebSocketProtocolError('continuation frame without a message to continue');
    } else {
      if (frame.opcode !== OPCODE.text && frame.opcode !== OPCODE.binary) throw new WebSocketProtocolError(`unknown opcode ${frame.opcode}`);
      if (this.#opcode >= 0) throw new WebSocketProtocolError('new message before the previous one finished');
      this.#opcode = frame.opcode;
    }
    this.#parts.push(frame.payload);
    if (!frame.fin) return undefined;
    const message = { opcode: this.#opcode, payload: this.#parts.length === 1 ? this.#parts[0] : Buffer.concat(this.#parts) };
    this.#opcode = -1;
    this.#parts = [];
    return message;
  }
}
