// Validation as kube-apiserver does it, after defaulting: an empty list means valid.
import type { KubeObject } from '../types.ts';
import type { StatusCause } from '../status.ts';
import type { Causes } from './causes.ts';
import { validateDeployment, validateReplicaSet, validateWorkloadUpdate } from './apps.ts';
import { validateConfigMap, validateConfigMapUpdate, validateSecret, validateSecretUpdate } from './config.ts';
import { validateEndpoints, validateEvent, validateLease, validateNamespace, validateNode, validateNodeUpdate, validateServiceAccount } from './core-misc.ts';
import { validateEndpointSlice, validateEndpointSliceUpdate } from './discovery.ts';
import { validateIngress, validateIngressClass, validateIngressClassUpdate } from './ingress.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { nameIsPathSegment } from './names.ts';
import { validateNetworkPolicy } from './network-policy.ts';
import { validatePodCreate, validatePodUpdate } from './pod.ts';
import { validateServiceCreate, validateServiceUpdate } from './service-update.ts';

export interface ValidationOptions {
  isNamespaced: boolean;
}

type Create = (obj: KubeObject, options: ValidationOptions) => Causes;
type Update = (next: KubeObject, old: KubeObject, options: ValidationOptions) => Causes;

/** What the generic registry checks for every kind: the name must be usable as a URL path segment. */
function validateGenericMeta(obj: KubeObject, options: ValidationOptions): Causes {
  return validateObjectMeta(obj.metadata, { isNamespaced: options.isNamespaced, nameFn: nameIsPathSegment });
}

const CREATE: Record<string, Create> = {
  Namespace: validateNamespace,
  Node: validateNode,
  Pod: validatePodCreate,
  Service: validateServiceCreate,
  Endpoints: validateEndpoints,
  Secret: validateSecret,
  ConfigMap: validateConfigMap,
  // core/v1 Events skip object-meta validation in their strategy; the generic check still applies
  Event: (ev, options) => {
    const causes = validateEvent(ev);
    return causes.length ? causes : validateGenericMeta(ev, options);
  },
  ServiceAccount: validateServiceAccount,
  Deployment: validateDeployment,
  ReplicaSet: validateReplicaSet,
  EndpointSlice: validateEndpointSlice,
  Ingress: (ing, options) => validateIngress(ing, { ...options, isCreate: true }),
  IngressClass: validateIngressClass,
  NetworkPolicy: validateNetworkPolicy,
  Lease: validateLease,
};

/** Rules that apply only when an existing object changes; the new object is also validated as on create. */
const UPDATE: Record<string, Update> = {
  Pod: validatePodUpdate,
  Service: validateServiceUpdate,
  Node: validateNodeUpdate,
  Secret: validateSecretUpdate,
  ConfigMap: validateConfigMapUpdate,
  Deployment: validateWorkloadUpdate,
  ReplicaSet: validateWorkloadUpdate,
  EndpointSlice: validateEndpointSliceUpdate,
  IngressClass: validateIngressClassUpdate,
  // the ingress.class annotation must agree with ingressClassName only on create
  Ingress: (ing, old, options) => [...validateObjectMetaUpdate(ing.metadata, old.metadata), ...validateIngress(ing, { ...options, isCreate: false })],
};

/** Kinds whose update rules already validate the new object in full. */
const SELF_CONTAINED = new Set(['Pod', 'Service', 'Ingress']);

/** Upstream may report one problem from several layers; report each once. */
function dedupe(causes: Causes): StatusCause[] {
  const seen = new Set<string>();
  return causes.filter((c) => {
    const k = `${c.reason}\u0000${c.field}\u0000${c.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function validateCreate(kind: string, obj: KubeObject, options: ValidationOptions): StatusCause[] {
  const validate = CREATE[kind] ?? validateGenericMeta;
  return dedupe(validate(obj, options));
}

export function validateUpdate(kind: string, next: KubeObject, old: KubeObject, options: ValidationOptions): StatusCause[] {
  const causes: Causes = [...validateObjectMetaUpdate(next.metadata, old.metadata)];
  const update = UPDATE[kind];
  if (kind === 'Event') {
    causes.push(...validateEvent(next), ...validateGenericMeta(next, options));
  } else if (SELF_CONTAINED.has(kind)) {
    causes.push(...update!(next, old, options));
  } else {
    causes.push(...(CREATE[kind] ?? validateGenericMeta)(next, options));
    if (update) causes.push(...update(next, old, options));
  }
  return dedupe(causes);
}
export { prepareService, dropTypeDependentFields } from './service-update.ts';
