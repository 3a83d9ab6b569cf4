import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { WatchHub } from './watch-hub.ts';
import type { RawEvent } from './watch-hub.ts';
import { StoreError } from './store.ts';
import type { StoreEvent } from './store.ts';

const added = (key: string, revision: number): RawEvent => ({ type: 'ADDED', key, value: JSON.stringify({ key }), revision });
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('WatchHub', () => {
  it('delivers after the publishing call returns, in order, to the watchers whose prefix matches', async () => {
    const hub = new WatchHub();
    const seen: string[] = [];
    hub.add('a/', { afterRevision: 0, onEvent: (e) => seen.push(`a:${e.revision}`), onError: assert.fail });
    hub.add('a/b/', { afterRevision: 0, onEvent: (e) => seen.push(`ab:${e.revision}`), onError: assert.fail });
    hub.publish(added('a/b/1', 1));
    hub.publish(added('a/c', 2));
    hub.publish(added('b/a/', 3));
    assert.deepEqual(seen, []);
    await settle();
    assert.deepEqual(seen, ['a:1', 'a:2', 'ab:1']);
  });

  it('gives every watcher its own copy of a value', async () => {
    const hub = new WatchHub();
    const got: StoreEvent[] = [];
    for (let i = 0; i < 2; i++) hub.add('', { afterRevision: 0, onEvent: (e) => got.push(e), onError: assert.fail });
    hub.publish(added('k', 1));
    await settle();
    assert.notEqual(got[0].value, got[1].value);
    assert.deepEqual(got[0].value, got[1].value);
  });

  it('skips events at or below a watcher\'s revision, so replay and live events never overlap', async () => {
    const hub = new WatchHub();
    const revs: number[] = [];
    hub.add('', { afterRevision: 0, onEvent: (e) => revs.push(e.revision * 100), onError: assert.fail }).stop();
    hub.add('', { afterRevision: 1, onEvent: (e) => revs.push(e.revision), onError: assert.fail });
    hub.add('k', { afterRevision: 0, onEvent: (e) => revs.push(e.revision * 10), onError: assert.fail });
    hub.publish(added('k', 1));
    hub.publish(added('k', 2));
    hub.publish(added('k', 2));
    await settle();
    assert.deepEqual(revs.sort((a, b) => a - b), [2, 10, 20]);
  });

  it('ends only the watch whose handler throws, with Unavailable, and keeps feeding the others', async () => {
    const hub = new WatchHub();
    const errors: StoreError[] = [];
    const good: number[] = [];
    hub.add('', { afterRevision: 0, onEvent: () => { throw new Error('boom'); }, onError: (e) => errors.push(e) });
    hub.add('', { afterRevision: 0, onEvent: (e) => good.push(e.revision), onError: assert.fail });
    hub.publish(added('k', 1));
    hub.publish(added('k', 2));
    await settle();
    assert.deepEqual(good, [1, 2]);
    assert.equal(errors.length, 1);
    assert.equal(errors[0].code, 'Unavailable');
    assert.match(errors[0].message, /boom/);
    assert.equal(hub.size, 1);
  });

  it('closes every watcher after the events already queued for it', async () => {
    const hub = new WatchHub();
    const log: string[] = [];
    hub.add('', { afterRevision: 0, onEvent: (e) => log.push(`event ${e.revision}`), onError: (e) => log.push(e.code) });
    hub.publish(added('k', 1));
    await hub.closeAll(new StoreError('Closed', 'closed'));
    assert.deepEqual(log, ['event 1', 'Closed']);
    assert.equal(hub.size, 0);
  });
});
