import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { REPLACED_VERSIONS_TTL_MS, ReplacedVersions } from './replaced-versions.ts';

describe('ReplacedVersions', () => {
  it('flags a cache that still shows any version we replaced, until it moves past them', () => {
    const r = new ReplacedVersions();
    r.replaced('ns/a', '10');
    r.replaced('ns/a', '11'); // a second write in the same sync
    assert.ok(r.isStale('ns/a', '10'));
    assert.ok(r.isStale('ns/a', '11'));
    assert.ok(!r.isStale('ns/a', '12'));
    assert.ok(!r.isStale('ns/a', '10'), 'forgotten once the cache caught up');
  });

  it('never flags objects it did not write, nor a missing version', () => {
    const r = new ReplacedVersions();
    r.replaced('ns/a', undefined);
    assert.ok(!r.isStale('ns/a', '1'));
    r.replaced('ns/b', '1');
    assert.ok(!r.isStale('ns/b', undefined));
  });

  it('stops flagging after the TTL, in case the event of our write was lost', () => {
    let now = 0;
    const r = new ReplacedVersions({ now: () => now });
    r.replaced('ns/a', '10');
    now = REPLACED_VERSIONS_TTL_MS + 1;
    assert.ok(!r.isStale('ns/a', '10'));
  });
});
