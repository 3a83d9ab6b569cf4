import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet } from './cidr-set.ts';

describe('CidrSet', () => {
  it('hands out /24s of the cluster CIDR in order, skipping occupied ones', () => {
    const s = new CidrSet('198.18.128.0/17');
    assert.equal(s.size, 128);
    assert.ok(s.occupy('198.18.128.0/24'));
    assert.equal(s.allocateNext(), '198.18.129.0/24');
    assert.equal(s.allocateNext(), '198.18.130.0/24');
  });

  it('refuses ranges outside the set, misaligned or of another size, and double occupation', () => {
    const s = new CidrSet('198.18.128.0/17');
    assert.equal(s.occupy('198.18.0.0/24'), false);
    assert.equal(s.occupy('198.18.128.0/25'), false);
    assert.equal(s.occupy('198.18.128.1/24'), false);
    assert.equal(s.occupy('198.18.200.0/24'), true);
    assert.equal(s.occupy('198.18.200.0/24'), false);
  });

  it('is exhausted after size allocations and reuses released ranges', () => {
    const s = new CidrSet('198.18.128.0/22');
    const got = [s.allocateNext(), s.allocateNext(), s.allocateNext(), s.allocateNext()];
    assert.deepEqual(got, ['198.18.128.0/24', '198.18.129.0/24', '198.18.130.0/24', '198.18.131.0/24']);
    assert.equal(s.allocateNext(), undefined);
    s.release('198.18.130.0/24');
    assert.equal(s.allocateNext(), '198.18.130.0/24');
  });

  it('rejects a node mask larger than the cluster CIDR can hold', () => {
    assert.throws(() => new CidrSet('198.18.128.0/24', 20), /cannot hold/);
  });
});
