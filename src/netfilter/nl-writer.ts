// A growable buffer for netlink messages: nlmsghdr + nfgenmsg, then type-length-value attributes,
// nested ones included. Host byte order for netlink headers, network order where nf_tables wants it
// (the caller picks: `u32be` vs `u32`). Every attribute is padded to 4 bytes (NLA_ALIGNTO). Pure.

const NLA_F_NESTED = 0x8000;
const NLMSG_HDRLEN = 16;
const NFGENMSG_LEN = 4;

/** An attribute header (length, type), little-endian, written byte by byte: Buffer's checked writers dominate a profile otherwise. */
function header(b: Buffer, at: number, len: number, type: number): void {
  b[at] = len & 0xff;
  b[at + 1] = len >>> 8;
  b[at + 2] = type & 0xff;
  b[at + 3] = type >>> 8;
}

/** Zeroes `[from, to)`: a loop, since `Buffer.fill` costs more than the few bytes of padding it clears. */
function zero(b: Buffer, from: number, to: number): void {
  for (let i = from; i < to; i++) b[i] = 0;
}

/** UTF-8 length; names and comments are nearly always ASCII, counted without a call into C++. */
function utf8Length(s: string): number {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return Buffer.byteLength(s);
  return s.length;
}

/** Writes `s` as UTF-8 at `at` (its length from `utf8Length`): byte by byte while it is ASCII. */
function writeUtf8(b: Buffer, at: number, s: string): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x7f) {
      b.write(s, at, 'utf8');
      return;
    }
    b[at + i] = c;
  }
}

export class NlWriter {
  #buf = Buffer.allocUnsafe(64 * 1024);
  #len = 0;
  #message = -1;
  #nests: number[] = [];

  get length(): number {
    return this.#len;
  }

  /** Starts a message: nlmsghdr (length patched by `end`) and the nfgenmsg nf_tables expects. */
  begin(options: { type: number; flags: number; seq: number; family: number; resId?: number }): this {
    if (this.#message >= 0) throw new Error('netlink message not ended');
    this.#reserve(NLMSG_HDRLEN + NFGENMSG_LEN);
    const b = this.#buf;
    this.#message = this.#len;
    b.writeUInt32LE(0, this.#len);
    b.writeUInt16LE(options.type, this.#len + 4);
    b.writeUInt16LE(options.flags, this.#len + 6);
    b.writeUInt32LE(options.seq >>> 0, this.#len + 8);
    b.writeUInt32LE(0, this.#len + 12);
    b[this.#len + 16] = options.family;
    b[this.#len + 17] = 0;
    b.writeUInt16BE(options.resId ?? 0, this.#len + 18);
    this.#len += NLMSG_HDRLEN + NFGENMSG_LEN;
    return this;
  }

  end(): this {
    if (this.#nests.length) throw new Error('netlink attribute nest not closed');
    this.#buf.writeUInt32LE(this.#len - this.#message, this.#message);
    this.#message = -1;
    return this;
  }

  bytes(type: number, value: Uint8Array): this {
    const len = 4 + value.length;
    this.#reserve(align(len));
    header(this.#buf, this.#len, len, type);
    this.#buf.set(value, this.#len + 4);
    zero(this.#buf, this.#len + len, this.#len + align(len));
    this.#len += align(len);
    return this;
  }

  /**
   * An attribute of `len` zeroed bytes whose value the caller writes in place at the returned offset of
   * `buffer` (no temporary buffer per element).
   */
  value(type: number, len: number): number {
    const total = align(4 + len);
    this.#reserve(total);
    header(this.#buf, this.#len, 4 + len, type);
    zero(this.#buf, this.#len + 4, this.#len + total);
    const at = this.#len + 4;
    this.#len += total;
    return at;
  }

  /** The buffer being written (valid until the next write that grows it). */
  get buffer(): Buffer {
    return this.#buf;
  }

  /** A NUL-terminated string, as nf_tables names are (NLA_STRING, NLA_NUL_STRING). */
  str(type: number, value: string): this {
    const len = 4 + utf8Length(value) + 1;
    this.#reserve(align(len));
    header(this.#buf, this.#len, len, type);
    writeUtf8(this.#buf, this.#len + 4, value);
    zero(this.#buf, this.#len + len - 1, this.#len + align(len));
    this.#len += align(len);
    return this;
  }

  /** libnftnl user data holding one NUL-terminated text record (a comment), written in place. */
  udataText(type: number, record: number, text: string): this {
    const bytes = utf8Length(text) + 1;
    if (bytes > 255) throw new RangeError('user data record over 255 bytes');
    const len = 4 + 2 + bytes;
    this.#reserve(align(len));
    const b = this.#buf;
    header(b, this.#len, len, type);
    b[this.#len + 4] = record;
    b[this.#len + 5] = bytes;
    writeUtf8(b, this.#len + 6, text);
    zero(b, this.#len + len - 1, this.#len + align(len));
    this.#len += align(len);
    return this;
  }

  u32be(type: number, value: number): this {
    this.#reserve(8);
    const b = this.#buf;
    header(b, this.#len, 8, type);
    const at = this.#len + 4;
    b[at] = value >>> 24;
    b[at + 1] = (value >>> 16) & 0xff;
    b[at + 2] = (value >>> 8) & 0xff;
    b[at + 3] = value & 0xff;
    this.#len += 8;
    return this;
  }

  u64be(type: number, value: bigint): this {
    const b = Buffer.allocUnsafe(8);
    b.writeBigUInt64BE(value, 0);
    return this.bytes(type, b);
  }

  nest(type: number): this {
    this.#reserve(4);
    this.#nests.push(this.#len);
    header(this.#buf, this.#len, 0, type | NLA_F_NESTED);
    this.#len += 4;
    return this;
  }

  unnest(): this {
    const at = this.#nests.pop();
    if (at === undefined) throw new Error('no netlink attribute nest open');
    const len = this.#len - at;
    if (len > 0xffff) throw new RangeError(`netlink attribute of ${len} bytes: over 65535`);
    this.#buf[at] = len & 0xff;
    this.#buf[at + 1] = len >>> 8;
    return this;
  }

  /** Bytes written since `mark` (for size-bounded batches of elements). */
  since(mark: number): number {
    return this.#len - mark;
  }

  toBuffer(): Buffer {
    if (this.#message >= 0) throw new Error('netlink message not ended');
    return this.#buf.subarray(0, this.#len);
  }

  #reserve(n: number): void {
    if (this.#len + n <= this.#buf.length) return;
    let size = this.#buf.length * 2;
    while (size < this.#len + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.#buf.copy(next, 0, 0, this.#len);
    this.#buf = next;
  }
}

export const align = (n: number): number => (n + 3) & ~3;

/**
 * libnftnl's user data: a run of `{u8 type, u8 len, value}` records that nft keeps beside tables,
 * chains, rules, sets and elements (comments, and how to print a set's keys). The kernel stores it
 * as it is.
 */
export function udata(records: readonly (readonly [number, Uint8Array])[]): Buffer {
  let size = 0;
  for (const [, value] of records) {
    if (value.length > 255) throw new RangeError('user data record over 255 bytes');
    size += 2 + value.length;
  }
  const out = Buffer.allocUnsafe(size);
  let at = 0;
  for (const [type, value] of records) {
    out[at] = type;
    out[at + 1] = value.length;
    out.set(value, at + 2);
    at += 2 + value.length;
  }
  return out;
}

export const cString = (s: string): Buffer => Buffer.from(`${s}\0`);

export function u32le(n: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}
