import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyMergePatch } from './json-merge-patch.ts';

describe('applyMergePatch', () => {
  // RFC 7386, Appendix A.
  const rfcExamples: Array<[unknown, unknown, unknown]> = [
    [{ a: 'b' }, { a: 'c' }, { a: 'c' }],
    [{ a: 'b' }, { b: 'c' }, { a: 'b', b: 'c' }],
    [{ a: 'b' }, { a: null }, {}],
    [{ a: 'b', b: 'c' }, { a: null }, { b: 'c' }],
    [{ a: ['b'] }, { a: 'c' }, { a: 'c' }],
    [{ a: 'c' }, { a: ['b'] }, { a: ['b'] }],
    [{ a: { b: 'c' } }, { a: { b: 'd', c: null } }, { a: { b: 'd' } }],
    [{ a: [{ b: 'c' }] }, { a: [1] }, { a: [1] }],
    [['a', 'b'], ['c', 'd'], ['c', 'd']],
    [{ a: 'b' }, ['c'], ['c']],
    [{ a: 'foo' }, null, null],
    [{ a: 'foo' }, 'bar', 'bar'],
    [{ e: null }, { a: 1 }, { e: null, a: 1 }],
    [[1, 2], { a: 'b', c: null }, { a: 'b' }],
    [{}, { a: { bb: { ccc: null } } }, { a: { bb: {} } }],
  ];
  for (const [target, patch, expected] of rfcExamples) {
    it(`RFC 7386 example: ${JSON.stringify(target)} + ${JSON.stringify(patch)} gives ${JSON.stringify(expected)}`, () => {
      assert.deepEqual(applyMergePatch(target, patch), expected);
    });
  }

  it('applies a kubectl label patch to a Service, keeping every other field', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'demo', labels: { app: 'demo', tier: 'web' } }, spec: { ports: [{ port: 80 }] } };
    const patched = applyMergePatch(service, { metadata: { labels: { tier: null, env: 'prod' } } });
    assert.deepEqual(patched, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'demo', labels: { app: 'demo', env: 'prod' } }, spec: { ports: [{ port: 80 }] } });
  });

  it('replaces lists whole (no merging by key)', () => {
    const deployment = { spec: { template: { spec: { containers: [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }] } } } };
    const patched = applyMergePatch(deployment, { spec: { template: { spec: { containers: [{ name: 'a', image: 'z' }] } } } });
    assert.deepEqual(patched, { spec: { template: { spec: { containers: [{ name: 'a', image: 'z' }] } } } });
  });

  it('does not mutate its inputs and shares no structure with them', () => {
    const target = { metadata: { name: 'a', labels: { x: '1' } }, spec: { list: [1, 2] } };
    const patch = { metadata: { labels: { y: '2' } }, data: { nested: { k: 'v' } } };
    const targetCopy = structuredClone(target);
    const patchCopy = structuredClone(patch);
    const result = applyMergePatch(target, patch) as { metadata: { name?: string }; spec: { list: number[] }; data: { nested: { k: string } } };
    assert.deepEqual(target, targetCopy);
    assert.deepEqual(patch, patchCopy);
    delete result.metadata.name;
    result.spec.list.push(3);
    result.data.nested.k = 'changed';
    assert.deepEqual(target, targetCopy);
    assert.deepEqual(patch, patchCopy);
  });

  it('treats "__proto__" as an ordinary key', () => {
    const patch = JSON.parse('{"__proto__": {"polluted": true}}');
    const result = applyMergePatch({}, patch) as Record<string, unknown>;
    assert.equal(Object.getPrototypeOf(result), Object.prototype);
    assert.deepEqual(Object.getOwnPropertyDescriptor(result, '__proto__')?.value, { polluted: true });
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
