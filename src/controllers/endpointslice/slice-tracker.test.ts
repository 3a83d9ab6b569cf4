import { it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice } from '../../api/types.ts';
import { SliceTracker } from './slice-tracker.ts';

const slice = (name: string, resourceVersion: string): EndpointSlice => ({ metadata: { name, resourceVersion }, addressType: 'IPv4', endpoints: [] });

it('calls a cache stale until it shows every slice written, at least at the version written', () => {
  const t = new SliceTracker();
  t.recordWrite('ns/web', slice('web-a', '10'));
  assert.equal(t.isStale('ns/web', []), true, 'created slice missing');
  assert.equal(t.isStale('ns/web', [slice('web-a', '9')]), true, 'older version');
  assert.equal(t.isStale('ns/web', [slice('web-a', '12')]), false, 'newer version: someone else wrote after us');
  assert.equal(t.isStale('ns/web', []), false, 'expectation forgotten once met');
  assert.equal(t.isStale('ns/other', []), false);
});

it('calls a cache stale while it still holds a slice we deleted', () => {
  const t = new SliceTracker();
  t.recordDeletion('ns/web', slice('web-a', '10'));
  assert.equal(t.isStale('ns/web', [slice('web-a', '10')]), true);
  assert.equal(t.isStale('ns/web', []), false);
});

it('recognises the echo of its own writes and deletions, not others', () => {
  const t = new SliceTracker();
  t.recordWrite('ns/web', slice('web-a', '10'));
  assert.equal(t.isOwnWrite('ns/web', slice('web-a', '10')), true);
  assert.equal(t.isOwnWrite('ns/web', slice('web-a', '11')), false);
  t.recordDeletion('ns/web', slice('web-b', '5'));
  assert.equal(t.handleDeletion('ns/web', slice('web-b', '5')), true);
  assert.equal(t.handleDeletion('ns/web', slice('web-a', '10')), false, 'someone else deleted a slice we wrote');
  assert.equal(t.isStale('ns/web', []), false, 'and we no longer wait for it');
});

it('gives up on an expectation the cache never meets after maxAgeMs', () => {
  let now = 0;
  const t = new SliceTracker({ now: () => now, maxAgeMs: 1000 });
  t.recordWrite('ns/web', slice('web-a', '10'));
  assert.equal(t.isStale('ns/web', []), true);
  now = 1001;
  assert.equal(t.isStale('ns/web', []), false);
});
