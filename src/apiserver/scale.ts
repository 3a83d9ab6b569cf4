// The autoscaling/v1 Scale view of Deployments and ReplicaSets.
import type { KubeObject, LabelSelector } from '../api/types.ts';
import { badRequest } from '../api/status.ts';
import { formatLabelSelector } from '../api/selectors.ts';

export function getScale(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  const status = (obj.status ?? {}) as { replicas?: number };
  const m = obj.metadata;
  const selector = formatLabelSelector(spec.selector);
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, selector: selector === '<none>' ? '' : selector },
  };
}

/** The owner with `spec.replicas` taken from a Scale; the Scale's resourceVersion, if any, is a precondition. */
export function scaleMutation(current: KubeObject, scale: KubeObject): KubeObject {
  const replicas = (scale?.spec as { replicas?: unknown } | undefined)?.replicas;
  if (replicas !== undefined && (typeof replicas !== 'number' || !Number.isInteger(replicas))) throw badRequest('spec.replicas must be an integer');
  const next = structuredClone(current);
  next.spec = { ...(next.spec as object), replicas: replicas ?? 0 };
  const rv = scale?.metadata?.resourceVersion;
  if (rv && rv !== current.metadata.resourceVersion) next.metadata.resourceVersion = rv;
  else delete next.metadata.resourceVersion;
  return next;
}
