import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EndpointSlots, MAP_SLOTS } from './endpoint-slots.ts';
import type { SlotRun } from './endpoint-slots.ts';

const overlaps = (a: SlotRun, b: SlotRun) => a.map === b.map && a.offset < b.offset + b.capacity && b.offset < a.offset + a.capacity;

describe('EndpointSlots', () => {
  it('gives each chain a run of a power-of-two capacity, without overlaps, filling a map before starting the next', () => {
    const slots = new EndpointSlots();
    const runs = Array.from({ length: 200 }, (_, i) => slots.place(`chain-${i}`, (i % 10) + 1));
    for (const [i, r] of runs.entries()) {
      assert.ok(r.capacity >= (i % 10) + 1 && Number.isInteger(Math.log2(r.capacity)), `capacity ${r.capacity} for ${(i % 10) + 1}`);
      assert.equal(r.offset % r.capacity, 0, 'aligned to its capacity');
      assert.ok(r.offset + r.capacity <= MAP_SLOTS);
      for (const other of runs.slice(0, i)) assert.ok(!overlaps(r, other), `${JSON.stringify(r)} overlaps ${JSON.stringify(other)}`);
    }
    assert.deepEqual(slots.takeNewMaps(), slots.maps);
    assert.ok(slots.maps.length > 1);
    assert.deepEqual(slots.takeNewMaps(), [], 'reported once');
  });

  it('keeps a chain in its run while its endpoints fit, and moves it when they outgrow it', () => {
    const slots = new EndpointSlots();
    const first = slots.place('a', 3);
    assert.equal(first.capacity, 4);
    assert.deepEqual(slots.place('a', 2), first);
    assert.deepEqual(slots.place('a', 4), first);
    const grown = slots.place('a', 5);
    assert.equal(grown.capacity, 8);
    assert.ok(!overlaps(grown, first) || grown.offset === first.offset);
    // The run it left is free again for a chain of that size.
    assert.deepEqual(slots.place('b', 4), first);
  });

  it('reuses released runs, lowest first', () => {
    const slots = new EndpointSlots();
    const a = slots.place('a', 2);
    const b = slots.place('b', 2);
    slots.place('c', 2);
    slots.release('b');
    slots.release('a');
    assert.deepEqual(slots.place('d', 2), a);
    assert.deepEqual(slots.place('e', 2), b);
    slots.release('nobody');
  });

  it('gives a chain with more endpoints than a map holds a map of its own', () => {
    const slots = new EndpointSlots();
    const small = slots.place('small', 2);
    const big = slots.place('big', MAP_SLOTS + 1);
    assert.notEqual(big.map, small.map);
    assert.equal(big.offset, 0);
    assert.equal(big.capacity, MAP_SLOTS * 2);
    assert.notEqual(slots.place('after', 2).map, big.map);
  });
});
