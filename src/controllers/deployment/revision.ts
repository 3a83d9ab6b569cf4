// Revision bookkeeping on a Deployment's ReplicaSets: the revision annotations kubectl rollout history/undo
// read, the annotations copied from the Deployment, and the replica annotations proportional scaling uses.
import type { KubeObject } from '../../api/types.ts';
import type { ReplicaSet } from '../replicaset/workload-types.ts';

export const REVISION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS = 'deployment.kubernetes.io/max-replicas';
/** Upstream's limit on the length of revision-history. */
export const MAX_REVISION_HISTORY_CHARS = 2000;

/** Deployment annotations that are never copied to its ReplicaSets. */
const NOT_COPIED = new Set([
  'kubectl.kubernetes.io/last-applied-configuration',
  REVISION,
  REVISION_HISTORY,
  DESIRED_REPLICAS,
  MAX_REPLICAS,
  'deprecated.deployment.rollback.to',
]);

/** The revision of `obj`, 0 when absent; NaN when unparseable. */
export function revisionOf(obj: KubeObject | undefined): number {
  const v = obj?.metadata.annotations?.[REVISION];
  if (v === undefined || v === '') return 0;
  return /^\d+$/.test(v) ? Number(v) : Number.NaN;
}

export function maxRevision(replicaSets: readonly ReplicaSet[]): number {
  let max = 0;
  for (const rs of replicaSets) {
    const v = revisionOf(rs);
    if (!Number.isNaN(v)) max = Math.max(max, v);
  }
  return max;
}

/** Copies the Deployment's own annotations onto `rs` (mutating it); true if any changed. */
export function copyDeploymentAnnotations(deployment: KubeObject, rs: ReplicaSet): boolean {
  const target = (rs.metadata.annotations ??= {});
  let isChanged = false;
  for (const [k, v] of Object.entries(deployment.metadata.annotations ?? {})) {
    if (NOT_COPIED.has(k) || target[k] === v) continue;
    target[k] = v;
    isChanged = true;
  }
  return isChanged;
}

/** Sets desired-replicas and max-replicas (mutating `rs`); true if either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let isChanged = false;
  if (a[DESIRED_REPLICAS] !== String(desired)) {
    a[DESIRED_REPLICAS] = String(desired);
    isChanged = true;
  }
  if (a[MAX_REPLICAS] !== String(max)) {
    a[MAX_REPLICAS] = String(max);
    isChanged = true;
  }
  return isChanged;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS] !== String(desired) || a[MAX_REPLICAS] !== String(max);
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  return v !== undefined && /^-?\d+$/.test(v) ? Number(v) : undefined;
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, DESIRED_REPLICAS);
}

export function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, MAX_REPLICAS);
}

/**
 * Brings the new ReplicaSet's annotations up to date (mutating `rs`): the Deployment's annotations, the revision
 * raised to `newRevision` (keeping the revision it replaces in revision-history, as a rollback does), and for a
 * ReplicaSet about to be created the replica annotations. True if anything changed.
 */
export function setNewReplicaSetAnnotations(deployment: KubeObject, rs: ReplicaSet, options: { newRevision: number; exists: boolean; desired: number; max: number }): boolean {
  let isChanged = copyDeploymentAnnotations(deployment, rs);
  const a = (rs.metadata.annotations ??= {});
  const oldRevision = a[REVISION] ?? '';
  const old = revisionOf(rs);
  if (Number.isNaN(old)) return isChanged;
  if (old < options.newRevision) {
    a[REVISION] = String(options.newRevision);
    isChanged = true;
    if (oldRevision !== '') {
      const history = a[REVISION_HISTORY] ?? '';
      if (history === '') a[REVISION_HISTORY] = oldRevision;
      else {
        const entries = history.split(',');
        let total = history.length + oldRevision.length + 1;
        let start = 0;
        while (total > MAX_REVISION_HISTORY_CHARS && start < entries.length) total -= entries[start++].length + 1;
        if (total <= MAX_REVISION_HISTORY_CHARS) a[REVISION_HISTORY] = [...entries.slice(start), oldRevision].join(',');
      }
    }
  }
  if (!options.exists && setReplicasAnnotations(rs, options.desired, options.max)) isChanged = true;
  return isChanged;
}
