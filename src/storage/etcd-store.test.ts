import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { EtcdStore } from './etcd-store.ts';
import { EtcdTestServer, etcdSkipReason } from './etcd-test-server.ts';
import { StoreError } from './store.ts';
import type { StoreEvent } from './store.ts';
import { waitFor } from '../lib/wait.ts';

function recorder() {
  const events: StoreEvent[] = [];
  const errors: StoreError[] = [];
  return { events, errors, onEvent: (e: StoreEvent) => void events.push(e), onError: (e: StoreError) => void errors.push(e) };
}

describe('EtcdStore', { skip: etcdSkipReason() }, () => {
  let etcd: EtcdTestServer;
  before(async () => {
    etcd = await EtcdTestServer.start();
  });
  after(() => etcd?.stop());

  it('fails to connect with Unavailable when nothing listens', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    await assert.rejects(EtcdStore.connect(`http://127.0.0.1:${port}`), (e) => e instanceof StoreError && e.code === 'Unavailable');
  });

  it('keeps clusters with different key prefixes apart on one etcd', async () => {
    const a = await EtcdStore.connect(etcd.endpoint, { prefix: '/cluster-a/' });
    const b = await EtcdStore.connect(etcd.endpoint, { prefix: '/cluster-ab/' });
    const seenByA = recorder();
    a.watch('', { afterRevision: await a.currentRevision(), ...seenByA });
    await b.create('core/namespaces/default', { from: 'b' });
    const rev = await a.create('core/namespaces/default', { from: 'a' });
    assert.deepEqual((await a.list('')).items.map((i) => i.value), [{ from: 'a' }]);
    assert.deepEqual((await b.get('core/namespaces/default'))?.value, { from: 'b' });
    await waitFor('a to see its own write', () => seenByA.events.some((e) => e.revision === rev));
    assert.deepEqual(seenByA.events.map((e) => [e.key, e.value]), [['core/namespaces/default', { from: 'a' }]]);
    await a.close();
    await b.close();
  });

  it('lists more objects than one range page holds, sorted, at one revision', async () => {
    const store = await EtcdStore.connect(etcd.endpoint, { prefix: '/paging/' });
    const keys = Array.from({ length: 1_234 }, (_, i) => `core/configmaps/ns/cm-${String(i).padStart(4, '0')}`);
    for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => store.create(k, { k })));
    const res = await store.list('core/configmaps/');
    assert.deepEqual(res.items.map((i) => i.key), keys);
    assert.equal(res.revision, await store.currentRevision());
    await store.close();
  });

  it('compacts etcd history one interval behind, so watches from before then fail with Compacted', async () => {
    const store = await EtcdStore.connect(etcd.endpoint, { prefix: '/compactor/', compactionIntervalMs: 100 });
    const r1 = await store.create('k/a', {});
    const errors: StoreError[] = [];
    await waitFor('history before r1 to be compacted', async () => {
      await store.update('k/a', {}); // keep revisions moving so each tick has something to compact
      const w = recorder();
      const h = store.watch('k/', { afterRevision: r1 - 1, ...w });
      await waitFor('the watch to answer', () => w.errors.length > 0 || w.events.length > 0);
      h.stop();
      errors.push(...w.errors);
      return w.errors.length > 0;
    });
    assert.equal(errors[0].code, 'Compacted');
    await store.close();
  });

  it('resumes a watch after etcd restarts, losing and repeating nothing', async () => {
    const store = await EtcdStore.connect(etcd.endpoint, { prefix: '/restart/' });
    const w = recorder();
    store.watch('k/', { afterRevision: await store.currentRevision(), ...w });
    const r1 = await store.create('k/a', { v: 1 });
    await waitFor('the first event', () => w.events.length === 1);
    await etcd.kill();
    await assert.rejects(store.create('k/down', {}), (e) => e instanceof StoreError && e.code === 'Unavailable');
    await etcd.restart();
    const r2 = await store.update('k/a', { v: 2 }, r1);
    const r3 = await store.create('k/b', { v: 1 });
    await waitFor('the events after the restart', () => w.events.length >= 3);
    assert.deepEqual(w.events.map((e) => [e.type, e.revision]), [['ADDED', r1], ['MODIFIED', r2], ['ADDED', r3]]);
    assert.deepEqual(w.events[1].prevValue, { v: 1 });
    assert.deepEqual(w.errors, []);
    await store.close();
  });

  it('ends a watch with Unavailable once etcd has been gone for longer than the retry budget', async () => {
    const store = await EtcdStore.connect(etcd.endpoint, { prefix: '/gone/', watchRetryBudgetMs: 300 });
    const w = recorder();
    store.watch('k/', { afterRevision: await store.currentRevision(), ...w });
    await etcd.kill();
    try {
      await waitFor('the Unavailable error', () => w.errors.length > 0);
      assert.equal(w.errors[0].code, 'Unavailable');
    } finally {
      await etcd.restart();
      await store.close();
    }
  });
});
