// A ReplicaSet's status from the pods it owns (upstream's calculateStatus), with the ReplicaFailure condition.
import type { Pod } from '../../api/types.ts';
import { isDeepStrictEqual } from 'node:util';
import { isPodAvailable, isPodReady } from './pod-state.ts';
import type { ReplicaSet, ReplicaSetCondition, ReplicaSetStatus } from './workload-types.ts';

export interface ManageFailure {
  reason: 'FailedCreate' | 'FailedDelete';
  message: string;
}

export function formatTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hasAllLabels(want: Record<string, string> | undefined, have: Record<string, string> | undefined): boolean {
  return Object.entries(want ?? {}).every(([k, v]) => have?.[k] === v);
}

/**
 * Counts over the active pods the ReplicaSet owns. A failure to create or delete pods adds ReplicaFailure
 * (kept as first reported while it lasts); a clean sync removes it.
 */
export function calculateReplicaSetStatus(rs: ReplicaSet, pods: readonly Pod[], options: { failure?: ManageFailure; now: Date }): ReplicaSetStatus {
  const templateLabels = rs.spec.template.metadata?.labels;
  const minReadySeconds = rs.spec.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (hasAllLabels(templateLabels, pod.metadata.labels)) fullyLabeled++;
    if (isPodReady(pod)) ready++;
    if (isPodAvailable(pod, minReadySeconds, options.now)) available++;
  }
  let conditions: ReplicaSetCondition[] = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (options.failure && !failure) {
    conditions.push({ type: 'ReplicaFailure', status: 'True', lastTransitionTime: formatTime(options.now), reason: options.failure.reason, message: options.failure.message });
  } else if (!options.failure && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  const status: ReplicaSetStatus = { replicas: pods.length };
  if (fullyLabeled) status.fullyLabeledReplicas = fullyLabeled;
  if (ready) status.readyReplicas = ready;
  if (available) status.availableReplicas = available;
  if (rs.metadata.generation) status.observedGeneration = rs.metadata.generation;
  if (conditions.length) status.conditions = conditions;
  return status;
}

/** Whether writing `next` would change anything (zero counts and missing ones are the same, as upstream's omitempty). */
export function isSameReplicaSetStatus(current: ReplicaSetStatus | undefined, next: ReplicaSetStatus): boolean {
  const norm = (s: ReplicaSetStatus | undefined) => ({
    replicas: s?.replicas ?? 0,
    fullyLabeledReplicas: s?.fullyLabeledReplicas ?? 0,
    readyReplicas: s?.readyReplicas ?? 0,
    availableReplicas: s?.availableReplicas ?? 0,
    observedGeneration: s?.observedGeneration ?? 0,
    conditions: JSON.parse(JSON.stringify(s?.conditions ?? [])) as unknown,
  });
  return isDeepStrictEqual(norm(current), norm(next));
}
