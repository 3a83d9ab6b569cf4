import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from '../replicaset/workload-types.ts';
import { isSaturated, planNewReplicaSetScale, planOldReplicaSetsScaleDown, planProportionalScale, planRecreateScaleDown } from './rollout-plan.ts';
import type { ScaleStep } from './rollout-plan.ts';
import { deployment, replicaSet } from './test-fixtures.ts';

const OLD = '2025-01-01T00:00:00Z';
const MID = '2025-01-01T01:00:00Z';
const NEW = '2025-01-01T02:00:00Z';

function steps(s: ScaleStep[] | ScaleStep | undefined): Record<string, number> {
  const list = s === undefined ? [] : Array.isArray(s) ? s : [s];
  return Object.fromEntries(list.map((x) => [x.rs.metadata.name, x.replicas]));
}

describe('planNewReplicaSetScale', () => {
  const cases: { name: string; d: ReturnType<typeof deployment>; old: ReplicaSet[]; newRS: ReplicaSet; want: Record<string, number> }[] = [
    { name: 'grows the new ReplicaSet by maxSurge first', d: deployment({ replicas: 10, surge: 3 }), old: [replicaSet('old', { replicas: 10, available: 10 })], newRS: replicaSet('new', { created: NEW }), want: { new: 3 } },
    { name: 'waits while the total is at replicas + maxSurge', d: deployment({ replicas: 10, surge: 3 }), old: [replicaSet('old', { replicas: 10 })], newRS: replicaSet('new', { replicas: 3, created: NEW }), want: {} },
    { name: 'grows into room left by scaled-down old replicas, never past replicas', d: deployment({ replicas: 4, surge: 1 }), old: [replicaSet('old', { replicas: 0 })], newRS: replicaSet('new', { replicas: 2, created: NEW }), want: { new: 4 } },
    { name: 'shrinks a new ReplicaSet larger than replicas', d: deployment({ replicas: 10 }), old: [], newRS: replicaSet('new', { replicas: 12 }), want: { new: 10 } },
    { name: 'Recreate sizes it to replicas at once', d: deployment({ replicas: 5, recreate: true }), old: [], newRS: replicaSet('new'), want: { new: 5 } },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(steps(planNewReplicaSetScale(c.d, [...c.old, c.newRS], c.newRS)), c.want));
});

describe('planOldReplicaSetsScaleDown', () => {
  const cases: { name: string; d: ReturnType<typeof deployment>; old: ReplicaSet[]; newRS: ReplicaSet; want: Record<string, number> }[] = [
    {
      name: 'scales old down to replicas - maxUnavailable while the new pods are not available',
      d: deployment({ replicas: 10, surge: 3, unavailable: 2 }),
      old: [replicaSet('old', { replicas: 10, available: 10 })],
      newRS: replicaSet('new', { replicas: 3, created: NEW }),
      want: { old: 8 },
    },
    {
      name: 'scales old down by the available surplus once new pods are available',
      d: deployment({ replicas: 10, surge: 3, unavailable: 2 }),
      old: [replicaSet('old', { replicas: 10, available: 10 })],
      newRS: replicaSet('new', { replicas: 3, available: 3, created: NEW }),
      want: { old: 5 },
    },
    {
      name: 'removes unhealthy old replicas first, oldest ReplicaSet first',
      d: deployment({ replicas: 10, surge: 3, unavailable: 2 }),
      old: [replicaSet('b', { replicas: 5, available: 5, created: MID }), replicaSet('a', { replicas: 5, available: 2, created: OLD })],
      newRS: replicaSet('new', { replicas: 3, created: NEW }),
      want: { a: 3 },
    },
    {
      name: 'does nothing with maxUnavailable 0 while no new pod is available',
      d: deployment({ replicas: 10, surge: 3, unavailable: 0 }),
      old: [replicaSet('old', { replicas: 10, available: 10 })],
      newRS: replicaSet('new', { replicas: 3, available: 0, created: NEW }),
      want: {},
    },
    {
      name: 'with maxUnavailable 0 scales down as many old replicas as new ones became available',
      d: deployment({ replicas: 10, surge: 3, unavailable: 0 }),
      old: [replicaSet('old', { replicas: 10, available: 10 })],
      newRS: replicaSet('new', { replicas: 3, available: 2, created: NEW }),
      want: { old: 8 },
    },
    {
      name: 'with maxUnavailable 0 scales down exactly the available new pods',
      d: deployment({ replicas: 10, surge: 3, unavailable: 0 }),
      old: [replicaSet('old', { replicas: 10, available: 10 })],
      newRS: replicaSet('new', { replicas: 3, available: 3, created: NEW }),
      want: { old: 7 },
    },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(steps(planOldReplicaSetsScaleDown(c.d, [...c.old, c.newRS], c.old, c.newRS)), c.want));

  it('refuses to "clean up" a ReplicaSet reporting more available than desired replicas', () => {
    const d = deployment({ replicas: 10, surge: 3, unavailable: 2 });
    const old = [replicaSet('old', { replicas: 5, available: 7 })];
    const newRS = replicaSet('new', { replicas: 8, available: 8, created: NEW });
    assert.throws(() => planOldReplicaSetsScaleDown(d, [...old, newRS], old, newRS), /invalid request to scale down/);
  });
});

