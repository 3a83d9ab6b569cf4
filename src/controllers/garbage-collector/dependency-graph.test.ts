import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { DependencyGraph } from './dependency-graph.ts';

const PODS = findResource('', 'v1', 'pods')!;
const RS = findResource('apps', 'v1', 'replicasets')!;

const rs = (uid: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({ metadata: { name: `rs-${uid}`, namespace: 'ns', uid, ...meta } });
const pod = (uid: string, owners: string[], block = true, meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({
  metadata: { name: `p-${uid}`, namespace: 'ns', uid, ownerReferences: owners.map((o) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${o}`, uid: o, blockOwnerDeletion: block })), ...meta },
});

describe('DependencyGraph', () => {
  it('indexes dependents by owner uid, whether or not the owner was seen', () => {
    const g = new DependencyGraph();
    g.apply({ type: 'added', resource: PODS, object: pod('p1', ['r1']) });
    g.apply({ type: 'added', resource: PODS, object: pod('p2', ['r1', 'r2']) });
    assert.deepEqual(g.dependentsOf('r1').map((n) => n.object.metadata.uid), ['p1', 'p2']);
    assert.deepEqual(g.dependentsOf('r2').map((n) => n.object.metadata.uid), ['p2']);
    assert.equal(g.hasDependents('p1'), false);
  });

  it('re-indexes when owner references change and forgets deleted objects', () => {
    const g = new DependencyGraph();
    g.apply({ type: 'added', resource: PODS, object: pod('p1', ['r1']) });
    g.apply({ type: 'updated', resource: PODS, object: pod('p1', ['r2']) });
    assert.deepEqual(g.dependentsOf('r1'), []);
    assert.equal(g.dependentsOf('r2').length, 1);
    g.apply({ type: 'deleted', resource: PODS, object: pod('p1', ['r2']) });
    assert.equal(g.hasDependents('r2'), false);
    assert.equal(g.size, 0);
  });

  const cases: { name: string; setup: KubeObject[]; change: { type: 'added' | 'updated' | 'deleted'; object: KubeObject; isOwner?: boolean }; expect: string[] }[] = [
    { name: 'a new object with owners is checked', setup: [], change: { type: 'added', object: pod('p1', ['r1']) }, expect: ['p1'] },
    { name: 'a new object without owners is not', setup: [], change: { type: 'added', object: rs('r1'), isOwner: true }, expect: [] },
    { name: 'a status-only update of a dependent is not checked again', setup: [pod('p1', ['r1'])], change: { type: 'updated', object: pod('p1', ['r1']) }, expect: [] },
    { name: 'a deleted owner sends its dependents for a check', setup: [rs('r1'), pod('p1', ['r1']), pod('p2', ['r1'])], change: { type: 'deleted', object: rs('r1'), isOwner: true }, expect: ['p1', 'p2'] },
    { name: 'an owner entering foreground deletion is checked', setup: [rs('r1'), pod('p1', ['r1'])], change: { type: 'updated', object: rs('r1', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }), isOwner: true }, expect: ['r1'] },
    { name: 'an owner entering orphan deletion is checked', setup: [rs('r1')], change: { type: 'updated', object: rs('r1', { deletionTimestamp: 't', finalizers: ['orphan'] }), isOwner: true }, expect: ['r1'] },
    {
      name: 'a deleted dependent of a waiting owner sends the owner for a check',
      setup: [rs('r1', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }), pod('p1', ['r1'])],
      change: { type: 'deleted', object: pod('p1', ['r1']) },
      expect: ['r1'],
    },
    {
      name: 'a dependent dropping its reference to a waiting owner sends both',
      setup: [rs('r1', { deletionTimestamp: 't', finalizers: ['orphan'] }), pod('p1', ['r1', 'r2'])],
      change: { type: 'updated', object: pod('p1', ['r2']) },
      expect: ['p1', 'r1'],
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const g = new DependencyGraph();
      for (const o of c.setup) g.apply({ type: 'added', resource: o.metadata.ownerReferences ? PODS : RS, object: o });
      const got = g.apply({ type: c.change.type, resource: c.change.isOwner ? RS : PODS, object: c.change.object });
      assert.deepEqual(got.sort(), c.expect);
    });
  }
});
