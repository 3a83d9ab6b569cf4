// The suite every Store implementation must pass: run it from `<impl>.contract.test.ts`.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Store, StoreErrorCode, StoreEvent, WatchHandle } from './store.ts';
import { StoreError } from './store.ts';
import { waitFor } from '../lib/wait.ts';

export interface OpenedStore {
  store: Store;
  cleanup(): Promise<void>;
}

/** Implementations offer compaction as a test and operations hook, outside the Store interface. */
type Compactable = Store & { compact?(revision: number): Promise<void> };

interface Recorder {
  events: StoreEvent[];
  errors: StoreError[];
  handle: WatchHandle;
}

function record(store: Store, prefix: string, afterRevision: number): Recorder {
  const events: StoreEvent[] = [];
  const errors: StoreError[] = [];
  const handle = store.watch(prefix, { afterRevision, onEvent: (e) => events.push(e), onError: (e) => errors.push(e) });
  return { events, errors, handle };
}

function rejectsWith(code: StoreErrorCode): (e: unknown) => boolean {
  return (e) => e instanceof StoreError && e.code === code;
}

async function eventsUntil(r: Recorder, revision: number): Promise<StoreEvent[]> {
  await waitFor(`an event at revision ${revision}`, () => r.errors.length > 0 || r.events.some((e) => e.revision >= revision));
  assert.deepEqual(r.errors, []);
  return r.events;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

export function runStoreContract(name: string, open: () => Promise<OpenedStore>): void {
  describe(`Store contract: ${name}`, () => {
    let opened: OpenedStore;
    let store: Store;
    beforeEach(async () => {
      opened = await open();
      store = opened.store;
    });
    afterEach(() => opened.cleanup());

    it('returns undefined for a key that was never written', async () => {
      assert.equal(await store.get('core/pods/default/none'), undefined);
    });

    it('creates a key and reads it back at the revision the create returned', async () => {
      const rev = await store.create('core/pods/default/a', { name: 'a' });
      assert.deepEqual(await store.get('core/pods/default/a'), { key: 'core/pods/default/a', value: { name: 'a' }, revision: rev });
      assert.equal(await store.currentRevision(), rev);
    });

    it('refuses to create a key that exists, keeping the old value', async () => {
      const rev = await store.create('k/x', { v: 1 });
      await assert.rejects(store.create('k/x', { v: 2 }), rejectsWith('KeyExists'));
      assert.deepEqual(await store.get('k/x'), { key: 'k/x', value: { v: 1 }, revision: rev });
    });

    it('updates a key to a newer revision, with or without a matching expectedRevision', async () => {
      const r1 = await store.create('k/x', { v: 1 });
      const r2 = await store.update('k/x', { v: 2 });
      const r3 = await store.update('k/x', { v: 3 }, r2);
      assert.ok(r1 < r2 && r2 < r3);
      assert.deepEqual(await store.get('k/x'), { key: 'k/x', value: { v: 3 }, revision: r3 });
    });

    it('refuses updates of a missing key with KeyNotFound', async () => {
      await assert.rejects(store.update('k/none', { v: 1 }), rejectsWith('KeyNotFound'));
      const rev = await store.create('k/other', {});
      await assert.rejects(store.update('k/none', { v: 1 }, rev), rejectsWith('KeyNotFound'));
      assert.equal(await store.get('k/none'), undefined);
    });

    it('refuses an update or delete with a stale expectedRevision with RevisionMismatch', async () => {
      const r1 = await store.create('k/x', { v: 1 });
      const r2 = await store.update('k/x', { v: 2 }, r1);
      await assert.rejects(store.update('k/x', { v: 3 }, r1), rejectsWith('RevisionMismatch'));
      await assert.rejects(store.delete('k/x', r1), rejectsWith('RevisionMismatch'));
      assert.deepEqual(await store.get('k/x'), { key: 'k/x', value: { v: 2 }, revision: r2 });
      assert.equal(await store.currentRevision(), r2);
    });

    it('deletes a key, returning its last value and the revision of the delete', async () => {
      const r1 = await store.create('k/x', { v: 1 });
      const del = await store.delete('k/x', r1);
      assert.deepEqual(del.value, { v: 1 });
      assert.ok(del.revision > r1);
      assert.equal(await store.currentRevision(), del.revision);
      assert.equal(await store.get('k/x'), undefined);
      await assert.rejects(store.delete('k/x'), rejectsWith('KeyNotFound'));
      const r3 = await store.create('k/x', { v: 'again' });
      assert.ok(r3 > del.revision);
    });

    it('gives every write, on any key, a strictly greater revision', async () => {
      const revs = [await store.currentRevision()];
      revs.push(await store.create('a/1', {}), await store.create('b/1', {}), await store.update('a/1', { x: 1 }));
      revs.push((await store.delete('b/1')).revision, await store.create('c/1', {}));
      for (let i = 1; i < revs.length; i++) assert.ok(revs[i] > revs[i - 1], `revision ${revs[i]} follows ${revs[i - 1]}`);
      assert.equal(await store.currentRevision(), revs.at(-1));
    });

    it('lists the keys under a prefix sorted by key, with the revision of the list', async () => {
      for (const k of ['s/b', 's/a/2', 's/a/10', 's/c', 's/a', 't/a', 'r/z']) await store.create(k, { k });
      const rev = await store.update('s/c', { k: 's/c', changed: true });
      const res = await store.list('s/');
      assert.deepEqual(res.items.map((i) => i.key), ['s/a', 's/a/10', 's/a/2', 's/b', 's/c']);
      assert.equal(res.revision, rev);
      assert.deepEqual(res.items.at(-1), { key: 's/c', value: { k: 's/c', changed: true }, revision: rev });
      assert.deepEqual((await store.list('none/')).items, []);
      assert.equal((await store.list('')).items.length, 7);
    });

    it('matches prefixes as exact strings: no wildcards, no sibling namespaces', async () => {
      const keys = ['core/services/default/a', 'core/services/default2/b', 'a/b/1', 'a/bc/1', 'w/a_b', 'w/aXb', 'w/a%', 'w/abc'];
      for (const k of keys) await store.create(k, {});
      const keysOf = async (p: string) => (await store.list(p)).items.map((i) => i.key);
      assert.deepEqual(await keysOf('core/services/default/'), ['core/services/default/a']);
      assert.deepEqual(await keysOf('a/b/'), ['a/b/1']);
      assert.deepEqual(await keysOf('a/b'), ['a/b/1', 'a/bc/1']);
      assert.deepEqual(await keysOf('w/a_'), ['w/a_b']);
      assert.deepEqual(await keysOf('w/a%'), ['w/a%']);
    });

    it('returns values exactly as written', async () => {
      const value = {
        text: 'ünïcödé ✓ 😀 "quoted" \\ \n\t', empty: '', n: 1.5, neg: -3, max: Number.MAX_SAFE_INTEGER, isOn: true, isOff: false,
        none: null, list: [1, 'two', { three: [] }, null], nested: { a: { b: { c: {} } } },
      };
      const key = 'x/ä/😀';
      await store.create(key, value);
      assert.deepEqual((await store.get(key))?.value, value);
      assert.deepEqual((await store.list('x/')).items[0].value, value);
      const w = record(store, 'x/', 0);
      const rev = await store.update(key, { ...value, n: 2 });
      const [added, modified] = await eventsUntil(w, rev);
      assert.deepEqual(added.value, value);
      assert.deepEqual(modified.prevValue, value);
      assert.deepEqual(modified.value, { ...value, n: 2 });
      w.handle.stop();
    });

    it('watches creates, updates and deletes in order, with previous values', async () => {
      const w = record(store, 'core/pods/', await store.currentRevision());
      const r1 = await store.create('core/pods/ns/a', { v: 1 });
      const r2 = await store.update('core/pods/ns/a', { v: 2 }, r1);
      const r3 = await store.create('core/pods/ns/b', { v: 1 });
      const r4 = (await store.delete('core/pods/ns/a')).revision;
      await store.create('core/other/ns/a', { v: 1 });
      assert.deepEqual(await eventsUntil(w, r4), [
        { type: 'ADDED', key: 'core/pods/ns/a', value: { v: 1 }, revision: r1 },
        { type: 'MODIFIED', key: 'core/pods/ns/a', value: { v: 2 }, prevValue: { v: 1 }, revision: r2 },
        { type: 'ADDED', key: 'core/pods/ns/b', value: { v: 1 }, revision: r3 },
        { type: 'DELETED', key: 'core/pods/ns/a', value: { v: 2 }, prevValue: { v: 2 }, revision: r4 },
      ]);
      w.handle.stop();
    });

    it('hands every watcher values of its own, so one watcher changing them cannot touch another', async () => {
      const from = await store.currentRevision();
      const mutating = store.watch('core/pods/', { afterRevision: from, onEvent: (e) => ((e.value.meta as { v: number }).v = 99), onError: () => {} });
      const w = record(store, 'core/pods/', from);
      const r1 = await store.create('core/pods/ns/own', { meta: { v: 1 } });
      const r2 = (await store.delete('core/pods/ns/own')).revision;
      const events = await eventsUntil(w, r2);
      mutating.stop();
      w.handle.stop();
      assert.deepEqual(events.map((e) => [e.revision, e.value, e.prevValue]), [[r1, { meta: { v: 1 } }, undefined], [r2, { meta: { v: 1 } }, { meta: { v: 1 } }]]);
      assert.notEqual(events[1].value, events[1].prevValue, 'value and prevValue are separate objects');
    });

    it('never delivers an event on the stack of the write that caused it', async () => {
      const w = record(store, 'k/', await store.currentRevision());
      const pending = store.create('k/a', {});
      assert.equal(w.events.length, 0);
      await eventsUntil(w, await pending);
      w.handle.stop();
    });

    it('replays every change after an older revision, then continues live', async () => {
      const r0 = await store.create('k/a', { v: 1 });
      const r1 = await store.update('k/a', { v: 2 });
      const r2 = await store.create('k/b', { v: 1 });
      const r3 = (await store.delete('k/a')).revision;
      const w = record(store, 'k/', r0);
      const r4 = await store.create('k/c', { v: 1 });
      const events = await eventsUntil(w, r4);
      assert.deepEqual(events.map((e) => [e.type, e.key, e.revision]), [['MODIFIED', 'k/a', r1], ['ADDED', 'k/b', r2], ['DELETED', 'k/a', r3], ['ADDED', 'k/c', r4]]);
      assert.deepEqual(events[0].prevValue, { v: 1 });
      w.handle.stop();
    });

    it('delivers nothing up to an afterRevision in the future, then everything after it', async () => {
      const now = await store.currentRevision();
      const w = record(store, 'k/', now + 2);
      await store.create('k/1', {});
      await store.create('k/2', {});
      const r3 = await store.create('k/3', {});
      assert.equal(r3, now + 3);
      assert.deepEqual((await eventsUntil(w, r3)).map((e) => e.key), ['k/3']);
      w.handle.stop();
    });

    it('keeps watchers of neighbouring prefixes apart', async () => {
      const after = await store.currentRevision();
      const prefixes = ['core/services/default/', 'core/services/default2/', 'a/b/', 'a/bc/'];
      const watchers = prefixes.map((p) => record(store, p, after));
      for (const k of ['core/services/default2/x', 'a/bc/1', 'core/services/default/y', 'a/b/1']) await store.create(k, {});
      // A last write under each prefix: once a watcher has seen it, it has seen everything before it.
      const fences: number[] = [];
      for (const p of prefixes) fences.push(await store.create(`${p}~fence`, {}));
      const seen = await Promise.all(watchers.map(async (w, i) => (await eventsUntil(w, fences[i])).map((e) => e.key)));
      assert.deepEqual(seen, [
        ['core/services/default/y', 'core/services/default/~fence'],
        ['core/services/default2/x', 'core/services/default2/~fence'],
        ['a/b/1', 'a/b/~fence'],
        ['a/bc/1', 'a/bc/~fence'],
      ]);
      for (const w of watchers) w.handle.stop();
    });

    it('loses and repeats nothing when writes race with the start of watches', async () => {
      const written: number[] = [];
      let isWriting = true;
      const writer = async (chain: number) => {
        for (let i = 0; i < 50; i++) {
          written.push(await store.create(`race/${chain}/${i}`, { chain, i }));
          await nextTurn();
        }
      };
      const writers = Promise.all([writer(0), writer(1), writer(2)]).finally(() => (isWriting = false));
      const watchers: Array<{ from: number; r: Recorder; isDuringWrites: boolean }> = [];
      for (let n = 0; n < 6; n++) {
        await waitFor('more writes', () => written.length >= n * 20, { intervalMs: 1 });
        const from = n % 2 ? (await store.list('race/')).revision : await store.currentRevision();
        watchers.push({ from, r: record(store, 'race/', from), isDuringWrites: isWriting });
      }
      await writers;
      const fence = await store.create('race/~fence', {});
      for (const { from, r } of watchers) {
        await eventsUntil(r, fence);
        const expected = [...written.filter((rev) => rev > from).sort((a, b) => a - b), fence];
        assert.deepEqual(r.events.map((e) => e.revision), expected, `watch from ${from}`);
        r.handle.stop();
      }
      assert.ok(watchers.filter((w) => w.isDuringWrites).length >= 3, 'most watches started while writes were under way');
    });

    it('stops delivering once stopped', async () => {
      const w = record(store, 'k/', await store.currentRevision());
      const r1 = await store.create('k/a', {});
      await eventsUntil(w, r1);
      w.handle.stop();
      w.handle.stop();
      await store.create('k/b', {});
      const probe = record(store, 'k/', r1);
      const r3 = await store.create('k/c', {});
      await eventsUntil(probe, r3);
      assert.deepEqual(w.events.map((e) => e.key), ['k/a']);
      probe.handle.stop();
    });

    it('fails a watch from a compacted revision with Compacted, and serves the kept history', async (t) => {
      const compactable = store as Compactable;
      if (!compactable.compact) return t.skip('no compact hook');
      const r1 = await store.create('k/a', { v: 1 });
      await store.update('k/a', { v: 2 });
      const r3 = await store.create('k/b', {});
      const r4 = await store.create('k/c', {});
      await compactable.compact(r3);
      const old = record(store, 'k/', r1);
      await waitFor('the Compacted error', () => old.errors.length > 0);
      assert.equal(old.errors[0].code, 'Compacted');
      assert.deepEqual(old.events, []);
      const kept = record(store, 'k/', r3 - 1);
      assert.deepEqual((await eventsUntil(kept, r4)).map((e) => e.key), ['k/b', 'k/c']);
      kept.handle.stop();
    });

    it('lets exactly one of several concurrent updates with the same expectedRevision win', async () => {
      const r1 = await store.create('k/x', { v: 0 });
      const results = await Promise.allSettled(Array.from({ length: 8 }, (_, i) => store.update('k/x', { v: i + 1 }, r1)));
      const won = results.filter((r) => r.status === 'fulfilled');
      assert.equal(won.length, 1);
      for (const r of results) if (r.status === 'rejected') assert.ok(rejectsWith('RevisionMismatch')(r.reason), String(r.reason));
      const stored = await store.get('k/x');
      assert.equal(stored?.revision, (won[0] as PromiseFulfilledResult<number>).value);
      const dels = await Promise.allSettled([store.delete('k/x', stored!.revision), store.delete('k/x', stored!.revision)]);
      assert.equal(dels.filter((r) => r.status === 'fulfilled').length, 1);
    });

    it('ends watches with Closed on close and refuses later calls', async () => {
      const w = record(store, 'k/', await store.currentRevision());
      await store.close();
      await waitFor('the Closed error', () => w.errors.length > 0);
      assert.equal(w.errors[0].code, 'Closed');
      await assert.rejects(store.get('k/a'), rejectsWith('Closed'));
      await assert.rejects(store.create('k/a', {}), rejectsWith('Closed'));
      const late = record(store, 'k/', 0);
      await waitFor('the Closed error of a late watch', () => late.errors.length > 0);
      assert.equal(late.errors[0].code, 'Closed');
      await store.close();
    });
  });
}
