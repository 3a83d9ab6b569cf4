import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { SyncRunner } from './sync-runner.ts';
import type { Timers } from './sync-runner.ts';

/** A manual clock: timers fire only inside advance(). */
class FakeTimers implements Timers {
  #now = 0;
  #queue: { at: number; fn: () => void; id: number }[] = [];
  #id = 0;
  now = () => this.#now;
  setTimeout = (fn: () => void, ms: number) => {
    const id = ++this.#id;
    this.#queue.push({ at: this.#now + ms, fn, id });
    return id;
  };
  clearTimeout = (h: unknown) => {
    this.#queue = this.#queue.filter((t) => t.id !== h);
  };
  async advance(ms: number): Promise<void> {
    const end = this.#now + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const next = this.#queue.filter((t) => t.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!next) break;
      this.#queue = this.#queue.filter((t) => t !== next);
      this.#now = next.at;
      next.fn();
    }
    this.#now = end;
    await new Promise((r) => setImmediate(r));
  }
}

function setup(options: { fail?: () => boolean } = {}) {
  const timers = new FakeTimers();
  const starts: number[] = [];
  const runner = new SyncRunner(
    async () => {
      starts.push(timers.now());
      if (options.fail?.()) throw new Error('nft said no');
    },
    { minIntervalMs: 100, maxIntervalMs: 10_000, retryBaseMs: 200, retryMaxMs: 1000, timers },
  );
  return { timers, starts, runner };
}

describe('SyncRunner', () => {
  it('runs at once when asked, then no more often than the minimum interval however often asked', async () => {
    const { timers, starts, runner } = setup();
    runner.request();
    await timers.advance(0);
    for (let i = 0; i < 10; i++) runner.request();
    await timers.advance(50);
    assert.deepEqual(starts, [0]);
    await timers.advance(60);
    assert.deepEqual(starts, [0, 100], 'the burst is folded into one run at the interval');
  });

  it('runs at the maximum interval when nobody asks', async () => {
    const { timers, starts, runner } = setup();
    runner.request();
    await timers.advance(25_000);
    assert.deepEqual(starts, [0, 10_000, 20_000]);
  });

  it('retries a failed run with doubling back-off that requests cannot shorten, and resets after success', async () => {
    let failures = 3;
    const { timers, starts, runner } = setup({ fail: () => failures-- > 0 });
    runner.request();
    await timers.advance(0);
    runner.request();
    await timers.advance(150);
    assert.deepEqual(starts, [0], 'a request during back-off waits for it');
    await timers.advance(2000);
    assert.deepEqual(starts, [0, 200, 600, 1400]);
    assert.equal(runner.failures, 0);
    runner.request();
    await timers.advance(100);
    assert.equal(starts.at(-1), 2150, "after a success a request runs at once again");
  });

  it('stops: no run after stop(), even when asked', async () => {
    const { timers, starts, runner } = setup();
    await runner.stop();
    runner.request();
    await timers.advance(20_000);
    assert.deepEqual(starts, []);
  });
});