describe('planProportionalScale', () => {
  it('gives a lone active ReplicaSet the new size', () => {
    const d = deployment({ replicas: 8 });
    assert.deepEqual(steps(planProportionalScale(d, replicaSet('new', { replicas: 0, created: NEW }), [replicaSet('old', { replicas: 5 })])), { old: 8 });
  });

  it('retires old ReplicaSets once the new one is saturated', () => {
    const d = deployment({ replicas: 10 });
    const newRS = replicaSet('new', { replicas: 10, available: 10, desired: 10, created: NEW });
    assert.ok(isSaturated(d, newRS));
    assert.deepEqual(steps(planProportionalScale(d, newRS, [replicaSet('old', { replicas: 2 })])), { old: 0 });
  });

  // The example of the upstream documentation: 10 → 15 replicas with maxSurge 3 mid-rollout (8 old, 5 new).
  it('adds replicas in proportion when scaled up mid-rollout', () => {
    const d = deployment({ replicas: 15, surge: 3, unavailable: 2 });
    const old = replicaSet('old', { replicas: 8, maxReplicas: 13, created: OLD });
    const newRS = replicaSet('new', { replicas: 5, maxReplicas: 13, created: NEW });
    assert.deepEqual(steps(planProportionalScale(d, newRS, [old])), { old: 11, new: 7 });
  });

  it('removes replicas in proportion when scaled down mid-rollout', () => {
    const d = deployment({ replicas: 10, surge: 3, unavailable: 2 });
    const old = replicaSet('old', { replicas: 11, maxReplicas: 18, created: OLD });
    const newRS = replicaSet('new', { replicas: 7, maxReplicas: 18, created: NEW });
    assert.deepEqual(steps(planProportionalScale(d, newRS, [old])), { old: 8, new: 5 });
  });

  it('gives the rounding leftover to the largest (newest on ties) ReplicaSet', () => {
    const d = deployment({ replicas: 4, surge: 0, unavailable: 1 });
    const rss = [replicaSet('a', { replicas: 1, maxReplicas: 3, created: OLD }), replicaSet('b', { replicas: 1, maxReplicas: 3, created: MID })];
    const newRS = replicaSet('c', { replicas: 1, maxReplicas: 3, created: NEW });
    assert.deepEqual(steps(planProportionalScale(d, newRS, rss)), { c: 2, b: 1, a: 1 });
  });

  it('scales every ReplicaSet to zero for zero replicas', () => {
    const d = deployment({ replicas: 0 });
    const old = replicaSet('old', { replicas: 3, maxReplicas: 6, created: OLD });
    const newRS = replicaSet('new', { replicas: 3, maxReplicas: 6, created: NEW });
    assert.deepEqual(steps(planProportionalScale(d, newRS, [old])), { old: 0, new: 0 });
  });

  it('falls back to status.replicas when the max-replicas annotation is missing', () => {
    const d = deployment({ replicas: 15, surge: 3, unavailable: 2, statusReplicas: 13 });
    const old = replicaSet('old', { replicas: 8, created: OLD });
    const newRS = replicaSet('new', { replicas: 5, created: NEW });
    assert.deepEqual(steps(planProportionalScale(d, newRS, [old])), { old: 11, new: 7 });
  });
});

describe('planRecreateScaleDown', () => {
  it('scales every active old ReplicaSet to zero', () => {
    assert.deepEqual(steps(planRecreateScaleDown([replicaSet('a', { replicas: 2 }), replicaSet('b', { replicas: 0 })])), { a: 0 });
  });
});
