import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProtoError, ProtoReader } from './wire.ts';

const bytes = (...b: number[]) => new Uint8Array(b);

describe('ProtoReader', () => {
  it('reads single- and multi-byte varints', () => {
    const r = new ProtoReader(bytes(0x01, 0xac, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01));
    assert.equal(r.readVarint(), 1n);
    assert.equal(r.readVarint(), 300n);
    assert.equal(r.readVarint(), 0xffffffffffffffffn);
    assert.equal(r.isDone, true);
  });

  it('splits a tag into field number and wire type', () => {
    assert.deepEqual(new ProtoReader(bytes(0x52)).readTag(), { field: 10, wireType: 2 });
  });

  it('reads length-delimited bytes and fixed-width values', () => {
    const r = new ProtoReader(bytes(0x03, 0x61, 0x62, 0x63, 0x01, 0x00, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0, 0));
    assert.deepEqual([...r.readBytes()], [0x61, 0x62, 0x63]);
    assert.equal(r.readFixed32(), 1);
    assert.equal(r.readFixed64(), 2n);
    assert.equal(r.isDone, true);
  });

  it('skips every wire type it can meet', () => {
    const r = new ProtoReader(bytes(0x96, 0x01, 0x02, 0x41, 0x42, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8));
    r.skip(0);
    r.skip(2);
    r.skip(5);
    r.skip(1);
    assert.equal(r.isDone, true);
  });

  it('rejects truncated and oversized input', () => {
    assert.throws(() => new ProtoReader(bytes(0x80)).readVarint(), ProtoError);
    assert.throws(() => new ProtoReader(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)).readVarint(), /longer than 10 bytes/);
    assert.throws(() => new ProtoReader(bytes(0x05, 0x61)).readBytes(), /runs past the end/);
    assert.throws(() => new ProtoReader(bytes(0x01, 0x02)).readFixed32(), /truncated/);
  });

  it('rejects field number 0 and group wire types', () => {
    assert.throws(() => new ProtoReader(bytes(0x02)).readTag(), /invalid field number 0/);
    assert.throws(() => new ProtoReader(bytes()).skip(3), /unsupported wire type 3/);
  });
});
