import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatLabelSelector, formatLabels, humanDuration, listWithMore, selectorString, since } from './format.ts';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

test('human durations match apimachinery at every boundary', () => {
  const cases: [number, string][] = [
    [-3 * s, '<invalid>'],
    [-2 * s, '<invalid>'],
    [-1.5 * s, '0s'],
    [-1 * s, '0s'],
    [0, '0s'],
    [999, '0s'],
    [5 * s, '5s'],
    [119 * s + 999, '119s'],
    [120 * s, '2m'],
    [3 * m + 20 * s, '3m20s'],
    [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'],
    [10 * m + 59 * s, '10m'],
    [179 * m + 59 * s, '179m'],
    [3 * h, '3h'],
    [5 * h + 3 * m, '5h3m'],
    [7 * h + 59 * m + 59 * s, '7h59m'],
    [8 * h, '8h'],
    [8 * h + 59 * m, '8h'],
    [47 * h + 59 * m, '47h'],
    [48 * h, '2d'],
    [3 * d + 4 * h, '3d4h'],
    [7 * d + 23 * h, '7d23h'],
    [8 * d, '8d'],
    [8 * d + 5 * h, '8d'],
    [45 * d, '45d'],
    [729 * d, '729d'],
    [730 * d, '2y'],
    [760 * d, '2y30d'],
    [8 * 365 * d - h, '7y364d'],
    [8 * 365 * d, '8y'],
    [3300 * d, '9y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `${ms}ms`);
});

test('ages are measured against the given clock, unset or zero timestamps are <unknown>', () => {
  const now = new Date('2025-06-01T12:00:00Z');
  assert.equal(since('2025-06-01T11:55:00Z', now), '5m');
  assert.equal(since('2025-06-01T11:59:59.500000Z', now), '0s');
  assert.equal(since(undefined, now), '<unknown>');
  assert.equal(since(null, now), '<unknown>');
  assert.equal(since('0001-01-01T00:00:00Z', now), '<unknown>');
});

test('label maps print sorted by key, "<none>" when empty', () => {
  assert.equal(formatLabels({ tier: 'web', app: 'shop' }), 'app=shop,tier=web');
  assert.equal(formatLabels({}), '<none>');
  assert.equal(formatLabels(undefined), '<none>');
});

test('label selectors print their requirements sorted by key, with sorted values', () => {
  const sel = {
    matchLabels: { zone: 'a', app: 'web' },
    matchExpressions: [
      { key: 'env', operator: 'In', values: ['prod', 'dev'] },
      { key: 'canary', operator: 'DoesNotExist' },
      { key: 'tier', operator: 'NotIn', values: ['db'] },
      { key: 'team', operator: 'Exists' },
    ],
  };
  assert.equal(selectorString(sel), 'app=web,!canary,env in (dev,prod),team,tier notin (db),zone=a');
  assert.equal(selectorString({}), '');
  assert.equal(formatLabelSelector({}), '<none>');
  assert.equal(formatLabelSelector(undefined), '<none>');
});

test('long lists show three entries and count the rest', () => {
  assert.equal(listWithMore(['a', 'b', 'c']), 'a,b,c');
  assert.equal(listWithMore(['a', 'b', 'c', 'd', 'e']), 'a,b,c + 2 more...');
  assert.equal(listWithMore([]), '<unset>');
});
