// SPDY/3 header-block compression. One zlib stream per direction for the whole connection, primed with the SPDY/3
// dictionary; every header block ends with a sync flush, so each frame's block is byte-aligned and complete.
import { constants, inflateRawSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.ts';
import { decodeHeaderBlock, encodeHeaderBlock, SpdyProtocolError } from './spdy-frame.ts';
import type { HeaderMap } from './spdy-frame.ts';

const WINDOW = 32 * 1024;
const EMPTY_STORED_BLOCK = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);

export function adler32(data: Buffer): number {
  let a = 1;
  let b = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/**
 * Writes header blocks as stored (uncompressed) deflate blocks. Each block is followed by the empty stored block a
 * sync flush emits (00 00 00 ff ff): without it Go's flate reader keeps the bytes buffered and the peer never sees
 * the headers (kubectl.md §9b). The first block carries the zlib header with FDICT set and the dictionary's id.
 */
export class HeaderCompressor {
  #isStarted = false;

  compress(headers: HeaderMap): Buffer {
    const raw = encodeHeaderBlock(headers);
    const parts: Buffer[] = [];
    if (!this.#isStarted) {
      this.#isStarted = true;
      const header = Buffer.alloc(6);
      header[0] = 0x78;
      header[1] = 0xbb;
      header.writeUInt32BE(adler32(SPDY3_DICTIONARY), 2);
      parts.push(header);
    }
    for (let at = 0; at < raw.length; at += 0xffff) {
      const chunk = raw.subarray(at, at + 0xffff);
      const head = Buffer.alloc(5);
      head.writeUInt16LE(chunk.length, 1);
      head.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(head, chunk);
    }
    parts.push(EMPTY_STORED_BLOCK);
    return Buffer.concat(parts);
  }
}

/**
 * Inflates the peer's header blocks. Node's synchronous inflate cannot keep a stream open between calls, but a
 * deflate stream cut at a sync-flush point can resume as a fresh raw inflate whose preset dictionary is the last
 * 32 KiB of output (the only state that survives a flush). That keeps each frame O(its own size).
 */
export class HeaderDecompressor {
  #window: Buffer = SPDY3_DICTIONARY;
  #isStarted = false;

  decompress(block: Buffer): HeaderMap {
    let deflated = block;
    if (!this.#isStarted) {
      if (block.length < 6 || (block[0] & 0x0f) !== 8 || ((block[0] << 8) | block[1]) % 31 !== 0 || !(block[1] & 0x20)) {
        throw new SpdyProtocolError('header block does not start a zlib stream with a preset dictionary');
      }
      if (block.readUInt32BE(2) !== adler32(SPDY3_DICTIONARY)) throw new SpdyProtocolError('header block uses an unknown dictionary');
      this.#isStarted = true;
      deflated = block.subarray(6);
    }
    let raw: Buffer;
    try {
      raw = inflateRawSync(deflated, { dictionary: this.#window, finishFlush: constants.Z_SYNC_FLUSH });
    } catch (e) {
      throw new SpdyProtocolError(`cannot inflate header block: ${(e as Error).message}`);
    }
    const joined = Buffer.concat([this.#window, raw]);
    this.#window = joined.length > WINDOW ? Buffer.from(joined.subarray(joined.length - WINDOW)) : joined;
    return decodeHeaderBlock(raw);
  }
}
