import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.ts';
import { adoptPatch, controllerOf, controllerRefFor, planClaims, releasePatch } from './controller-ref.ts';

const owner: KubeObject = { metadata: { name: 'web', namespace: 'ns', uid: 'owner-uid' } };
const ref = controllerRefFor(owner, { apiVersion: 'apps/v1', kind: 'ReplicaSet' });

function obj(name: string, o: { app?: string; ownerUid?: string; isController?: boolean; ns?: string; isDeleting?: boolean } = {}): KubeObject {
  return {
    metadata: {
      name,
      namespace: o.ns ?? 'ns',
      uid: `uid-${name}`,
      labels: o.app ? { app: o.app } : {},
      deletionTimestamp: o.isDeleting ? '2025-01-01T00:00:00Z' : undefined,
      ownerReferences: o.ownerUid ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid: o.ownerUid, controller: o.isController ?? true }] : undefined,
    },
  };
}
const matches = (o: KubeObject) => o.metadata.labels?.app === 'web';
const names = (xs: KubeObject[]) => xs.map((x) => x.metadata.name);

describe('planClaims', () => {
  const candidates = [
    obj('owned', { app: 'web', ownerUid: 'owner-uid' }),
    obj('orphan', { app: 'web' }),
    obj('orphan-other-labels', { app: 'db' }),
    obj('stale', { app: 'db', ownerUid: 'owner-uid' }),
    obj('foreign', { app: 'web', ownerUid: 'someone-else' }),
    obj('non-controller-owner', { app: 'web', ownerUid: 'someone-else', isController: false }),
    obj('deleting-orphan', { app: 'web', isDeleting: true }),
    obj('other-namespace', { app: 'web', ns: 'other' }),
  ];

  it('owns matching objects, adopts matching orphans and releases non-matching owned objects', () => {
    const plan = planClaims(owner, candidates, matches);
    assert.deepEqual(names(plan.owned), ['owned']);
    assert.deepEqual(names(plan.adopt), ['orphan', 'non-controller-owner']);
    assert.deepEqual(names(plan.release), ['stale']);
  });

  it('neither adopts nor releases while the owner is being deleted', () => {
    const plan = planClaims({ metadata: { ...owner.metadata, deletionTimestamp: '2025-01-01T00:00:00Z' } }, candidates, matches);
    assert.deepEqual(names(plan.owned), ['owned']);
    assert.deepEqual([plan.adopt.length, plan.release.length], [0, 0]);
  });
});

describe('patches', () => {
  it('adopts with a controller reference and releases by owner uid', () => {
    assert.deepEqual(ref, { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'owner-uid', controller: true, blockOwnerDeletion: true });
    assert.deepEqual(adoptPatch(ref, obj('p')), { metadata: { ownerReferences: [ref], uid: 'uid-p' } });
    assert.deepEqual(releasePatch('owner-uid', obj('p')), { metadata: { ownerReferences: [{ $patch: 'delete', uid: 'owner-uid' }], uid: 'uid-p' } });
    assert.equal(controllerOf(obj('p', { ownerUid: 'x', isController: false })), undefined);
  });
});
