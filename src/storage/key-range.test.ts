import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { prefixEnd, prefixEndBytes } from './key-range.ts';

describe('prefixEnd', () => {
  it('bumps the last character, so the range holds exactly the keys starting with the prefix', () => {
    assert.equal(prefixEnd('core/pods/'), 'core/pods0');
    assert.equal(prefixEnd('a/b'), 'a/c');
    assert.ok('a/b\u{10fff0}x' < prefixEnd('a/b')! && 'a/c' >= prefixEnd('a/b')!);
  });

  it('has no bound for the empty prefix or one made only of the highest code point', () => {
    assert.equal(prefixEnd(''), undefined);
    assert.equal(prefixEnd('\u{10ffff}\u{10ffff}'), undefined);
  });

  it('drops trailing highest code points and steps over the surrogate block', () => {
    assert.equal(prefixEnd('a\u{10ffff}'), 'b');
    assert.equal(prefixEnd('x\ud7ff'), 'x\ue000');
    assert.equal(prefixEnd('x😀'), 'x😁');
  });
});

describe('prefixEndBytes', () => {
  it('follows etcd: increment the last byte below 0xff and cut what follows', () => {
    assert.deepEqual(prefixEndBytes(Buffer.from('/skiff/')), Buffer.from('/skiff0'));
    assert.deepEqual(prefixEndBytes(Buffer.from([0x61, 0xff, 0xff])), Buffer.from([0x62]));
    assert.deepEqual(prefixEndBytes(Buffer.from([0xff])), Buffer.from([0]));
  });
});
