import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReplicaSet } from '../replicaset/workload-types.ts';
import { buildNewReplicaSet } from './new-replica-set.ts';
import { computeHash } from './pod-template-hash.ts';
import { findActiveOrLatest, findNewReplicaSet, findOldReplicaSets, replicaSetsToCleanUp } from './replica-set-lists.ts';
import { deployment, replicaSet } from './test-fixtures.ts';

const names = (rss: (ReplicaSet | undefined)[]) => rss.map((rs) => rs?.metadata.name);

describe('findNewReplicaSet / findOldReplicaSets', () => {
  it('picks the oldest ReplicaSet whose template matches, ignoring the hash label', () => {
    const d = deployment();
    const other = replicaSet('other', { created: '2025-01-01T00:00:00Z' });
    other.spec.template.spec!.containers[0].image = 'nginx:0';
    const match = replicaSet('match', { created: '2025-01-01T01:00:00Z' });
    match.spec.template.metadata!.labels!['pod-template-hash'] = 'abc';
    const later = replicaSet('later', { created: '2025-01-01T02:00:00Z' });
    assert.equal(findNewReplicaSet(d, [later, other, match])?.metadata.name, 'match');
    assert.deepEqual(names(findOldReplicaSets(d, [later, other, match])), ['later', 'other']);
  });
});

describe('findActiveOrLatest', () => {
  const cases: { name: string; newRS?: ReplicaSet; old: ReplicaSet[]; want: string | undefined }[] = [
    { name: 'nothing for nothing', old: [], want: undefined },
    { name: 'the single active one', newRS: replicaSet('new', { replicas: 0, created: '2025-01-02T00:00:00Z' }), old: [replicaSet('old', { replicas: 3 })], want: 'old' },
    { name: 'none when two are active', newRS: replicaSet('new', { replicas: 1 }), old: [replicaSet('old', { replicas: 3 })], want: undefined },
    { name: 'the new one when none is active', newRS: replicaSet('new'), old: [replicaSet('old')], want: 'new' },
    { name: 'the newest old one when none is active and there is no new one', old: [replicaSet('a', { created: '2025-01-01T00:00:00Z' }), replicaSet('b', { created: '2025-01-03T00:00:00Z' })], want: 'b' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(findActiveOrLatest(c.newRS, c.old)?.metadata.name, c.want));
});

describe('replicaSetsToCleanUp', () => {
  it('deletes the lowest revisions beyond revisionHistoryLimit, skipping ones with replicas or unobserved changes', () => {
    const d = deployment({ revisionHistoryLimit: 1 });
    const old = [
      replicaSet('r3', { revision: '3' }),
      replicaSet('r1', { revision: '1' }),
      replicaSet('r2-busy', { revision: '2', replicas: 1 }),
      replicaSet('r4-unobserved', { revision: '4', generation: 2, observed: 1 }),
    ];
    assert.deepEqual(names(replicaSetsToCleanUp(d, old)), ['r1', 'r3']);
  });
  it('keeps everything without a limit or within it', () => {
    assert.deepEqual(replicaSetsToCleanUp(deployment(), [replicaSet('a')]), []);
    assert.deepEqual(replicaSetsToCleanUp(deployment({ revisionHistoryLimit: 2 }), [replicaSet('a'), replicaSet('b')]), []);
  });
});

describe('buildNewReplicaSet', () => {
  it('names it after the template hash and adds the hash to selector, template and labels', () => {
    const d = deployment();
    d.spec.minReadySeconds = 5;
    const hash = computeHash(d.spec.template);
    const rs = buildNewReplicaSet(d, 3);
    assert.equal(rs.metadata.name, `web-${hash}`);
    assert.deepEqual(rs.spec.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
    assert.deepEqual(rs.spec.template.metadata?.labels, { app: 'web', 'pod-template-hash': hash });
    assert.deepEqual(rs.metadata.labels, { app: 'web', 'pod-template-hash': hash });
    assert.deepEqual(rs.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual([rs.spec.replicas, rs.spec.minReadySeconds], [3, 5]);
    assert.equal(d.spec.template.metadata?.labels?.['pod-template-hash'], undefined);
  });
  it('salts the name with the collision count', () => {
    const d = deployment();
    d.status = { collisionCount: 1 };
    assert.equal(buildNewReplicaSet(d, 0).metadata.name, `web-${computeHash(d.spec.template, 1)}`);
    assert.notEqual(buildNewReplicaSet(d, 0).metadata.name, `web-${computeHash(d.spec.template)}`);
  });
});
