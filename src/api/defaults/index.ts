// applyDefaults: upstream's defaulting (and the always-on admission defaults for Pods), in place.
// Called by the registry on create and update, before validation; applying it twice equals applying it once.
import type { KubeObject } from '../types.ts';
import { defaultDeployment, defaultReplicaSet } from './apps.ts';
import { defaultEndpoints, defaultNamespace, defaultNode, defaultSecret, defaultService } from './core.ts';
import { defaultEndpointSlice, defaultIngressClass, defaultNetworkPolicy } from './networking.ts';
import { defaultPod } from './pod.ts';

const DEFAULTERS: Record<string, (obj: KubeObject) => void> = {
  Namespace: defaultNamespace,
  Node: defaultNode,
  Pod: defaultPod,
  Service: defaultService,
  Endpoints: defaultEndpoints,
  Secret: defaultSecret,
  Deployment: defaultDeployment,
  ReplicaSet: defaultReplicaSet,
  EndpointSlice: defaultEndpointSlice,
  NetworkPolicy: defaultNetworkPolicy,
  IngressClass: defaultIngressClass,
};

export function applyDefaults(kind: string, obj: KubeObject): void {
  DEFAULTERS[kind]?.(obj);
}

export { defaultImagePullPolicy, imageTag } from './pod.ts';
