import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  decodeHeaderBlock, encodeData, encodeGoAway, encodeHeaderBlock, encodePing, encodeRstStream, encodeSynReply, encodeSynStream, FLAG_FIN, FRAME,
  parseStreamIdAndCode, parseSynReply, parseSynStream, RST, SpdyFrameReader, SpdyProtocolError,
} from './spdy-frame.ts';

describe('SPDY/3.1 frames', () => {
  it('lays out a control frame header: C bit, version 3, type, flags, 24-bit length', () => {
    const ping = encodePing(7);
    assert.deepEqual([...ping], [0x80, 0x03, 0x00, 0x06, 0x00, 0x00, 0x00, 0x04, 0, 0, 0, 7]);
  });

  it('lays out a data frame: stream id, flags, length', () => {
    assert.deepEqual([...encodeData(5, Buffer.from('hi'), FLAG_FIN)], [0, 0, 0, 5, 0x01, 0, 0, 2, 0x68, 0x69]);
  });

  it('round-trips SYN_STREAM, SYN_REPLY, RST_STREAM, GOAWAY and DATA through the reader', () => {
    const block = Buffer.from('compressed');
    const wire = Buffer.concat([
      encodeSynStream(3, block, FLAG_FIN),
      encodeSynReply(3, block),
      encodeRstStream(3, RST.cancel),
      encodeGoAway(3, 0),
      encodeData(3, Buffer.alloc(70_000, 1)),
    ]);
    const frames = new SpdyFrameReader().push(wire);
    assert.equal(frames.length, 5);
    const [syn, reply, rst, away, data] = frames;
    assert.ok(syn.type === 'control' && syn.kind === FRAME.synStream && syn.flags === FLAG_FIN);
    assert.deepEqual(parseSynStream(syn.payload), { streamId: 3, associatedId: 0, headerBlock: block });
    assert.ok(reply.type === 'control' && reply.kind === FRAME.synReply);
    assert.deepEqual(parseSynReply(reply.payload), { streamId: 3, headerBlock: block });
    assert.ok(rst.type === 'control' && rst.kind === FRAME.rstStream);
    assert.deepEqual(parseStreamIdAndCode(rst.payload, 'RST_STREAM'), { streamId: 3, code: RST.cancel });
    assert.ok(away.type === 'control' && away.kind === FRAME.goAway);
    assert.ok(data.type === 'data' && data.streamId === 3 && data.data.length === 70_000 && data.flags === 0);
  });

  it('yields frames only once complete, across arbitrary chunk boundaries', () => {
    const wire = Buffer.concat([encodeData(1, Buffer.from('abc')), encodePing(1), encodeData(1, Buffer.alloc(0), FLAG_FIN)]);
    const reader = new SpdyFrameReader();
    const frames = [...wire].flatMap((b) => reader.push(Buffer.from([b])));
    assert.deepEqual(frames.map((f) => f.type), ['data', 'control', 'data']);
  });

  it('keeps flags with the high bit set intact', () => {
    const [f] = new SpdyFrameReader().push(encodeData(9, Buffer.from('x'), 0xff));
    assert.equal(f.flags, 0xff);
  });

  it('refuses control frames of another SPDY version', () => {
    const frame = encodePing(1);
    frame.writeUInt16BE(0x8002, 0);
    assert.throws(() => new SpdyFrameReader().push(frame), SpdyProtocolError);
  });
});

describe('SPDY header blocks', () => {
  it('encodes count, then length-prefixed lowercase names and values', () => {
    const block = encodeHeaderBlock({ StreamType: 'error' });
    assert.deepEqual([...block], [0, 0, 0, 1, 0, 0, 0, 10, ...Buffer.from('streamtype'), 0, 0, 0, 5, ...Buffer.from('error')]);
  });

  it('decodes what it encodes, joining repeated names with NUL', () => {
    assert.deepEqual(decodeHeaderBlock(encodeHeaderBlock({ streamtype: 'data', port: '8080', requestid: '0' })), { streamtype: 'data', port: '8080', requestid: '0' });
    const twice = Buffer.concat([Buffer.from([0, 0, 0, 2]), ...['a', '1', 'a', '2'].flatMap((s) => [Buffer.from([0, 0, 0, 1]), Buffer.from(s)])]);
    assert.deepEqual(decodeHeaderBlock(twice), { a: '1\u00002' });
  });

  it('rejects a truncated block', () => {
    assert.throws(() => decodeHeaderBlock(encodeHeaderBlock({ port: '80' }).subarray(0, 12)), /truncated/);
  });
});
