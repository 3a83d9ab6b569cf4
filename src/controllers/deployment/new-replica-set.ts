// The ReplicaSet a Deployment creates for its current template: `<deployment>-<pod-template-hash>`, the hash
// label added to its selector, template and own labels, controlled by the Deployment.
import type { LabelSelector } from '../../api/types.ts';
import { controllerRefFor } from '../replicaset/controller-ref.ts';
import type { Deployment, ReplicaSet } from '../replicaset/workload-types.ts';
import { computeHash, POD_TEMPLATE_HASH_LABEL } from './pod-template-hash.ts';

export const DEPLOYMENT_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' };

function selectorWithHash(selector: LabelSelector, hash: string): LabelSelector {
  const out = structuredClone(selector);
  out.matchLabels = { ...out.matchLabels, [POD_TEMPLATE_HASH_LABEL]: hash };
  return out;
}

/** The new ReplicaSet, with `replicas` and no annotations yet (see setNewReplicaSetAnnotations). */
export function buildNewReplicaSet(d: Deployment, replicas: number): ReplicaSet {
  const hash = computeHash(d.spec.template, d.status?.collisionCount);
  const template = structuredClone(d.spec.template);
  template.metadata = { ...template.metadata, labels: { ...template.metadata?.labels, [POD_TEMPLATE_HASH_LABEL]: hash } };
  const rs: ReplicaSet = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: `${d.metadata.name}-${hash}`,
      namespace: d.metadata.namespace,
      ownerReferences: [controllerRefFor(d, DEPLOYMENT_KIND)],
      labels: { ...template.metadata.labels },
    },
    spec: { replicas, selector: selectorWithHash(d.spec.selector, hash), template },
  };
  if (d.spec.minReadySeconds) rs.spec.minReadySeconds = d.spec.minReadySeconds;
  return rs;
}
