import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ProbeState } from './probe-state.ts';

const ok = { isSuccess: true };
const bad = { isSuccess: false };

describe('ProbeState', () => {
  it('starts not ready, is due after initialDelaySeconds, then every periodSeconds', () => {
    const p = new ProbeState({ initialDelaySeconds: 5, periodSeconds: 2 }, { kind: 'readiness', startedAtMs: 1_000 });
    assert.equal(p.isPassing, false);
    assert.equal(p.nextDueMs(), 6_000);
    assert.equal(p.record(ok, 6_000), true);
    assert.equal(p.isPassing, true);
    assert.equal(p.nextDueMs(), 8_000);
  });

  it('turns not ready only after failureThreshold consecutive failures, and ready after successThreshold', () => {
    const p = new ProbeState({ failureThreshold: 3, successThreshold: 2 }, { kind: 'readiness', startedAtMs: 0 });
    p.record(ok, 1);
    assert.equal(p.isPassing, false, 'one success is not enough with successThreshold 2');
    assert.equal(p.record(ok, 2), true);
    p.record(bad, 3);
    p.record(bad, 4);
    p.record(ok, 5);
    p.record(bad, 6);
    p.record(bad, 7);
    assert.equal(p.isPassing, true, 'the failures were not consecutive');
    assert.equal(p.record(bad, 8), true);
    assert.equal(p.isPassing, false);
    assert.equal(p.isDone, false, 'readiness keeps probing');
  });

  it('starts alive and stops after liveness fails failureThreshold times', () => {
    const p = new ProbeState({ failureThreshold: 2 }, { kind: 'liveness', startedAtMs: 0 });
    assert.equal(p.isPassing, true);
    assert.equal(p.record(bad, 1), false);
    assert.equal(p.record(bad, 2), true);
    assert.equal(p.isPassing, false);
    assert.equal(p.isDone, true);
  });

  it('is done once the startup probe succeeds', () => {
    const p = new ProbeState({}, { kind: 'startup', startedAtMs: 0 });
    assert.equal(p.isPassing, false);
    p.record(ok, 1);
    assert.equal(p.isPassing, true);
    assert.equal(p.isDone, true);
  });

  it('uses the kubelet defaults: period 10 s, timeout 1 s, failureThreshold 3', () => {
    const p = new ProbeState({}, { kind: 'liveness', startedAtMs: 0 });
    assert.equal(p.periodMs, 10_000);
    assert.equal(p.timeoutMs, 1_000);
    p.record(bad, 1);
    p.record(bad, 2);
    assert.equal(p.isPassing, true);
    p.record(bad, 3);
    assert.equal(p.isPassing, false);
  });
});
