import { it } from 'node:test';
import assert from 'node:assert/strict';
import { WorkQueue } from './work-queue.ts';

it('processes each added key once even when added many times while queued', async () => {
  const seen: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const q = new WorkQueue(async (k) => {
    seen.push(k);
    if (k === 'busy') await gate;
  }, { workers: 1 });
  q.add('busy');
  q.add('a');
  q.add('a');
  q.add('b');
  q.add('a');
  release();
  await q.idle();
  assert.deepEqual(seen, ['busy', 'a', 'b']);
});

it('never runs the same key twice at once, and re-runs a key added while it was processing', async () => {
  let running = 0;
  let maxRunning = 0;
  let runs = 0;
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const q = new WorkQueue(async () => {
    running++;
    runs++;
    maxRunning = Math.max(maxRunning, running);
    if (runs === 1) await gate;
    running--;
  }, { workers: 4 });
  q.add('k');
  await new Promise((r) => setImmediate(r));
  q.add('k');
  release();
  await q.idle();
  assert.equal(maxRunning, 1);
  assert.equal(runs, 2);
});

it('retries a failing key with back-off until it succeeds', async () => {
  let attempts = 0;
  const q = new WorkQueue(async () => {
    attempts++;
    if (attempts < 3) throw new Error('not yet');
  }, { baseDelayMs: 1 });
  q.onError = () => {};
  q.add('x');
  await q.idle();
  assert.equal(attempts, 3);
});

it('addAfter brings a pending later retry forward instead of swallowing the earlier one', async () => {
  const seen: number[] = [];
  const started = Date.now();
  const q = new WorkQueue(async () => {
    seen.push(Date.now() - started);
  });
  q.addAfter('k', 5_000);
  q.addAfter('k', 10);
  await q.idle();
  q.stop();
  assert.equal(seen.length, 1);
  assert.ok(seen[0] < 2_000, `ran after ${seen[0]} ms`);
});
