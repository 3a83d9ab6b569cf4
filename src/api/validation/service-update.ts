// Services on create and update: the spec upstream's strategy would validate, and what may not change.
import type { KubeObject } from '../types.ts';
import { field } from '../status.ts';
import { arr, isSet, num, obj, semanticEqual, str } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { validateObjectMetaUpdate } from './meta.ts';
import { isExternallyAccessible, needsHealthCheck, typeOf, validateService } from './service.ts';
import { normalizeClusterIPs, validateClusterIPsUpdate, validateIPFamiliesUpdate } from './service-ips.ts';

const needsClusterIP = (spec: Obj) => typeOf(spec) !== 'ExternalName';
const needsNodePort = (spec: Obj) => typeOf(spec) === 'NodePort' || typeOf(spec) === 'LoadBalancer';

/**
 * Upstream's dropTypeDependentFields: when the type changes, values the old type needed and the client merely
 * carried over (unchanged) are dropped rather than rejected. Returns a copy of the new spec.
 */
export function dropTypeDependentFields(next: Obj, old: Obj): Obj {
  const spec: Obj = { ...next, ports: arr(next.ports).map((p) => ({ ...obj(p) })) };
  if (needsClusterIP(old) && !needsClusterIP(spec)) {
    if (str(spec.clusterIP) === str(old.clusterIP) && semanticEqual(spec.clusterIPs, old.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (semanticEqual(spec.ipFamilies, old.ipFamilies)) delete spec.ipFamilies;
    if (semanticEqual(spec.ipFamilyPolicy, old.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(old) && !needsNodePort(spec)) {
    const before = new Set(arr(old.ports).map((p) => num(obj(p).nodePort)).filter(Boolean));
    const after = arr(spec.ports).map((p) => num(obj(p).nodePort)).filter(Boolean);
    if (after.every((p) => before.has(p))) for (const p of arr(spec.ports)) delete obj(p).nodePort;
  }
  if (needsHealthCheck(old) && !needsHealthCheck(spec) && num(spec.healthCheckNodePort) === num(old.healthCheckNodePort)) delete spec.healthCheckNodePort;
  if (typeOf(old) === 'LoadBalancer' && typeOf(spec) !== 'LoadBalancer') {
    if (semanticEqual(spec.allocateLoadBalancerNodePorts, old.allocateLoadBalancerNodePorts)) delete spec.allocateLoadBalancerNodePorts;
    if (str(spec.loadBalancerClass) === str(old.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (isExternallyAccessible(old) && !isExternallyAccessible(spec) && str(spec.externalTrafficPolicy) === str(old.externalTrafficPolicy)) delete spec.externalTrafficPolicy;
  return spec;
}

/** The Service as upstream validates it on create or update, without touching the stored object. */
export function prepareService(next: KubeObject, old?: KubeObject): KubeObject {
  let spec = obj(next.spec);
  if (old) {
    const oldSpec = obj(old.spec);
    spec = dropTypeDependentFields(spec, oldSpec);
    if (needsHealthCheck(spec) && needsHealthCheck(oldSpec) && !isSet(spec.healthCheckNodePort)) spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
  return { ...next, spec: normalizeClusterIPs(spec, old ? obj(old.spec) : undefined) };
}

export function validateServiceCreate(svc: KubeObject, options: { isNamespaced: boolean }): Causes {
  return validateService(prepareService(svc), options);
}

export function validateServiceUpdate(svc: KubeObject, old: KubeObject, options: { isNamespaced: boolean }): Causes {
  const next = prepareService(svc, old);
  const spec = obj(next.spec);
  const oldSpec = normalizeClusterIPs(obj(old.spec), undefined);
  const out = validateObjectMetaUpdate(svc.metadata, old.metadata);
  out.push(...validateClusterIPsUpdate(spec, oldSpec));
  out.push(...validateIPFamiliesUpdate(spec, oldSpec));
  if (typeOf(spec) === 'LoadBalancer' && typeOf(oldSpec) === 'LoadBalancer' && str(spec.loadBalancerClass) !== str(oldSpec.loadBalancerClass)) {
    out.push(field.invalid('spec.loadBalancerClass', spec.loadBalancerClass ?? null, 'may not change once set'));
  }
  if (needsHealthCheck(spec) && needsHealthCheck(oldSpec) && num(spec.healthCheckNodePort) !== num(oldSpec.healthCheckNodePort)) {
    out.push(field.forbidden('spec.healthCheckNodePort', 'field is immutable'));
  }
  out.push(...validateService(next, options));
  return out;
}
