// Defaulting of core/v1 kinds other than Pod, as upstream's pkg/apis/core/v1/defaults.go and the
// Namespace strategy do it.
import type { KubeObject } from '../types.ts';
import { defaultNil, defaultZero, ensureObj, isObj, objAt, objsAt } from './fields.ts';

const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';
const CLIENT_IP_AFFINITY_SECONDS = 10800;

export function defaultNamespace(ns: KubeObject): void {
  // Always enforced, also on update, so the label cannot drift from the name.
  if (ns.metadata.name) ns.metadata.labels = { ...ns.metadata.labels, [METADATA_NAME_LABEL]: ns.metadata.name };
  // Upstream adds the finalizer on create only (the namespace controller removes it through /finalize);
  // a namespace being deleted must not get it back.
  if (!ns.metadata.deletionTimestamp) {
    const spec = ensureObj(ns, 'spec');
    const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
    if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
  }
  defaultZero(ensureObj(ns, 'status'), 'phase', 'Active');
}

function isExternallyAccessible(spec: Record<string, unknown>): boolean {
  const hasExternalIPs = Array.isArray(spec.externalIPs) && spec.externalIPs.length > 0;
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && hasExternalIPs);
}

export function defaultService(svc: KubeObject): void {
  const spec = ensureObj(svc, 'spec');
  defaultZero(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = objAt(objAt(spec, 'sessionAffinityConfig') ?? {}, 'clientIP')?.timeoutSeconds;
    if (timeout === undefined || timeout === null) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: CLIENT_IP_AFFINITY_SECONDS } };
  }
  defaultZero(spec, 'type', 'ClusterIP');
  for (const port of objsAt(spec, 'ports')) {
    defaultZero(port, 'protocol', 'TCP');
    defaultZero(port, 'targetPort', port.port);
  }
  if (isExternallyAccessible(spec)) defaultZero(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'ClusterIP' || spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
    defaultNil(spec, 'internalTrafficPolicy', 'Cluster');
  }
  if (spec.type === 'LoadBalancer') {
    defaultNil(spec, 'allocateLoadBalancerNodePorts', true);
    const loadBalancer = isObj(svc.status) ? objAt(svc.status, 'loadBalancer') : undefined;
    for (const ingress of objsAt(loadBalancer, 'ingress')) if (ingress.ip) defaultNil(ingress, 'ipMode', 'VIP');
  }
}

export function defaultSecret(secret: KubeObject): void {
  defaultZero(secret, 'type', 'Opaque');
}

export function defaultEndpoints(ep: KubeObject): void {
  for (const subset of objsAt(ep, 'subsets')) for (const port of objsAt(subset, 'ports')) defaultZero(port, 'protocol', 'TCP');
}

export function defaultNode(node: KubeObject): void {
  const status = isObj(node.status) ? node.status : undefined;
  if (!status || !isObj(status.capacity)) return;
  defaultNil(status, 'allocatable', { ...status.capacity });
}
