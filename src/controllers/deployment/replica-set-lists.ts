// Finding a Deployment's new and old ReplicaSets, counting over them and ordering them (upstream's deployment util).
import type { ReplicaSet } from '../replicaset/workload-types.ts';
import { specReplicas } from '../replicaset/workload-types.ts';
import type { Deployment } from '../replicaset/workload-types.ts';
import { isEqualIgnoringHash } from './pod-template-hash.ts';
import { revisionOf } from './revision.ts';

function created(rs: ReplicaSet): number {
  return Date.parse(rs.metadata.creationTimestamp ?? '') || 0;
}

/** Oldest first, by name on ties. */
export function byCreation(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || ((a.metadata.name ?? '') < (b.metadata.name ?? '') ? -1 : (a.metadata.name ?? '') > (b.metadata.name ?? '') ? 1 : 0);
}

/** Largest first; among equals oldest first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(a, b);
}

/** Largest first; among equals newest first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return specReplicas(b) - specReplicas(a) || byCreation(b, a);
}

/** Lowest revision first, then oldest. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (Number.isNaN(ra) || Number.isNaN(rb) || ra === rb) return byCreation(a, b);
  return ra - rb;
}

/** The oldest ReplicaSet whose template equals the Deployment's (ignoring the hash label). */
export function findNewReplicaSet(d: Deployment, replicaSets: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...replicaSets].sort(byCreation).find((rs) => isEqualIgnoringHash(rs.spec.template, d.spec.template));
}

/** Every ReplicaSet but the new one. */
export function findOldReplicaSets(d: Deployment, replicaSets: readonly ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, replicaSets);
  return replicaSets.filter((rs) => rs.metadata.uid !== newRS?.metadata.uid);
}

/** ReplicaSets that have (or ought to have) pods. */
export function activeReplicaSets(replicaSets: readonly (ReplicaSet | undefined)[]): ReplicaSet[] {
  return replicaSets.filter((rs): rs is ReplicaSet => rs !== undefined && specReplicas(rs) > 0);
}

function sum(replicaSets: readonly (ReplicaSet | undefined)[], f: (rs: ReplicaSet) => number): number {
  return replicaSets.reduce((n, rs) => n + (rs ? f(rs) : 0), 0);
}

/** Σ spec.replicas. */
export function specReplicaCount(replicaSets: readonly (ReplicaSet | undefined)[]): number {
  return sum(replicaSets, specReplicas);
}

/** Σ status.replicas. */
export function actualReplicaCount(replicaSets: readonly (ReplicaSet | undefined)[]): number {
  return sum(replicaSets, (rs) => rs.status?.replicas ?? 0);
}

export function readyReplicaCount(replicaSets: readonly (ReplicaSet | undefined)[]): number {
  return sum(replicaSets, (rs) => rs.status?.readyReplicas ?? 0);
}

export function availableReplicaCount(replicaSets: readonly (ReplicaSet | undefined)[]): number {
  return sum(replicaSets, (rs) => rs.status?.availableReplicas ?? 0);
}

/** The active ReplicaSet if exactly one has replicas; with none, the newest (new one preferred); else undefined. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const sorted = [...oldRSs].sort((a, b) => byCreation(b, a));
  const all = newRS ? [newRS, ...sorted] : sorted;
  const active = activeReplicaSets(all);
  if (active.length === 0) return newRS ?? sorted[0];
  return active.length === 1 ? active[0] : undefined;
}

/** Old ReplicaSets to delete beyond revisionHistoryLimit: lowest revisions first, only empty and settled ones. */
export function replicaSetsToCleanUp(d: Deployment, oldRSs: readonly ReplicaSet[]): ReplicaSet[] {
  const limit = d.spec.revisionHistoryLimit;
  if (limit === undefined || limit === null) return [];
  const alive = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
  const excess = alive.length - limit;
  if (excess <= 0) return [];
  return [...alive].sort(byRevision).slice(0, excess).filter((rs) => (rs.status?.replicas ?? 0) === 0 && specReplicas(rs) === 0 && (rs.metadata.generation ?? 0) <= (rs.status?.observedGeneration ?? 0));
}
