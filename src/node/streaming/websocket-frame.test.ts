import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeFrame, FrameParser, MessageAssembler, OPCODE, WebSocketProtocolError } from './websocket-frame.ts';

const MASK = Buffer.from([0xa1, 0xb2, 0xc3, 0xd4]);

describe('WebSocket framing', () => {
  for (const size of [0, 1, 125, 126, 65535, 65536, 200_000]) {
    it(`round-trips a masked ${size}-byte binary frame through the server-side parser`, () => {
      const payload = Buffer.from(Array.from({ length: size }, (_, i) => i % 251));
      const wire = encodeFrame({ opcode: OPCODE.binary, payload, mask: MASK });
      const header = size < 126 ? 2 : size < 65536 ? 4 : 10;
      assert.equal(wire.length, header + 4 + size);
      const frames = new FrameParser({ requireMask: true }).push(wire);
      assert.equal(frames.length, 1);
      assert.equal(frames[0].fin, true);
      assert.equal(frames[0].opcode, OPCODE.binary);
      assert.ok(frames[0].payload.equals(payload));
    });
  }

  it('encodes the RFC 6455 §5.7 examples exactly', () => {
    assert.deepEqual([...encodeFrame({ opcode: OPCODE.text, payload: Buffer.from('Hello') })], [0x81, 0x05, 0x48, 0x65, 0x6c, 0x6c, 0x6f]);
    const masked = encodeFrame({ opcode: OPCODE.text, payload: Buffer.from('Hello'), mask: Buffer.from([0x37, 0xfa, 0x21, 0x3d]) });
    assert.deepEqual([...masked], [0x81, 0x85, 0x37, 0xfa, 0x21, 0x3d, 0x7f, 0x9f, 0x4d, 0x51, 0x58]);
    assert.deepEqual([...encodeFrame({ opcode: OPCODE.text, payload: Buffer.from('Hel'), fin: false })].slice(0, 2), [0x01, 0x03]);
  });

  it('parses frames fed one byte at a time, several per chunk', () => {
    const wire = Buffer.concat([
      encodeFrame({ opcode: OPCODE.binary, payload: Buffer.from('one'), mask: MASK }),
      encodeFrame({ opcode: OPCODE.ping, payload: Buffer.from('p'), mask: MASK }),
      encodeFrame({ opcode: OPCODE.binary, payload: Buffer.alloc(300, 7), mask: MASK }),
    ]);
    const parser = new FrameParser({ requireMask: true });
    const frames = [...wire].flatMap((byte) => parser.push(Buffer.from([byte])));
    assert.deepEqual(frames.map((f) => [f.opcode, f.payload.length]), [[OPCODE.binary, 3], [OPCODE.ping, 1], [OPCODE.binary, 300]]);
  });

  it('rejects unmasked client frames, masked server frames, reserved bits and long control frames', () => {
    assert.throws(() => new FrameParser({ requireMask: true }).push(encodeFrame({ opcode: OPCODE.binary, payload: Buffer.from('x') })), WebSocketProtocolError);
    assert.throws(() => new FrameParser({ requireMask: false }).push(encodeFrame({ opcode: OPCODE.binary, payload: Buffer.from('x'), mask: MASK })), WebSocketProtocolError);
    const rsv = encodeFrame({ opcode: OPCODE.binary, payload: Buffer.from('x'), mask: MASK });
    rsv[0] |= 0x40;
    assert.throws(() => new FrameParser({ requireMask: true }).push(rsv), /reserved bits/);
    assert.throws(() => new FrameParser({ requireMask: true }).push(encodeFrame({ opcode: OPCODE.ping, payload: Buffer.alloc(126), mask: MASK })), /control frames/);
  });

  it('rejects a frame larger than the limit with close code 1009', () => {
    const parser = new FrameParser({ requireMask: true, maxPayload: 10 });
    assert.throws(() => parser.push(encodeFrame({ opcode: OPCODE.binary, payload: Buffer.alloc(11), mask: MASK })), (e: WebSocketProtocolError) => e.closeCode === 1009);
  });
});

describe('message reassembly', () => {
  it('joins continuation frames and lets a ping through in the middle', () => {
    const a = new MessageAssembler();
    assert.equal(a.add({ fin: false, opcode: OPCODE.binary, payload: Buffer.from('ab') }), undefined);
    assert.deepEqual(a.add({ fin: true, opcode: OPCODE.ping, payload: Buffer.from('p') }), { opcode: OPCODE.ping, payload: Buffer.from('p') });
    assert.equal(a.add({ fin: false, opcode: OPCODE.continuation, payload: Buffer.from('cd') }), undefined);
    assert.deepEqual(a.add({ fin: true, opcode: OPCODE.continuation, payload: Buffer.from('e') }), { opcode: OPCODE.binary, payload: Buffer.from('abcde') });
    assert.deepEqual(a.add({ fin: true, opcode: OPCODE.text, payload: Buffer.from('next') }), { opcode: OPCODE.text, payload: Buffer.from('next') });
  });

  it('rejects a stray continuation and a new message inside a fragmented one', () => {
    assert.throws(() => new MessageAssembler().add({ fin: true, opcode: OPCODE.continuation, payload: Buffer.alloc(0) }), /continuation/);
    const a = new MessageAssembler();
    a.add({ fin: false, opcode: OPCODE.binary, payload: Buffer.from('a') });
    assert.throws(() => a.add({ fin: true, opcode: OPCODE.binary, payload: Buffer.from('b') }), /previous one/);
  });
});
