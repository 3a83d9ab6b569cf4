import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { constants, createDeflate, createInflate, inflateSync } from 'node:zlib';
import { SPDY3_DICTIONARY } from './spdy-dictionary.ts';
import { encodeHeaderBlock } from './spdy-frame.ts';
import { adler32, HeaderCompressor, HeaderDecompressor } from './spdy-zlib.ts';

/** A compressor like Go's spdystream: one zlib stream with the dictionary, sync-flushed after every block. */
function goLikeCompressor(): (headers: Record<string, string>) => Promise<Buffer> {
  const deflate = createDeflate({ dictionary: SPDY3_DICTIONARY, level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  return async (headers) => {
    deflate.write(encodeHeaderBlock(headers));
    await new Promise<void>((r) => deflate.flush(constants.Z_SYNC_FLUSH, () => r()));
    return Buffer.concat(out.splice(0));
  };
}

describe('the SPDY/3 dictionary', () => {
  it('is the published 1423 bytes (Adler-32 0xe3c6a7c2)', () => {
    assert.equal(SPDY3_DICTIONARY.length, 1423);
    assert.equal(adler32(SPDY3_DICTIONARY), 0xe3c6a7c2);
    assert.equal(adler32(Buffer.from('Wikipedia')), 0x11e60398);
  });

  it('is what zlib names in the header of a stream primed with it', async () => {
    const first = await goLikeCompressor()({ a: 'b' });
    assert.equal(first.readUInt32BE(2), 0xe3c6a7c2);
  });
});

describe('header compression', () => {
  it('writes stored blocks that a streaming inflater with the dictionary reads back, block by block', async () => {
    const compressor = new HeaderCompressor();
    const inflate = createInflate({ dictionary: SPDY3_DICTIONARY });
    const out: Buffer[] = [];
    inflate.on('data', (c: Buffer) => out.push(c));
    for (const headers of [{ streamtype: 'error', port: '80', requestid: '0' }, {}, { big: 'v'.repeat(70_000) }] as Record<string, string>[]) {
      const block = compressor.compress(headers);
      assert.deepEqual([...block.subarray(-5)], [0x00, 0x00, 0x00, 0xff, 0xff]);
      inflate.write(block);
      await new Promise<void>((r) => inflate.flush(constants.Z_SYNC_FLUSH, () => r()));
      assert.ok(Buffer.concat(out.splice(0)).equals(encodeHeaderBlock(headers)));
    }
  });

  it('starts the stream with 78 bb and the dictionary id, once', () => {
    const compressor = new HeaderCompressor();
    const first = compressor.compress({ a: '1' });
    assert.deepEqual([...first.subarray(0, 6)], [0x78, 0xbb, 0xe3, 0xc6, 0xa7, 0xc2]);
    assert.equal(compressor.compress({ a: '1' })[0], 0x00);
    const joined = Buffer.concat([first, compressor.compress({ b: '2' })]);
    assert.ok(inflateSync(joined, { dictionary: SPDY3_DICTIONARY, finishFlush: constants.Z_SYNC_FLUSH }).equals(Buffer.concat([encodeHeaderBlock({ a: '1' }), encodeHeaderBlock({ b: '2' })])));
  });

  it('inflates a real compressed stream frame by frame, including back-references beyond the dictionary', async () => {
    const compress = goLikeCompressor();
    const decompressor = new HeaderDecompressor();
    for (let i = 0; i < 400; i++) {
      const headers = { streamtype: i % 2 ? 'data' : 'error', port: '8080', requestid: String(i >> 1), pad: 'z'.repeat((i * 37) % 300) };
      assert.deepEqual(decompressor.decompress(await compress(headers)), headers);
    }
  });

  it('keeps a 32 KiB window, so references into older blocks still resolve', async () => {
    const compress = goLikeCompressor();
    const decompressor = new HeaderDecompressor();
    const big = { filler: Array.from({ length: 3000 }, (_, i) => `w${i}`).join(',') };
    assert.deepEqual(decompressor.decompress(await compress(big)), big);
    assert.deepEqual(decompressor.decompress(await compress(big)), big);
    assert.deepEqual(decompressor.decompress(await compress({ small: 'x' })), { small: 'x' });
  });

  it('reads its own compressor\'s output', () => {
    const compressor = new HeaderCompressor();
    const decompressor = new HeaderDecompressor();
    for (const headers of [{ a: '1' }, { streamtype: 'data' }, {}] as Record<string, string>[]) assert.deepEqual(decompressor.decompress(compressor.compress(headers)), headers);
  });

  it('rejects a first block that is not a zlib stream primed with the SPDY dictionary', () => {
    assert.throws(() => new HeaderDecompressor().decompress(Buffer.from([0x78, 0x9c, 0, 0, 0, 0, 0])), /preset dictionary/);
    assert.throws(() => new HeaderDecompressor().decompress(Buffer.from([0x78, 0xbb, 1, 2, 3, 4, 0])), /unknown dictionary/);
  });
});
