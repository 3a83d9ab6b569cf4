import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maxSurge, maxUnavailable, resolveFenceposts, scaledValue } from './fenceposts.ts';
import { deployment } from './test-fixtures.ts';

describe('scaledValue', () => {
  const cases: [number | string, number, boolean, number][] = [
    [3, 10, true, 3],
    ['25%', 10, true, 3],
    ['25%', 10, false, 2],
    ['25%', 4, false, 1],
    ['0%', 10, true, 0],
    ['100%', 7, false, 7],
    ['33%', 3, true, 1],
    ['33%', 3, false, 0],
  ];
  for (const [value, total, isRoundUp, want] of cases) it(`${value} of ${total} rounded ${isRoundUp ? 'up' : 'down'} is ${want}`, () => assert.equal(scaledValue(value, total, isRoundUp), want));

  it('rejects a string that is not a percentage', () => assert.throws(() => scaledValue('5', 10, true), /not a percentage/));
});

describe('resolveFenceposts', () => {
  it('makes maxUnavailable 1 when both would round to zero', () => assert.deepEqual(resolveFenceposts('0%', '10%', 5), [0, 1]));
  it('keeps zero unavailable when surge is positive', () => assert.deepEqual(resolveFenceposts(1, 0, 5), [1, 0]));
});

describe('maxSurge / maxUnavailable of a Deployment', () => {
  const cases: { name: string; d: ReturnType<typeof deployment>; surge: number; unavailable: number }[] = [
    { name: 'defaults of 25% on 10 replicas', d: deployment({ replicas: 10 }), surge: 3, unavailable: 2 },
    { name: 'ints as given', d: deployment({ replicas: 3, surge: 1, unavailable: 0 }), surge: 1, unavailable: 0 },
    { name: 'unavailable capped at replicas', d: deployment({ replicas: 2, surge: 0, unavailable: 5 }), surge: 0, unavailable: 2 },
    { name: 'Recreate has neither', d: deployment({ replicas: 4, recreate: true }), surge: 0, unavailable: 0 },
    { name: 'zero replicas have no unavailability', d: deployment({ replicas: 0 }), surge: 0, unavailable: 0 },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual([maxSurge(c.d), maxUnavailable(c.d)], [c.surge, c.unavailable]));
});
