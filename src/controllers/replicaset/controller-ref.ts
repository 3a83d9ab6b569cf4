// Controller references: which objects a controller owns, adopts or releases (upstream's ControllerRefManager).
import type { KubeObject, OwnerReference } from '../../api/types.ts';

export function controllerOf(obj: KubeObject): OwnerReference | undefined {
  return obj.metadata.ownerReferences?.find((r) => r.controller === true);
}

export function controllerRefFor(owner: KubeObject, gvk: { apiVersion: string; kind: string }): OwnerReference {
  return { apiVersion: gvk.apiVersion, kind: gvk.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export interface ClaimPlan<T extends KubeObject> {
  /** Already ours and still matching. */
  owned: T[];
  /** Orphans that match: ours once patched. */
  adopt: T[];
  /** Ours but no longer matching: to be orphaned. */
  release: T[];
}

/**
 * Sorts `candidates` (same namespace as the owner) into owned / adopt / release. A controller being deleted
 * neither adopts nor releases; objects being deleted are never adopted; objects owned by another controller are left alone.
 */
export function planClaims<T extends KubeObject>(owner: KubeObject, candidates: readonly T[], matches: (obj: T) => boolean): ClaimPlan<T> {
  const plan: ClaimPlan<T> = { owned: [], adopt: [], release: [] };
  const isOwnerDeleting = Boolean(owner.metadata.deletionTimestamp);
  for (const obj of candidates) {
    if (obj.metadata.namespace !== owner.metadata.namespace) continue;
    const ref = controllerOf(obj);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches(obj)) plan.owned.push(obj);
      else if (!isOwnerDeleting) plan.release.push(obj);
      continue;
    }
    if (isOwnerDeleting || !matches(obj) || obj.metadata.deletionTimestamp) continue;
    plan.adopt.push(obj);
  }
  return plan;
}

/** Strategic merge patch adding the controller reference; the object's uid makes the patch fail on a same-named replacement. */
export function adoptPatch(ref: OwnerReference, obj: KubeObject): unknown {
  return { metadata: { ownerReferences: [ref], uid: obj.metadata.uid } };
}

/** Strategic merge patch removing the owner's reference (by uid), leaving other owners in place. */
export function releasePatch(ownerUid: string, obj: KubeObject): unknown {
  return { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata.uid } };
}
