import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { SqliteStore } from './sqlite-store.ts';
import type { StoreError, StoreEvent } from './store.ts';
import { waitFor } from '../lib/wait.ts';

describe('SqliteStore', () => {
  let dir: string;
  let path: string;
  const opened: SqliteStore[] = [];
  /** Watch errors other than the Closed that ends every watch at cleanup. */
  let errors: StoreError[] = [];
  const unexpected = (e: StoreError) => void (e.code === 'Closed' || errors.push(e));
  const open = (options?: { historyLimit?: number }) => {
    const s = SqliteStore.open(path, options);
    opened.push(s);
    return s;
  };
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-'));
    path = join(dir, 'state.db');
  });
  afterEach(async () => {
    for (const s of opened.splice(0)) await s.close();
    const seen = errors;
    errors = [];
    assert.deepEqual(seen, []);
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps objects, the revision and the change history across close and re-open', async () => {
    const first = open();
    const r1 = await first.create('k/a', { v: 1 });
    const r2 = await first.update('k/a', { v: 2 }, r1);
    const r3 = await first.create('k/b', { v: 1 });
    const r4 = (await first.delete('k/b')).revision;
    await first.close();
    const again = open();
    assert.equal(await again.currentRevision(), r4);
    assert.deepEqual(await again.list('k/'), { items: [{ key: 'k/a', value: { v: 2 }, revision: r2 }], revision: r4 });
    const events: StoreEvent[] = [];
    again.watch('k/', { afterRevision: r1, onEvent: (e) => events.push(e), onError: unexpected });
    const r5 = await again.create('k/c', {});
    assert.ok(r5 > r4);
    await waitFor('the replayed and live events', () => events.length === 4);
    assert.deepEqual(events.map((e) => e.revision), [r2, r3, r4, r5]);
  });

  it('keeps every acknowledged write when the writing process is killed with SIGKILL', async () => {
    const moduleUrl = pathToFileURL(join(import.meta.dirname, 'sqlite-store.ts')).href;
    const script = `
      const { SqliteStore } = await import(${JSON.stringify(moduleUrl)});
      const store = SqliteStore.open(process.env.SKIFF_DB);
      for (let i = 0; ; i++) {
        const rev = await store.create('k/' + i, { i });
        process.stdout.write('ok ' + i + ' ' + rev + '\\n');
        await new Promise((resolve) => setImmediate(resolve));
      }`;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], { env: { ...process.env, SKIFF_DB: path }, stdio: ['ignore', 'pipe', 'inherit'] });
    const acked = new Map<number, number>();
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      for (const m of out.matchAll(/^ok (\d+) (\d+)$/gm)) acked.set(Number(m[1]), Number(m[2]));
      if (acked.size >= 50) child.kill('SIGKILL');
    });
    const [, signal] = await new Promise<[number | null, string | null]>((resolve) => child.once('exit', (code, sig) => resolve([code, sig])));
    assert.equal(signal, 'SIGKILL');
    assert.ok(acked.size >= 50);
    const store = open();
    for (const [i, rev] of acked) assert.deepEqual(await store.get(`k/${i}`), { key: `k/${i}`, value: { i }, revision: rev });
    assert.ok((await store.currentRevision()) >= Math.max(...acked.values()));
  });

  it('trims history to the window and answers older watches with Compacted', async () => {
    const store = open({ historyLimit: 10 });
    let last = 0;
    for (let i = 0; i < 40; i++) last = await store.create(`k/${i}`, { i });
    const old: StoreError[] = [];
    store.watch('k/', { afterRevision: 1, onEvent: () => assert.fail('no event expected'), onError: (e) => old.push(e) });
    await waitFor('the Compacted error', () => old.length > 0);
    assert.equal(old[0].code, 'Compacted');
    const events: StoreEvent[] = [];
    store.watch('k/', { afterRevision: last - 10, onEvent: (e) => events.push(e), onError: unexpected });
    await waitFor('ten replayed events', () => events.length === 10);
    assert.deepEqual(events.map((e) => e.key), Array.from({ length: 10 }, (_, i) => `k/${30 + i}`));
  });

  it('refuses a second open of a file that is in use', async () => {
    open();
    assert.throws(() => SqliteStore.open(path), (e: StoreError) => e.code === 'Unavailable' && /locked/.test(e.message));
  });

  it('feeds hundreds of watchers of many prefixes exactly their own events', async () => {
    const store = open();
    const namespaces = Array.from({ length: 100 }, (_, i) => `ns${i}`);
    for (let i = 0; i < 1_000; i++) await store.create(`core/pods/${namespaces[i % 100]}/p${i}`, { i });
    const from = await store.currentRevision();
    const counts = new Map<string, number>();
    const watch = (prefix: string) => {
      counts.set(prefix, 0);
      store.watch(prefix, { afterRevision: from, onEvent: (e) => {
        assert.ok(e.key.startsWith(prefix));
        counts.set(prefix, counts.get(prefix)! + 1);
      }, onError: unexpected });
    };
    for (const ns of namespaces) {
      watch(`core/pods/${ns}/`);
      watch(`core/services/${ns}/`);
    }
    watch('core/pods/');
    watch('core/pods/ns1'); // a string prefix: ns1, ns10..ns19
    for (let i = 0; i < 1_000; i += 5) await store.update(`core/pods/${namespaces[i % 100]}/p${i}`, { i, touched: true });
    await waitFor('the global watcher to see every update', () => counts.get('core/pods/') === 200);
    assert.equal(counts.get('core/pods/ns0/'), 10);
    assert.equal(counts.get('core/pods/ns1/'), 0);
    assert.equal(counts.get('core/pods/ns1'), 20);
    assert.equal(counts.get('core/services/ns0/'), 0);
  });
});
