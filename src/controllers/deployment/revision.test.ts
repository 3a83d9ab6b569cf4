import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { maxRevision, replicasAnnotationsNeedUpdate, revisionOf, setNewReplicaSetAnnotations } from './revision.ts';
import { deployment, replicaSet } from './test-fixtures.ts';

describe('setNewReplicaSetAnnotations', () => {
  it('gives a ReplicaSet about to be created the revision, replica annotations and the Deployment annotations', () => {
    const d = deployment();
    d.metadata.annotations = { team: 'a', 'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '7' };
    const rs = replicaSet('new');
    assert.ok(setNewReplicaSetAnnotations(d, rs, { newRevision: 3, exists: false, desired: 10, max: 13 }));
    assert.deepEqual(rs.metadata.annotations, { team: 'a', 'deployment.kubernetes.io/revision': '3', 'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13' });
  });

  it('on a rollback raises the old ReplicaSet to the next revision and remembers the old ones', () => {
    const rs = replicaSet('old', { revision: '1', desired: 10, maxReplicas: 13 });
    assert.ok(setNewReplicaSetAnnotations(deployment(), rs, { newRevision: 4, exists: true, desired: 10, max: 13 }));
    assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/revision'], '4');
    assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
    setNewReplicaSetAnnotations(deployment(), rs, { newRevision: 6, exists: true, desired: 10, max: 13 });
    assert.equal(rs.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1,4');
  });

  it('drops the oldest history entries beyond 2000 characters', () => {
    const rs = replicaSet('old', { revision: '99999' });
    const long = Array.from({ length: 400 }, (_, i) => String(10000 + i)).join(',');
    rs.metadata.annotations!['deployment.kubernetes.io/revision-history'] = long;
    setNewReplicaSetAnnotations(deployment(), rs, { newRevision: 100000, exists: true, desired: 1, max: 1 });
    const history = rs.metadata.annotations!['deployment.kubernetes.io/revision-history'].split(',');
    assert.ok(history.join(',').length <= 2000);
    assert.equal(history.at(-1), '99999');
    assert.equal(history[0], String(10000 + 400 - history.length + 1));
  });

  it('changes nothing when the revision is already current and leaves replica annotations of existing ReplicaSets alone', () => {
    const rs = replicaSet('new', { revision: '5' });
    assert.equal(setNewReplicaSetAnnotations(deployment(), rs, { newRevision: 5, exists: true, desired: 10, max: 13 }), false);
    assert.ok(replicasAnnotationsNeedUpdate(rs, 10, 13));
  });
});

describe('revisions', () => {
  it('reads revisions, ignoring unparseable ones for the maximum', () => {
    assert.equal(revisionOf(replicaSet('a')), 0);
    assert.ok(Number.isNaN(revisionOf(replicaSet('a', { revision: 'x' }))));
    assert.equal(maxRevision([replicaSet('a', { revision: '2' }), replicaSet('b', { revision: 'x' }), replicaSet('c', { revision: '11' })]), 11);
  });
});
