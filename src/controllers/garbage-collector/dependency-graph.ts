// The owner → dependents graph, fed by informers of any set of resources, keyed by uid (as upstream's GraphBuilder).
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { isDeletingDependents, isOrphaning } from './ownership.ts';

export interface GraphNode {
  resource: ResourceInfo;
  object: KubeObject;
}

export type GraphChange = { type: 'added' | 'updated' | 'deleted'; resource: ResourceInfo; object: KubeObject };

export class DependencyGraph {
  #nodes = new Map<string, GraphNode>();
  /** owner uid → dependent uids, for owners whether or not we have seen them. */
  #dependents = new Map<string, Set<string>>();

  get size(): number {
    return this.#nodes.size;
  }

  get(uid: string): GraphNode | undefined {
    return this.#nodes.get(uid);
  }

  dependentsOf(uid: string): GraphNode[] {
    return [...(this.#dependents.get(uid) ?? [])].map((d) => this.#nodes.get(d)).filter((n): n is GraphNode => n !== undefined);
  }

  hasDependents(uid: string): boolean {
    return (this.#dependents.get(uid)?.size ?? 0) > 0;
  }

  /** Applies a change and returns the uids that need another look. */
  apply(change: GraphChange): string[] {
    const uid = change.object.metadata.uid;
    if (!uid) return [];
    const previous = this.#nodes.get(uid)?.object;
    if (change.type === 'deleted') {
      this.#unlink(uid, previous ?? change.object);
      this.#nodes.delete(uid);
    } else {
      if (previous) this.#unlink(uid, previous);
      this.#nodes.set(uid, { resource: change.resource, object: change.object });
      for (const ref of change.object.metadata.ownerReferences ?? []) {
        let set = this.#dependents.get(ref.uid);
        if (!set) this.#dependents.set(ref.uid, (set = new Set()));
        set.add(uid);
      }
    }
    return affectedBy(change.type, previous, change.object, (u) => this.#nodes.get(u)?.object, [...(this.#dependents.get(uid) ?? [])]);
  }

  #unlink(uid: string, obj: KubeObject): void {
    for (const ref of obj.metadata.ownerReferences ?? []) {
      const set = this.#dependents.get(ref.uid);
      set?.delete(uid);
      if (set?.size === 0) this.#dependents.delete(ref.uid);
    }
  }
}

function ownersKey(obj: KubeObject | undefined): string {
  return JSON.stringify((obj?.metadata.ownerReferences ?? []).map((r) => [r.uid, r.blockOwnerDeletion === true]));
}

/**
 * Which objects a change concerns: the object itself when it has owners or is being deleted with a
 * finalizer of ours; its dependents when it is gone; owners being deleted when one of their dependents
 * goes away or stops referring to them.
 */
export function affectedBy(type: GraphChange['type'], previous: KubeObject | undefined, object: KubeObject, lookup: (uid: string) => KubeObject | undefined, dependents: readonly string[]): string[] {
  const uid = object.metadata.uid!;
  const out = new Set<string>();
  const isWaitingOwner = (u: string) => {
    const o = lookup(u);
    return o !== undefined && (isDeletingDependents(o) || isOrphaning(o));
  };
  if (type === 'deleted') {
    for (const d of dependents) out.add(d);
    for (const ref of (previous ?? object).metadata.ownerReferences ?? []) if (isWaitingOwner(ref.uid)) out.add(ref.uid);
    return [...out];
  }
  const hasOwners = (object.metadata.ownerReferences?.length ?? 0) > 0;
  const ownersChanged = ownersKey(previous) !== ownersKey(object);
  if (isDeletingDependents(object) || isOrphaning(object)) out.add(uid);
  if (hasOwners && (type === 'added' || ownersChanged)) out.add(uid);
  if (type === 'updated' && ownersChanged) {
    for (const ref of [...(previous?.metadata.ownerReferences ?? []), ...(object.metadata.ownerReferences ?? [])]) if (isWaitingOwner(ref.uid)) out.add(ref.uid);
  }
  // A dependent that starts terminating does not unblock its owner yet; its disappearance will.
  return [...out];
}
