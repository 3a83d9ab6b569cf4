// A reader for the protobuf wire format (https://protobuf.dev/programming-guides/encoding/):
// tags, varints, length-delimited bytes, fixed32/fixed64. Every read is bounds-checked.

export const WIRE_VARINT = 0;
export const WIRE_FIXED64 = 1;
export const WIRE_LENGTH_DELIMITED = 2;
export const WIRE_FIXED32 = 5;

const MAX_VARINT_BYTES = 10;

export class ProtoError extends Error {
  override name = 'ProtoError';
}

export class ProtoReader {
  #buf: Uint8Array;
  #pos: number;
  #end: number;

  constructor(buf: Uint8Array, start = 0, end = buf.length) {
    this.#buf = buf;
    this.#pos = start;
    this.#end = end;
  }

  get isDone(): boolean {
    return this.#pos >= this.#end;
  }

  get position(): number {
    return this.#pos;
  }

  readTag(): { field: number; wireType: number } {
    const tag = this.readVarint();
    const field = Number(tag >> 3n);
    const wireType = Number(tag & 7n);
    if (field === 0 || field > 0x1fffffff) throw new ProtoError(`invalid field number ${field} at byte ${this.#pos}`);
    return { field, wireType };
  }

  readVarint(): bigint {
    let result = 0n;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      if (this.#pos >= this.#end) throw new ProtoError(`truncated varint at byte ${this.#pos}`);
      const b = this.#buf[this.#pos++];
      result |= BigInt(b & 0x7f) << BigInt(7 * i);
      if ((b & 0x80) === 0) return result;
    }
    throw new ProtoError(`varint longer than ${MAX_VARINT_BYTES} bytes at byte ${this.#pos}`);
  }

  /** The bytes of a length-delimited field, as a view into the buffer. */
  readBytes(): Uint8Array {
    const length = this.readVarint();
    if (length > BigInt(this.#end - this.#pos)) throw new ProtoError(`length ${length} at byte ${this.#pos} runs past the end of the message`);
    const start = this.#pos;
    this.#pos += Number(length);
    return this.#buf.subarray(start, this.#pos);
  }

  readFixed32(): number {
    const bytes = this.#take(4);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
  }

  readFixed64(): bigint {
    const bytes = this.#take(8);
    return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  }

  /** Skips the value of a field this reader does not know. */
  skip(wireType: number): void {
    switch (wireType) {
      case WIRE_VARINT:
        this.readVarint();
        return;
      case WIRE_FIXED64:
        this.readFixed64();
        return;
      case WIRE_LENGTH_DELIMITED:
        this.readBytes();
        return;
      case WIRE_FIXED32:
        this.readFixed32();
        return;
      default:
        throw new ProtoError(`unsupported wire type ${wireType} at byte ${this.#pos}`);
    }
  }

  #take(n: number): Uint8Array {
    if (this.#end - this.#pos < n) throw new ProtoError(`truncated ${n}-byte value at byte ${this.#pos}`);
    const start = this.#pos;
    this.#pos += n;
    return this.#buf.subarray(start, this.#pos);
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ProtoError('string field is not valid UTF-8');
  }
}
