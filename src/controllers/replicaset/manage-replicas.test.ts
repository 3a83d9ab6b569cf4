import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.ts';
import { planReplicas, podFromTemplate, slowStartBatch, slowStartBatches } from './manage-replicas.ts';
import type { ReplicaSet } from './workload-types.ts';

function pod(name: string, ready: boolean): Pod {
  return { metadata: { name, namespace: 'ns', uid: name }, spec: { containers: [] }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } };
}

describe('planReplicas', () => {
  const cases: { name: string; desired: number; active: Pod[]; burst?: number; want: string }[] = [
    { name: 'creates the missing pods', desired: 3, active: [pod('a', true)], want: 'create 2' },
    { name: 'creates at most a burst per sync', desired: 10, active: [], burst: 4, want: 'create 4' },
    { name: 'does nothing at the desired count', desired: 2, active: [pod('a', true), pod('b', true)], want: 'none' },
    { name: 'deletes not-ready pods first when over', desired: 1, active: [pod('a', true), pod('b', false), pod('c', true)], want: 'delete b,a' },
    { name: 'deletes every pod when scaled to zero', desired: 0, active: [pod('a', true), pod('b', true)], want: 'delete a,b' },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const plan = planReplicas(c.desired, c.active, { burst: c.burst });
      const got = plan.action === 'create' ? `create ${plan.count}` : plan.action === 'delete' ? `delete ${plan.pods.map((p) => p.metadata.name).join(',')}` : 'none';
      assert.equal(got, c.want);
    });
  }
});

describe('slowStartBatches', () => {
  const cases: [number, number[]][] = [
    [0, []],
    [1, [1]],
    [3, [1, 2]],
    [10, [1, 2, 4, 3]],
    [15, [1, 2, 4, 8]],
  ];
  for (const [count, want] of cases) it(`splits ${count} into ${JSON.stringify(want)}`, () => assert.deepEqual(slowStartBatches(count), want));
});

describe('slowStartBatch', () => {
  it('stops after the first batch with a failure and counts the successes', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, async () => {
      calls++;
      if (calls === 3) throw new Error('quota');
    });
    assert.equal(calls, 3); // batches of 1 and 2 ran; the batch of 4 never started
    assert.equal(r.successes, 2);
    assert.match(String(r.error), /quota/);
  });

  it('runs every call when all succeed', async () => {
    let calls = 0;
    const r = await slowStartBatch(7, async () => void calls++);
    assert.deepEqual([calls, r.successes, r.error], [7, 7, undefined]);
  });
});

describe('podFromTemplate', () => {
  it('copies labels, annotations and spec, names it after the ReplicaSet and sets the controller reference', () => {
    const rs: ReplicaSet = {
      metadata: { name: 'web-abc', namespace: 'ns', uid: 'u1' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c', image: 'x' }] } } },
    };
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u1', controller: true, blockOwnerDeletion: true };
    const p = podFromTemplate(rs, ref);
    assert.equal(p.metadata.generateName, 'web-abc-');
    assert.equal(p.metadata.name, undefined);
    assert.deepEqual(p.metadata.labels, { app: 'web' });
    assert.deepEqual(p.metadata.annotations, { a: 'b' });
    assert.deepEqual(p.metadata.ownerReferences, [ref]);
    assert.deepEqual(p.spec.containers, [{ name: 'c', image: 'x' }]);
    p.metadata.labels!.app = 'changed';
    assert.equal(rs.spec.template.metadata!.labels!.app, 'web');
  });
});
