import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import type { ClassifiedReference, DependentAction, OwnerAction, OwnerStatus } from './ownership.ts';
import { classifyOwner, decideDeletingOwner, decideDependent, withoutOwnerReferences } from './ownership.ts';

const ref = (uid: string, blockOwnerDeletion?: boolean): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, blockOwnerDeletion });
const obj = (uid: string, meta: Partial<KubeObject['metadata']> = {}): KubeObject => ({ metadata: { name: `o-${uid}`, namespace: 'default', uid, ...meta } });

describe('classifyOwner', () => {
  const cases: { name: string; owner: KubeObject | undefined; expect: OwnerStatus }[] = [
    { name: 'absent owner is dangling', owner: undefined, expect: 'dangling' },
    { name: 'an object of that name with another uid is dangling', owner: obj('other'), expect: 'dangling' },
    { name: 'a live owner is solid', owner: obj('u1'), expect: 'solid' },
    { name: 'a background-deleting owner is still solid', owner: obj('u1', { deletionTimestamp: 't', finalizers: ['x/y'] }), expect: 'solid' },
    { name: 'a foreground-deleting owner waits for dependents', owner: obj('u1', { deletionTimestamp: 't', finalizers: ['foregroundDeletion'] }), expect: 'waitingForDependents' },
  ];
  for (const c of cases) it(c.name, () => assert.equal(classifyOwner(ref('u1'), c.owner), c.expect));
});

describe('decideDependent', () => {
  const c = (uid: string, status: OwnerStatus): ClassifiedReference => ({ ref: ref(uid), status });
  const cases: { name: string; dependent?: KubeObject; refs: ClassifiedReference[]; hasDependents?: boolean; expect: DependentAction }[] = [
    { name: 'no owners: nothing', refs: [], expect: { type: 'none' } },
    { name: 'a solid owner keeps it', refs: [c('a', 'solid')], expect: { type: 'none' } },
    { name: 'all owners gone: background delete', refs: [c('a', 'dangling'), c('b', 'dangling')], expect: { type: 'delete', propagationPolicy: 'Background' } },
    { name: 'one solid owner among gone ones: drop the dangling references', refs: [c('a', 'dangling'), c('b', 'solid'), c('c', 'waitingForDependents')], expect: { type: 'removeOwnerReferences', uids: ['a', 'c'] } },
    { name: 'owner waits and the object has dependents: foreground delete', refs: [c('a', 'waitingForDependents')], hasDependents: true, expect: { type: 'delete', propagationPolicy: 'Foreground' } },
    { name: 'owner waits and the object has no dependents: background delete', refs: [c('a', 'waitingForDependents')], expect: { type: 'delete', propagationPolicy: 'Background' } },
    { name: 'keeps the orphan policy the object already asks for', dependent: obj('d', { finalizers: ['orphan'] }), refs: [c('a', 'dangling')], expect: { type: 'delete', propagationPolicy: 'Orphan' } },
    { name: 'already terminating without our finalizers: nothing to add', dependent: obj('d', { deletionTimestamp: 't', finalizers: ['x/y'] }), refs: [c('a', 'dangling')], expect: { type: 'none' } },
  ];
  for (const t of cases) it(t.name, () => assert.deepEqual(decideDependent(t.dependent ?? obj('d'), t.refs, t.hasDependents ?? false), t.expect));
});

describe('decideDeletingOwner', () => {
  const owner = (finalizers: string[]) => obj('o', { deletionTimestamp: 't', finalizers });
  const dep = (uid: string, block?: boolean, meta: Partial<KubeObject['metadata']> = {}) => obj(uid, { ownerReferences: [ref('o', block)], ...meta });
  const blocking = dep('p1', true);
  const nonBlocking = dep('p2', false);
  const terminating = dep('p3', true, { deletionTimestamp: 't', finalizers: ['hold'] });
  const unrelated = obj('p4', { ownerReferences: [ref('someone-else', true)] });
  const cases: { name: string; owner: KubeObject; dependents: KubeObject[]; expect: OwnerAction }[] = [
    { name: 'not being deleted: nothing', owner: obj('o'), dependents: [blocking], expect: { type: 'none' } },
    { name: 'orphan with dependents: orphan them', owner: owner(['orphan']), dependents: [blocking, unrelated], expect: { type: 'orphanDependents', dependents: [blocking] } },
    { name: 'orphan with none left: drop the finalizer', owner: owner(['orphan']), dependents: [unrelated], expect: { type: 'removeFinalizer', finalizer: 'orphan' } },
    { name: 'foreground with blocking dependents: delete those not yet going', owner: owner(['foregroundDeletion']), dependents: [blocking, nonBlocking, terminating], expect: { type: 'deleteDependents', dependents: [blocking, nonBlocking] } },
    { name: 'foreground waits on a terminating blocking dependent', owner: owner(['foregroundDeletion']), dependents: [terminating], expect: { type: 'deleteDependents', dependents: [] } },
    { name: 'foreground with only non-blocking dependents: drop the finalizer', owner: owner(['foregroundDeletion']), dependents: [nonBlocking, unrelated], expect: { type: 'removeFinalizer', finalizer: 'foregroundDeletion' } },
  ];
  for (const t of cases) it(t.name, () => assert.deepEqual(decideDeletingOwner(t.owner, t.dependents), t.expect));
});

it('withoutOwnerReferences removes references by uid only', () => {
  const o = obj('d', { ownerReferences: [ref('a'), ref('b'), ref('c')] });
  assert.deepEqual(withoutOwnerReferences(o, ['a', 'c']).map((r) => r.uid), ['b']);
});
