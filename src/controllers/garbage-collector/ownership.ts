// The garbage collector's decisions, as upstream's attemptToDeleteItem / processDeletingDependentsItem /
// orphanDependents make them, over plain objects so they can be table-tested.
import type { KubeObject, OwnerReference } from '../../api/types.ts';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

export type DeletionPropagation = 'Background' | 'Foreground' | 'Orphan';

/**
 * solid: the owner exists and is not waiting for its dependents; dangling: no object with that uid exists;
 * waitingForDependents: the owner is being deleted in the foreground.
 */
export type OwnerStatus = 'solid' | 'dangling' | 'waitingForDependents';

export interface ClassifiedReference {
  ref: OwnerReference;
  status: OwnerStatus;
}

export type DependentAction =
  | { type: 'none' }
  | { type: 'removeOwnerReferences'; uids: string[] }
  | { type: 'delete'; propagationPolicy: DeletionPropagation };

export type OwnerAction =
  | { type: 'none' }
  | { type: 'orphanDependents'; dependents: KubeObject[] }
  | { type: 'removeFinalizer'; finalizer: string }
  | { type: 'deleteDependents'; dependents: KubeObject[] };

export function hasFinalizer(obj: KubeObject, finalizer: string): boolean {
  return (obj.metadata.finalizers ?? []).includes(finalizer);
}

export function isDeletingDependents(obj: KubeObject): boolean {
  return Boolean(obj.metadata.deletionTimestamp) && hasFinalizer(obj, FOREGROUND_FINALIZER);
}

export function isOrphaning(obj: KubeObject): boolean {
  return Boolean(obj.metadata.deletionTimestamp) && hasFinalizer(obj, ORPHAN_FINALIZER);
}

/** `owner` is the live object found under the reference's name, if any: a different uid means the owner is gone. */
export function classifyOwner(ref: OwnerReference, owner: KubeObject | undefined): OwnerStatus {
  if (!owner || owner.metadata.uid !== ref.uid) return 'dangling';
  return isDeletingDependents(owner) ? 'waitingForDependents' : 'solid';
}

/**
 * What to do with an object that has owner references.
 * - any solid owner: keep it, but drop references to dangling and foreground-deleting owners (else those owners
 *   would wait forever on a dependent that is not going away);
 * - some owner waits for its dependents and this object has dependents of its own: delete it in the foreground
 *   too, so the wait propagates down;
 * - otherwise: delete it, keeping the policy its own finalizers already ask for.
 */
export function decideDependent(dependent: KubeObject, refs: readonly ClassifiedReference[], hasDependents: boolean): DependentAction {
  if (refs.length === 0) return { type: 'none' };
  const solid = refs.filter((r) => r.status === 'solid');
  const stale = refs.filter((r) => r.status !== 'solid').map((r) => r.ref.uid);
  if (solid.length) return stale.length ? { type: 'removeOwnerReferences', uids: stale } : { type: 'none' };
  if (dependent.metadata.deletionTimestamp && !hasFinalizer(dependent, ORPHAN_FINALIZER) && !hasFinalizer(dependent, FOREGROUND_FINALIZER)) {
    return { type: 'none' }; // already going, nothing to propagate
  }
  const isAnyOwnerWaiting = refs.some((r) => r.status === 'waitingForDependents');
  if (isAnyOwnerWaiting && hasDependents) return { type: 'delete', propagationPolicy: 'Foreground' };
  if (hasFinalizer(dependent, ORPHAN_FINALIZER)) return { type: 'delete', propagationPolicy: 'Orphan' };
  if (hasFinalizer(dependent, FOREGROUND_FINALIZER)) return { type: 'delete', propagationPolicy: 'Foreground' };
  return { type: 'delete', propagationPolicy: 'Background' };
}

export function referencesTo(obj: KubeObject, ownerUid: string): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.uid === ownerUid);
}

/**
 * What to do with an owner being deleted. Orphan first: its dependents lose their reference to it, then it loses
 * the finalizer. Foreground: its dependents are deleted; the finalizer goes once none that blocks it is left.
 */
export function decideDeletingOwner(owner: KubeObject, dependents: readonly KubeObject[]): OwnerAction {
  const uid = owner.metadata.uid ?? '';
  const referring = dependents.filter((d) => referencesTo(d, uid));
  if (isOrphaning(owner)) {
    return referring.length ? { type: 'orphanDependents', dependents: [...referring] } : { type: 'removeFinalizer', finalizer: ORPHAN_FINALIZER };
  }
  if (isDeletingDependents(owner)) {
    const blocking = referring.filter((d) => referencesTo(d, uid)?.blockOwnerDeletion === true);
    if (blocking.length === 0) return { type: 'removeFinalizer', finalizer: FOREGROUND_FINALIZER };
    return { type: 'deleteDependents', dependents: referring.filter((d) => !d.metadata.deletionTimestamp) };
  }
  return { type: 'none' };
}

export function withoutOwnerReferences(obj: KubeObject, uids: readonly string[]): OwnerReference[] {
  return (obj.metadata.ownerReferences ?? []).filter((r) => !uids.includes(r.uid));
}
