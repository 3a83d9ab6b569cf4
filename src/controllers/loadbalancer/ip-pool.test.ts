import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Allocations, ipToNumber, isInPool, numberToIp, parsePool, PoolParseError } from './ip-pool.ts';

describe('parsePool', () => {
  const cases: { cidr: string; first: string; last: string }[] = [
    { cidr: '198.18.1.0/24', first: '198.18.1.1', last: '198.18.1.254' },
    { cidr: '198.18.1.77/24', first: '198.18.1.1', last: '198.18.1.254' },
    { cidr: '10.0.0.0/30', first: '10.0.0.1', last: '10.0.0.2' },
    { cidr: '10.0.0.4/31', first: '10.0.0.4', last: '10.0.0.5' },
    { cidr: '10.0.0.9/32', first: '10.0.0.9', last: '10.0.0.9' },
    { cidr: '0.0.0.0/0', first: '0.0.0.1', last: '255.255.255.254' },
  ];
  for (const c of cases) {
    it(`${c.cidr} spans ${c.first}–${c.last}`, () => {
      const p = parsePool(c.cidr);
      assert.deepEqual([numberToIp(p.first), numberToIp(p.last)], [c.first, c.last]);
    });
  }
  for (const bad of ['198.18.1.0', '198.18.1.0/33', '300.1.1.1/24', 'fd00::/64', '']) {
    it(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parsePool(bad), PoolParseError));
  }
});

it('converts addresses both ways and rejects junk', () => {
  assert.equal(ipToNumber('1.2.3.4'), 0x01020304);
  assert.equal(numberToIp(0xc6120101), '198.18.1.1');
  assert.equal(ipToNumber('1.2.3'), undefined);
  assert.equal(ipToNumber('1.2.3.256'), undefined);
});

it('isInPool excludes network and broadcast addresses', () => {
  const p = parsePool('198.18.1.0/24');
  assert.deepEqual(['198.18.1.0', '198.18.1.1', '198.18.1.254', '198.18.1.255', '198.18.2.1', 'x'].map((ip) => isInPool(p, ip)), [false, true, true, false, false, false]);
});

describe('Allocations', () => {
  it('hands out the lowest free address and never one address twice', () => {
    const a = new Allocations(parsePool('10.0.0.0/30'));
    assert.equal(a.firstFree(), '10.0.0.1');
    assert.equal(a.reserve('ns/a', '10.0.0.1'), true);
    assert.equal(a.reserve('ns/b', '10.0.0.1'), false);
    assert.equal(a.firstFree(), '10.0.0.2');
    assert.equal(a.reserve('ns/b', '10.0.0.2'), true);
    assert.equal(a.firstFree(), undefined);
  });
  it('moves a holder to a new address, freeing the old one', () => {
    const a = new Allocations(parsePool('10.0.0.0/30'));
    a.reserve('ns/a', '10.0.0.1');
    assert.equal(a.reserve('ns/a', '10.0.0.2'), true);
    assert.equal(a.holderOf('10.0.0.1'), undefined);
    assert.equal(a.ipOf('ns/a'), '10.0.0.2');
    assert.equal(a.size, 1);
  });
  it('refuses addresses outside the pool and releases what was held', () => {
    const a = new Allocations(parsePool('10.0.0.0/30'));
    assert.equal(a.reserve('ns/a', '10.0.0.3'), false);
    a.reserve('ns/a', '10.0.0.1');
    assert.equal(a.release('ns/a'), '10.0.0.1');
    assert.equal(a.release('ns/a'), undefined);
    assert.equal(a.size, 0);
  });
});
