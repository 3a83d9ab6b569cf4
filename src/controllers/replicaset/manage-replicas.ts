// Deciding how a ReplicaSet moves towards spec.replicas: how many pods to create (in slow-start batches),
// which to delete, and the pod each create sends.
import type { OwnerReference, Pod } from '../../api/types.ts';
import { podsToDelete } from './pod-ranking.ts';
import type { ReplicaSet } from './workload-types.ts';

/** Upstream's BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
/** Upstream's SlowStartInitialBatchSize. */
export const SLOW_START_INITIAL_BATCH = 1;

export type ReplicaPlan = { action: 'none' } | { action: 'create'; count: number } | { action: 'delete'; pods: Pod[] };

export function planReplicas(desired: number, active: readonly Pod[], options: { related?: readonly Pod[]; burst?: number; now?: Date } = {}): ReplicaPlan {
  const burst = options.burst ?? BURST_REPLICAS;
  const diff = active.length - desired;
  if (diff < 0) return { action: 'create', count: Math.min(-diff, burst) };
  if (diff > 0) return { action: 'delete', pods: podsToDelete(active, options.related ?? active, Math.min(diff, burst), options.now) };
  return { action: 'none' };
}

/** Batch sizes 1, 2, 4, … (from `initial`) summing to `count`. */
export function slowStartBatches(count: number, initial = SLOW_START_INITIAL_BATCH): number[] {
  const out: number[] = [];
  let remaining = count;
  let size = Math.min(remaining, initial);
  while (size > 0) {
    out.push(size);
    remaining -= size;
    size = Math.min(2 * size, remaining);
  }
  return out;
}

/**
 * Runs `fn` `count` times in growing parallel batches, stopping after the first batch with a failure, so a
 * systematic error (quota, invalid template) costs one call rather than hundreds. Returns how many succeeded.
 */
export async function slowStartBatch(count: number, fn: () => Promise<void>, initial = SLOW_START_INITIAL_BATCH): Promise<{ successes: number; error?: unknown }> {
  let successes = 0;
  for (const size of slowStartBatches(count, initial)) {
    const results = await Promise.allSettled(Array.from({ length: size }, () => fn()));
    let error: unknown;
    for (const r of results) {
      if (r.status === 'fulfilled') successes++;
      else error ??= r.reason;
    }
    if (error !== undefined) return { successes, error };
  }
  return { successes };
}

/** The pod a ReplicaSet creates: its template, named `<rs>-<random>`, controlled by the ReplicaSet. */
export function podFromTemplate(rs: ReplicaSet, ref: OwnerReference): Pod {
  const meta = rs.spec.template.metadata ?? {};
  const pod: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: `${rs.metadata.name}-`, namespace: rs.metadata.namespace, ownerReferences: [ref] },
    spec: structuredClone(rs.spec.template.spec ?? { containers: [] }),
  };
  if (meta.labels) pod.metadata.labels = { ...meta.labels };
  if (meta.annotations) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}
