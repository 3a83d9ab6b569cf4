import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalize, computeHash, fnv32a, isEqualIgnoringHash, safeEncode } from './pod-template-hash.ts';

describe('fnv32a', () => {
  // Reference vectors of FNV-1a 32-bit.
  const cases: [string, number][] = [['', 0x811c9dc5], ['a', 0xe40c292c], ['foobar', 0xbf9cf968]];
  for (const [input, want] of cases) it(`hashes ${JSON.stringify(input)}`, () => assert.equal(fnv32a(Buffer.from(input)), want));
});

describe('computeHash', () => {
  const a = { metadata: { labels: { app: 'web', tier: 'fe' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };

  it('uses only the safe alphabet', () => assert.match(computeHash(a), /^[bcdfghjklmnpqrstvwxz2456789]+$/));
  it('ignores key order and empty values', () => {
    const b = { spec: { volumes: [], containers: [{ image: 'nginx:1', name: 'c' }] }, metadata: { annotations: {}, labels: { tier: 'fe', app: 'web' } } };
    assert.equal(computeHash(b), computeHash(a));
  });
  it('changes with the template', () => assert.notEqual(computeHash({ ...a, spec: { containers: [{ name: 'c', image: 'nginx:2' }] } }), computeHash(a)));
  it('changes with the collision count', () => {
    assert.notEqual(computeHash(a, 1), computeHash(a));
    assert.notEqual(computeHash(a, 1), computeHash(a, 2));
    assert.equal(computeHash(a, 1), computeHash(a, 1));
  });
  it('encodes decimal digits through the safe alphabet, as upstream hashes look', () => assert.equal(safeEncode('0123456789'), '456789bcdf'));
});

describe('isEqualIgnoringHash', () => {
  const base = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'x' }] } };
  const cases: { name: string; other: object; want: boolean }[] = [
    { name: 'the same template with a hash label', other: { metadata: { labels: { app: 'web', 'pod-template-hash': 'abc' } }, spec: base.spec }, want: true },
    { name: 'a different image', other: { metadata: base.metadata, spec: { containers: [{ name: 'c', image: 'y' }] } }, want: false },
    { name: 'an added annotation (kubectl rollout restart)', other: { metadata: { ...base.metadata, annotations: { 'kubectl.kubernetes.io/restartedAt': 't' } }, spec: base.spec }, want: false },
    { name: 'an empty annotations map', other: { metadata: { ...base.metadata, annotations: {} }, spec: base.spec }, want: true },
  ];
  for (const c of cases) it(`${c.want ? 'equals' : 'differs from'} ${c.name}`, () => assert.equal(isEqualIgnoringHash(base, c.other), c.want));
});

describe('canonicalize', () => {
  it('keeps false, zero and empty strings', () => assert.deepEqual(canonicalize({ a: false, b: 0, c: '', d: null, e: {} }), { a: false, b: 0, c: '' }));
});
