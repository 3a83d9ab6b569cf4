import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CrashBackoff, backoffMessage, formatDuration } from './crash-backoff.ts';

describe('CrashBackoff', () => {
  it('restarts at once after the first crash, then waits base, 2×base, … up to max', () => {
    const b = new CrashBackoff({ baseMs: 10_000, maxMs: 40_000 });
    let t = 1_000_000;
    assert.equal(b.remaining('c', { finishedAtMs: t, nowMs: t }), 0);
    b.next('c', t);
    const waits: number[] = [];
    for (let i = 0; i < 5; i++) {
      t += 1_000; // ran for a second, crashed again
      const wait = b.remaining('c', { finishedAtMs: t, nowMs: t });
      waits.push(wait);
      assert.equal(b.remaining('c', { finishedAtMs: t, nowMs: t + wait }), 0, 'free to start once the wait is over');
      t += wait;
      b.next('c', t - wait);
    }
    assert.deepEqual(waits, [10_000, 20_000, 40_000, 40_000, 40_000]);
  });

  it('starts over at base after a container ran longer than twice the maximum', () => {
    const b = new CrashBackoff({ baseMs: 100, maxMs: 1_000 });
    b.next('c', 0);
    b.next('c', 10);
    assert.equal(b.delay('c'), 200);
    assert.equal(b.remaining('c', { finishedAtMs: 5_000, nowMs: 5_000 }), 0);
    b.next('c', 5_000);
    assert.equal(b.delay('c'), 100);
  });

  it('keeps containers apart and forgets a pod', () => {
    const b = new CrashBackoff({ baseMs: 100, maxMs: 1_000 });
    b.next('uid1/a', 0);
    assert.equal(b.remaining('uid1/b', { finishedAtMs: 0, nowMs: 0 }), 0);
    assert.equal(b.remaining('uid1/a', { finishedAtMs: 0, nowMs: 50 }), 50);
    b.forget('uid1/');
    assert.equal(b.remaining('uid1/a', { finishedAtMs: 0, nowMs: 50 }), 0);
  });
});

describe('backoff message', () => {
  it('reads as the kubelet writes it', () => {
    assert.equal(backoffMessage(20_000, { container: 'app', pod: { name: 'web', namespace: 'default', uid: 'u1' } }), 'back-off 20s restarting failed container=app pod=web_default(u1)');
    assert.equal(formatDuration(300_000), '5m0s');
    assert.equal(formatDuration(80_000), '1m20s');
    assert.equal(formatDuration(250), '250ms');
  });
});
