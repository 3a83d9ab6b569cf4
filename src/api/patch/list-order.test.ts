import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '../status.ts';
import { checkSetElementOrder, orderMergedList } from './list-order.ts';

const ports = (...numbers: number[]) => numbers.map((port) => ({ port }));

describe('orderMergedList', () => {
  // Cases from apimachinery's strategicpatch tests ("preserve the order from the patch in a merging list").
  const cases: Array<{ name: string; merged: unknown[]; patchOrder: unknown[]; serverOrder: unknown[]; mergeKey?: string; expected: unknown[] }> = [
    { name: 'patch items take the patch order', merged: ports(1, 2, 3), patchOrder: ports(3, 1, 2), serverOrder: ports(1, 2, 3), mergeKey: 'port', expected: ports(3, 1, 2) },
    { name: 'a server-only item stays ahead of the patch items that follow it live', merged: ports(1, 2, 3), patchOrder: ports(3, 1), serverOrder: ports(1, 2, 3), mergeKey: 'port', expected: ports(2, 3, 1) },
    { name: 'server-only items interleave by their live position', merged: ports(1, 2, 3, 4), patchOrder: ports(2, 4), serverOrder: ports(1, 2, 3, 4), mergeKey: 'port', expected: ports(1, 2, 3, 4) },
    { name: 'a new item has no live position and goes before the remaining server-only items', merged: ports(1, 2, 9), patchOrder: ports(9), serverOrder: ports(1, 2), mergeKey: 'port', expected: ports(9, 1, 2) },
    { name: 'a new item named after a live one follows it', merged: ports(1, 2, 3, 9), patchOrder: ports(2, 9), serverOrder: ports(1, 2, 3), mergeKey: 'port', expected: ports(1, 2, 9, 3) },
    { name: 'scalars use the value as identity', merged: [1, 2, 3], patchOrder: [3, 1], serverOrder: [1, 2, 3], expected: [2, 3, 1] },
    { name: '$setElementOrder naming items that are gone is ignored for them', merged: ports(1, 3), patchOrder: ports(3, 2, 1), serverOrder: ports(1, 3), mergeKey: 'port', expected: ports(3, 1) },
  ];
  for (const { name, merged, patchOrder, serverOrder, mergeKey, expected } of cases) {
    it(name, () => assert.deepEqual(orderMergedList(merged, { patchOrder, serverOrder, mergeKey }), expected));
  }

  it('keeps the other fields of the items it orders', () => {
    const merged = [{ name: 'a', image: 'x' }, { name: 'b', image: 'y' }];
    assert.deepEqual(orderMergedList(merged, { patchOrder: [{ name: 'b' }, { name: 'a' }], serverOrder: merged, mergeKey: 'name' }), [
      { name: 'b', image: 'y' },
      { name: 'a', image: 'x' },
    ]);
  });

  it('rejects an item without the merge key with upstream\'s message', () => {
    assert.throws(
      () => orderMergedList([{ name: 'x' }], { patchOrder: [], serverOrder: [], mergeKey: 'port' }),
      (e: unknown) => e instanceof StatusError && e.code === 400 && e.message === 'map: {"name":"x"} does not contain declared merge key: port',
    );
  });
});

describe('checkSetElementOrder', () => {
  it('accepts a patch list in the same relative order as $setElementOrder', () => {
    checkSetElementOrder(ports(1, 3), ports(1, 2, 3), 'port');
    checkSetElementOrder([{ port: 2, $patch: 'delete' }, { port: 3 }], ports(3), 'port');
    checkSetElementOrder(['b'], ['a', 'b'], undefined);
  });

  it('rejects a patch list whose order differs', () => {
    assert.throws(
      () => checkSetElementOrder(ports(3, 1), ports(1, 2, 3), 'port'),
      (e: unknown) => e instanceof StatusError && e.code === 400 && e.message.includes("doesn't match $setElementOrder list"),
    );
  });

  it('rejects a patch list naming an item $setElementOrder lacks', () => {
    assert.throws(() => checkSetElementOrder(['c'], ['a', 'b'], undefined), StatusError);
  });
});
