import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.ts';
import { calculateReplicaSetStatus, isSameReplicaSetStatus } from './replica-set-status.ts';
import type { ReplicaSet, ReplicaSetCondition } from './workload-types.ts';

const NOW = new Date('2025-01-01T12:00:00Z');

function rs(o: { minReadySeconds?: number; conditions?: ReplicaSetCondition[] } = {}): ReplicaSet {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'u', generation: 4 },
    spec: { replicas: 3, minReadySeconds: o.minReadySeconds, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web', tier: 'fe' } } } },
    status: { replicas: 0, conditions: o.conditions },
  };
}

function pod(labels: Record<string, string>, ready?: string): Pod {
  return {
    metadata: { name: 'p', namespace: 'ns', labels },
    spec: { containers: [] },
    status: { phase: 'Running', conditions: ready === undefined ? [] : [{ type: 'Ready', status: 'True', lastTransitionTime: ready }] },
  };
}

describe('calculateReplicaSetStatus', () => {
  const full = { app: 'web', tier: 'fe' };
  const cases: { name: string; rs: ReplicaSet; pods: Pod[]; want: object }[] = [
    { name: 'counts nothing for no pods', rs: rs(), pods: [], want: { replicas: 0, observedGeneration: 4 } },
    {
      name: 'counts fully labeled, ready and available pods',
      rs: rs(),
      pods: [pod(full, '2025-01-01T11:00:00Z'), pod({ app: 'web' }, '2025-01-01T11:00:00Z'), pod(full)],
      want: { replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 4 },
    },
    {
      name: 'counts a pod available only once ready for minReadySeconds',
      rs: rs({ minReadySeconds: 30 }),
      pods: [pod(full, '2025-01-01T11:59:50Z'), pod(full, '2025-01-01T11:59:00Z'), pod(full, '2025-01-01T11:59:30Z')],
      want: { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 1, observedGeneration: 4 },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(calculateReplicaSetStatus(c.rs, c.pods, { now: NOW }), c.want));

  it('adds ReplicaFailure when pods cannot be created and keeps the first report', () => {
    const s = calculateReplicaSetStatus(rs(), [], { now: NOW, failure: { reason: 'FailedCreate', message: 'quota exceeded' } });
    assert.deepEqual(s.conditions, [{ type: 'ReplicaFailure', status: 'True', lastTransitionTime: '2025-01-01T12:00:00Z', reason: 'FailedCreate', message: 'quota exceeded' }]);
    const again = calculateReplicaSetStatus(rs({ conditions: s.conditions }), [], { now: new Date('2025-01-01T13:00:00Z'), failure: { reason: 'FailedCreate', message: 'other' } });
    assert.deepEqual(again.conditions, s.conditions);
  });

  it('removes ReplicaFailure after a clean sync', () => {
    const cond = [{ type: 'ReplicaFailure', status: 'True' as const, reason: 'FailedCreate', message: 'x' }];
    assert.equal(calculateReplicaSetStatus(rs({ conditions: cond }), [], { now: NOW }).conditions, undefined);
  });
});

describe('isSameReplicaSetStatus', () => {
  it('treats missing counts as zero', () => {
    assert.ok(isSameReplicaSetStatus({ replicas: 0, readyReplicas: 0 }, { replicas: 0 }));
    assert.ok(!isSameReplicaSetStatus({ replicas: 1 }, { replicas: 1, readyReplicas: 1 }));
    assert.ok(!isSameReplicaSetStatus({ replicas: 1, observedGeneration: 1 }, { replicas: 1, observedGeneration: 2 }));
  });
});
