// Rollout arithmetic: how far the new ReplicaSet may grow, which old ones may shrink, and proportional scaling
// of every ReplicaSet when spec.replicas changes mid-rollout (upstream's rolling.go and sync.go scale()).
import type { Deployment, ReplicaSet } from '../replicaset/workload-types.ts';
import { specReplicas } from '../replicaset/workload-types.ts';
import { isRollingUpdate, maxSurge, maxUnavailable } from './fenceposts.ts';
import { activeReplicaSets, availableReplicaCount, byCreation, bySizeNewer, bySizeOlder, findActiveOrLatest, specReplicaCount } from './replica-set-lists.ts';
import { desiredReplicasAnnotation, maxReplicasAnnotation } from './revision.ts';

/** A ReplicaSet reports more available replicas than it should have: its status lags a scale-down; retried. */
export class InvalidScaleDownError extends Error {
  override name = 'InvalidScaleDownError';
  readonly code = 'InvalidScaleDown';
}

/** Set `rs` to `replicas` (and refresh its replica annotations). */
export interface ScaleStep {
  rs: ReplicaSet;
  replicas: number;
}

/** The size the new ReplicaSet may have now: all at once for Recreate, within maxSurge for RollingUpdate. */
export function newReplicaSetReplicas(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): number {
  const desired = specReplicas(d);
  if (!isRollingUpdate(d)) return desired;
  const current = specReplicaCount(allRSs);
  const maxTotal = desired + maxSurge(d);
  if (current >= maxTotal) return specReplicas(newRS);
  return specReplicas(newRS) + Math.min(maxTotal - current, desired - specReplicas(newRS));
}

/** Scaling of the new ReplicaSet in a rolling update, if any. */
export function planNewReplicaSetScale(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], newRS: ReplicaSet): ScaleStep | undefined {
  const current = specReplicas(newRS);
  const desired = specReplicas(d);
  if (current === desired) return undefined;
  const target = current > desired ? desired : newReplicaSetReplicas(d, allRSs, newRS);
  return target === current ? undefined : { rs: newRS, replicas: target };
}

/**
 * Scaling down of old ReplicaSets in a rolling update: first unhealthy replicas (they cost no availability),
 * then available ones down to spec.replicas − maxUnavailable. Oldest ReplicaSets go first; one step per ReplicaSet.
 */
export function planOldReplicaSetsScaleDown(d: Deployment, allRSs: readonly (ReplicaSet | undefined)[], oldRSs: readonly ReplicaSet[], newRS: ReplicaSet | undefined): ScaleStep[] {
  if (specReplicaCount(oldRSs) === 0) return [];
  const minAvailable = specReplicas(d) - maxUnavailable(d);
  const newUnavailable = newRS ? specReplicas(newRS) - (newRS.status?.availableReplicas ?? 0) : 0;
  const maxScaledDown = specReplicaCount(allRSs) - minAvailable - newUnavailable;
  if (maxScaledDown <= 0) return [];
  const sorted = [...oldRSs].sort(byCreation);
  const sizes = new Map(sorted.map((rs) => [rs, specReplicas(rs)]));
  let cleaned = 0;
  for (const rs of sorted) {
    if (cleaned >= maxScaledDown) break;
    const replicas = sizes.get(rs)!;
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const count = Math.min(maxScaledDown - cleaned, replicas - available);
    if (count < 0) throw new InvalidScaleDownError(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${replicas} -> ${replicas - count}`);
    sizes.set(rs, replicas - count);
    cleaned += count;
  }
  const available = availableReplicaCount([...sorted, newRS]);
  if (available > minAvailable) {
    const toScaleDown = available - minAvailable;
    let scaled = 0;
    for (const rs of sorted) {
      if (scaled >= toScaleDown) break;
      const replicas = sizes.get(rs)!;
      if (replicas === 0) continue;
      const count = Math.min(replicas, toScaleDown - scaled);
      sizes.set(rs, replicas - count);
      scaled += count;
    }
  }
  return sorted.filter((rs) => sizes.get(rs) !== specReplicas(rs)).map((rs) => ({ rs, replicas: sizes.get(rs)! }));
}

/** The new ReplicaSet is at full size and fully available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = specReplicas(d);
  return specReplicas(rs) === desired && desiredReplicasAnnotation(rs) === desired && (rs.status?.availableReplicas ?? 0) === desired;
}

/** How many replicas `rs` gains (or loses) when the deployment's max size changes from its annotation to now. */
function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (specReplicas(d) === 0) return -specReplicas(rs);
  const deploymentMax = specReplicas(d) + maxSurge(d);
  const before = maxReplicasAnnotation(rs) ?? d.status?.replicas ?? 0;
  if (before <= 0) return 0;
  return Math.round((specReplicas(rs) * deploymentMax) / before) - specReplicas(rs);
}

export function proportion(rs: ReplicaSet, d: Deployment, toAdd: number, added: number): number {
  if (specReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * Scaling for a changed spec.replicas (or a paused deployment): a lone active ReplicaSet takes the new size; a
 * saturated new ReplicaSet retires the old ones; mid-rollout every active ReplicaSet grows or shrinks in
 * proportion, the rounding leftover going to the largest. Proportional steps list every active ReplicaSet, so
 * their replica annotations are refreshed even when their size stays.
 */
export function planProportionalScale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ScaleStep[] {
  const desired = specReplicas(d);
  const lone = findActiveOrLatest(newRS, oldRSs);
  if (lone) return specReplicas(lone) === desired ? [] : [{ rs: lone, replicas: desired }];
  if (isSaturated(d, newRS)) return activeReplicaSets(oldRSs).map((rs) => ({ rs, replicas: 0 }));
  if (!isRollingUpdate(d)) return [];
  const all = activeReplicaSets([...oldRSs, newRS]);
  const allowedSize = desired > 0 ? desired + maxSurge(d) : 0;
  const toAdd = allowedSize - specReplicaCount(all);
  if (toAdd > 0) all.sort(bySizeNewer);
  else if (toAdd < 0) all.sort(bySizeOlder);
  const sizes = new Map<ReplicaSet, number>();
  let added = 0;
  for (const rs of all) {
    const p = toAdd === 0 ? 0 : proportion(rs, d, toAdd, added);
    sizes.set(rs, specReplicas(rs) + p);
    added += p;
  }
  if (added !== toAdd && all.length > 0) sizes.set(all[0], Math.max(0, sizes.get(all[0])! + toAdd - added));
  return all.map((rs) => ({ rs, replicas: sizes.get(rs)! }));
}

/** Recreate: every active old ReplicaSet to zero. */
export function planRecreateScaleDown(oldRSs: readonly ReplicaSet[]): ScaleStep[] {
  return activeReplicaSets(oldRSs).map((rs) => ({ rs, replicas: 0 }));
}
