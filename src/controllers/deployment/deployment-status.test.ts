import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DeploymentCondition, DeploymentStatus } from '../replicaset/workload-types.ts';
import { calculateStatus, isSameDeploymentStatus, pausedConditionStatus, progressCheckDelayMs, rolloutStatus, setCondition } from './deployment-status.ts';
import { deployment, replicaSet } from './test-fixtures.ts';

const NOW = new Date('2025-01-01T12:00:00Z');
const T = '2025-01-01T12:00:00Z';
const EARLIER = '2025-01-01T11:50:00Z';

function withStatus(status: DeploymentStatus, o: Parameters<typeof deployment>[0] = {}) {
  const d = deployment({ replicas: 4, surge: 1, unavailable: 1, ...o });
  d.status = status;
  return d;
}

function cond(status: DeploymentStatus, type: string): DeploymentCondition | undefined {
  return status.conditions?.find((c) => c.type === type);
}

describe('calculateStatus', () => {
  it('counts actual, updated, ready, available and unavailable replicas and sets Available', () => {
    const d = withStatus({}, { generation: 3 });
    const old = replicaSet('old', { replicas: 3, available: 3 });
    const newRS = replicaSet('new', { replicas: 2, ready: 1, available: 1 });
    const s = calculateStatus([old, newRS], newRS, d, NOW);
    assert.deepEqual({ ...s, conditions: undefined }, { observedGeneration: 3, replicas: 5, updatedReplicas: 2, readyReplicas: 4, availableReplicas: 4, unavailableReplicas: 1, conditions: undefined });
    assert.deepEqual(cond(s, 'Available'), { type: 'Available', status: 'True', lastUpdateTime: T, lastTransitionTime: T, reason: 'MinimumReplicasAvailable', message: 'Deployment has minimum availability.' });
  });

  it('reports MinimumReplicasUnavailable below replicas - maxUnavailable', () => {
    const newRS = replicaSet('new', { replicas: 4, available: 2 });
    const s = calculateStatus([newRS], newRS, withStatus({}), NOW);
    assert.equal(cond(s, 'Available')?.status, 'False');
    assert.equal(cond(s, 'Available')?.reason, 'MinimumReplicasUnavailable');
    assert.equal(s.unavailableReplicas, 2);
  });
});

describe('setCondition', () => {
  it('keeps lastTransitionTime when only the reason changes, and leaves an identical condition alone', () => {
    const s: DeploymentStatus = { conditions: [{ type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: EARLIER, lastUpdateTime: EARLIER }] };
    setCondition(s, { type: 'Progressing', status: 'True', reason: 'A', lastTransitionTime: T, lastUpdateTime: T });
    assert.equal(s.conditions![0].lastUpdateTime, EARLIER);
    setCondition(s, { type: 'Progressing', status: 'True', reason: 'B', lastTransitionTime: T, lastUpdateTime: T });
    assert.deepEqual([s.conditions![0].reason, s.conditions![0].lastTransitionTime, s.conditions![0].lastUpdateTime], ['B', EARLIER, T]);
  });
});

