import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerRecord } from './container-record.ts';
import { planPodActions } from './pod-actions.ts';
import type { PlanInput } from './pod-actions.ts';

function rec(name: string, state: 'new' | 'running' | number, extra: Partial<ContainerRecord> = {}): ContainerRecord {
  const r: ContainerRecord = { name, isInit: false, image: 'img', imageID: '', restartCount: 0, ...extra };
  if (state === 'running') r.current = { id: `${name}1`, startedAtMs: 0, isReady: false, isStarted: true };
  else if (typeof state === 'number') r.current = { id: `${name}1`, startedAtMs: 0, isReady: false, isStarted: false, exit: { exitCode: state, reason: state ? 'Error' : 'Completed', startedAtMs: 0, finishedAtMs: 100, containerID: `${name}1` } };
  return r;
}

function plan(over: Partial<PlanInput>): ReturnType<typeof planPodActions> {
  return planPodActions({ restartPolicy: 'Always', initContainers: [], containers: [], failedProbes: new Map(), backoffRemaining: () => 0, nowMs: 1000, ...over });
}

describe('planPodActions', () => {
  it('runs init containers one at a time, in order, before any app container', () => {
    const init = [rec('a', 0, { isInit: true }), rec('b', 'new', { isInit: true })];
    assert.deepEqual(plan({ initContainers: init, containers: [rec('app', 'new')] }), [{ type: 'start', container: 'b', isInit: true }]);
    init[1] = rec('b', 'running', { isInit: true });
    assert.deepEqual(plan({ initContainers: init, containers: [rec('app', 'new')] }), []);
  });

  it('starts every app container once all init containers succeeded', () => {
    const actions = plan({ initContainers: [rec('a', 0, { isInit: true })], containers: [rec('x', 'new'), rec('y', 'new')] });
    assert.deepEqual(actions, [{ type: 'start', container: 'x', isInit: false }, { type: 'start', container: 'y', isInit: false }]);
  });

  it('fails the pod when an init container fails under restartPolicy Never, and retries it otherwise', () => {
    const init = [rec('a', 1, { isInit: true })];
    assert.deepEqual(plan({ restartPolicy: 'Never', initContainers: init, containers: [rec('x', 'new')] }), [{ type: 'finish', phase: 'Failed' }]);
    assert.deepEqual(plan({ restartPolicy: 'OnFailure', initContainers: init, containers: [rec('x', 'new')] }), [{ type: 'start', container: 'a', isInit: true }]);
  });

  it('restarts an exited container under Always, behind the crash back-off', () => {
    const containers = [rec('x', 0)];
    assert.deepEqual(plan({ containers }), [{ type: 'start', container: 'x', isInit: false }]);
    assert.deepEqual(plan({ containers, backoffRemaining: (name, finished) => (name === 'x' && finished === 100 ? 900 : 0) }), [{ type: 'wait', container: 'x', waitMs: 900, isCrashLoop: true }]);
  });

  it('restarts only failures under OnFailure and finishes when all succeeded', () => {
    assert.deepEqual(plan({ restartPolicy: 'OnFailure', containers: [rec('x', 1)] }), [{ type: 'start', container: 'x', isInit: false }]);
    assert.deepEqual(plan({ restartPolicy: 'OnFailure', containers: [rec('x', 0), rec('y', 0)] }), [{ type: 'finish', phase: 'Succeeded' }]);
  });

  it('finishes Failed under Never when a container failed, but only once none is running', () => {
    assert.deepEqual(plan({ restartPolicy: 'Never', containers: [rec('x', 1), rec('y', 'running')] }), []);
    assert.deepEqual(plan({ restartPolicy: 'Never', containers: [rec('x', 1), rec('y', 0)] }), [{ type: 'finish', phase: 'Failed' }]);
  });

  it('kills a running container whose liveness or startup probe failed', () => {
    const actions = plan({ containers: [rec('x', 'running'), rec('y', 'running')], failedProbes: new Map([['y', 'LivenessFailed' as const]]) });
    assert.deepEqual(actions, [{ type: 'kill', container: 'y', reason: 'LivenessFailed' }]);
  });

  it('waits before retrying a container whose start failed', () => {
    const actions = plan({ containers: [rec('x', 'new', { waiting: { reason: 'ErrImagePull' }, retryAtMs: 1500 })] });
    assert.deepEqual(actions, [{ type: 'wait', container: 'x', waitMs: 500, isCrashLoop: false }]);
  });
});
