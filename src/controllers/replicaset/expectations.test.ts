import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.ts';

describe('ControllerExpectations', () => {
  it('is satisfied for a controller that never wrote', () => {
    assert.ok(new ControllerExpectations().isSatisfied('ns/rs'));
  });

  it('waits until every expected creation is observed', () => {
    const e = new ControllerExpectations();
    e.expectCreations('ns/rs', 2);
    assert.ok(!e.isSatisfied('ns/rs'));
    e.creationObserved('ns/rs');
    assert.ok(!e.isSatisfied('ns/rs'));
    e.creationObserved('ns/rs');
    assert.ok(e.isSatisfied('ns/rs'));
  });

  it('counts the deletion of each awaited pod once and ignores others', () => {
    const e = new ControllerExpectations();
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a'); // a terminating update, then the delete itself
    e.deletionObserved('ns/rs', 'ns/unrelated');
    assert.deepEqual(e.pending('ns/rs'), { add: 0, del: 1 });
    e.deletionObserved('ns/rs', 'ns/b');
    assert.ok(e.isSatisfied('ns/rs'));
  });

  it('gives up on expectations older than the timeout', () => {
    let now = 1000;
    const e = new ControllerExpectations({ now: () => now });
    e.expectCreations('ns/rs', 1);
    now += EXPECTATIONS_TIMEOUT_MS;
    assert.ok(!e.isSatisfied('ns/rs'));
    now += 1;
    assert.ok(e.isSatisfied('ns/rs'));
  });

  it('forgets a deleted controller', () => {
    const e = new ControllerExpectations();
    e.expectCreations('ns/rs', 1);
    e.delete('ns/rs');
    assert.ok(e.isSatisfied('ns/rs'));
  });
});