describe('rolloutStatus', () => {
  const progressing = (reason: string, at = EARLIER): DeploymentCondition => ({ type: 'Progressing', status: 'True', reason, lastUpdateTime: at, lastTransitionTime: at, message: 'x' });
  const cases: { name: string; status: DeploymentStatus; rss: ReturnType<typeof replicaSet>[]; want: Partial<DeploymentCondition> | undefined; deadline?: number }[] = [
    {
      name: 'marks a finished rollout NewReplicaSetAvailable',
      status: { conditions: [progressing('ReplicaSetUpdated')] },
      rss: [replicaSet('web-new', { replicas: 4, available: 4 })],
      want: { status: 'True', reason: 'NewReplicaSetAvailable', message: 'ReplicaSet "web-new" has successfully progressed.', lastTransitionTime: EARLIER },
    },
    {
      name: 'refreshes ReplicaSetUpdated on progress, keeping the transition time',
      status: { replicas: 4, updatedReplicas: 1, conditions: [progressing('NewReplicaSetCreated')] },
      rss: [replicaSet('old', { replicas: 2, available: 2 }), replicaSet('web-new', { replicas: 2, available: 0 })],
      want: { status: 'True', reason: 'ReplicaSetUpdated', message: 'ReplicaSet "web-new" is progressing.', lastUpdateTime: T, lastTransitionTime: EARLIER },
    },
    {
      name: 'reports ProgressDeadlineExceeded when nothing moved for progressDeadlineSeconds',
      status: { replicas: 4, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: [progressing('ReplicaSetUpdated', '2025-01-01T11:49:00Z')] },
      rss: [replicaSet('old', { replicas: 2, available: 2 }), replicaSet('web-new', { replicas: 2, available: 0 })],
      want: { status: 'False', reason: 'ProgressDeadlineExceeded', message: 'ReplicaSet "web-new" has timed out progressing.' },
    },
    {
      name: 'waits within the deadline without touching the condition',
      status: { replicas: 4, updatedReplicas: 2, readyReplicas: 2, availableReplicas: 2, conditions: [progressing('ReplicaSetUpdated')] },
      rss: [replicaSet('old', { replicas: 2, available: 2 }), replicaSet('web-new', { replicas: 2, available: 0 })],
      want: { reason: 'ReplicaSetUpdated', lastUpdateTime: EARLIER },
    },
    {
      name: 'drops Progressing without a progress deadline',
      status: { conditions: [progressing('ReplicaSetUpdated')] },
      rss: [replicaSet('web-new', { replicas: 4, available: 4 })],
      deadline: 2147483647,
      want: undefined,
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const d = withStatus(c.status, { progressDeadlineSeconds: c.deadline ?? 600 });
      const s = rolloutStatus(c.rss, c.rss.at(-1), d, NOW);
      const got = cond(s, 'Progressing');
      if (c.want === undefined) assert.equal(got, undefined);
      else for (const [k, v] of Object.entries(c.want)) assert.equal(got?.[k as keyof DeploymentCondition], v, k);
    });
  }

  it('carries a ReplicaFailure from the new ReplicaSet and removes it once gone', () => {
    const failing = replicaSet('web-new', { replicas: 4 });
    failing.status!.conditions = [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: EARLIER }];
    const s = rolloutStatus([failing], failing, withStatus({}), NOW);
    assert.deepEqual(cond(s, 'ReplicaFailure'), { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: EARLIER, lastUpdateTime: EARLIER });
    const healed = rolloutStatus([replicaSet('web-new', { replicas: 4 })], undefined, withStatus(s), NOW);
    assert.equal(cond(healed, 'ReplicaFailure'), undefined);
  });
});

describe('progressCheckDelayMs', () => {
  it('is the time left until the deadline plus a second', () => {
    const s: DeploymentStatus = { conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated', lastUpdateTime: '2025-01-01T11:58:20Z' }] };
    assert.equal(progressCheckDelayMs(withStatus({}), s, NOW), 501_000);
  });
  it('is nothing for a complete deployment', () => {
    const s: DeploymentStatus = { replicas: 4, updatedReplicas: 4, availableReplicas: 4, observedGeneration: 1, conditions: [{ type: 'Progressing', status: 'True', reason: 'NewReplicaSetAvailable', lastUpdateTime: EARLIER }] };
    assert.equal(progressCheckDelayMs(withStatus({}), s, NOW), undefined);
  });
});

describe('pausedConditionStatus', () => {
  it('sets DeploymentPaused on pause and DeploymentResumed on resume', () => {
    const d = withStatus({ conditions: [{ type: 'Progressing', status: 'True', reason: 'ReplicaSetUpdated' }] });
    d.spec.paused = true;
    const paused = pausedConditionStatus(d, NOW)!;
    assert.deepEqual([cond(paused, 'Progressing')?.status, cond(paused, 'Progressing')?.reason, cond(paused, 'Progressing')?.message], ['Unknown', 'DeploymentPaused', 'Deployment is paused']);
    d.status = paused;
    assert.equal(pausedConditionStatus(d, NOW), undefined);
    d.spec.paused = false;
    assert.equal(cond(pausedConditionStatus(d, NOW)!, 'Progressing')?.reason, 'DeploymentResumed');
  });
  it('never overwrites ProgressDeadlineExceeded', () => {
    const d = withStatus({ conditions: [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded' }] });
    d.spec.paused = true;
    assert.equal(pausedConditionStatus(d, NOW), undefined);
  });
});

describe('isSameDeploymentStatus', () => {
  it('treats omitted zero counts as equal', () => {
    assert.ok(isSameDeploymentStatus({ replicas: 0, conditions: [] }, {}));
    assert.ok(!isSameDeploymentStatus({ replicas: 1 }, { replicas: 2 }));
  });
});
