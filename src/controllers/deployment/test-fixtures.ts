// Literal Deployments and ReplicaSets for the table tests.
import type { Deployment, ReplicaSet } from '../replicaset/workload-types.ts';

export const TEMPLATE = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }] } };

export function deployment(o: { replicas?: number; surge?: number | string; unavailable?: number | string; recreate?: boolean; statusReplicas?: number; generation?: number; progressDeadlineSeconds?: number; revisionHistoryLimit?: number } = {}): Deployment {
  return {
    metadata: { name: 'web', namespace: 'ns', uid: 'd-uid', generation: o.generation ?? 1 },
    spec: {
      replicas: o.replicas ?? 10,
      selector: { matchLabels: { app: 'web' } },
      template: structuredClone(TEMPLATE),
      strategy: o.recreate ? { type: 'Recreate' } : { type: 'RollingUpdate', rollingUpdate: { maxSurge: o.surge ?? '25%', maxUnavailable: o.unavailable ?? '25%' } },
      progressDeadlineSeconds: o.progressDeadlineSeconds ?? 600,
      revisionHistoryLimit: o.revisionHistoryLimit,
    },
    status: { replicas: o.statusReplicas ?? 0 },
  };
}

export function replicaSet(name: string, o: { replicas?: number; available?: number; ready?: number; actual?: number; created?: string; revision?: string; maxReplicas?: number; desired?: number; generation?: number; observed?: number } = {}): ReplicaSet {
  const annotations: Record<string, string> = {};
  if (o.revision !== undefined) annotations['deployment.kubernetes.io/revision'] = o.revision;
  if (o.maxReplicas !== undefined) annotations['deployment.kubernetes.io/max-replicas'] = String(o.maxReplicas);
  if (o.desired !== undefined) annotations['deployment.kubernetes.io/desired-replicas'] = String(o.desired);
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, creationTimestamp: o.created ?? '2025-01-01T00:00:00Z', annotations, generation: o.generation ?? 1 },
    spec: { replicas: o.replicas ?? 0, selector: { matchLabels: { app: 'web' } }, template: structuredClone(TEMPLATE) },
    status: { replicas: o.actual ?? o.replicas ?? 0, availableReplicas: o.available ?? 0, readyReplicas: o.ready ?? o.available ?? 0, observedGeneration: o.observed ?? o.generation ?? 1 },
  };
}
