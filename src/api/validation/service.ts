// Services (core ValidateService), validated as upstream sees them after defaulting.
import type { KubeObject } from '../types.ts';
import { field } from '../status.ts';
import { arr, child, index, invalids, isObj, isSet, num, obj, required, str } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { PROTOCOLS } from './container.ts';
import { validateIP, validateCIDR, validateNonSpecialIP } from './ip.ts';
import { validateLabels } from './labels.ts';
import { validateObjectMeta } from './meta.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum, nameIsDNS1035Label } from './names.ts';
import { validatePortNumOrName } from './probe.ts';
import { clusterIPsOf, isHeadless, validateClusterIPsRelatedFields } from './service-ips.ts';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
const AFFINITIES = ['ClientIP', 'None'];
const TRAFFIC_POLICIES = ['Cluster', 'Local'];
const MAX_AFFINITY_SECONDS = 86400;

export const typeOf = (spec: Obj): string => str(spec.type) || 'ClusterIP';
export const isExternallyAccessible = (spec: Obj): boolean => {
  const t = typeOf(spec);
  return t === 'LoadBalancer' || t === 'NodePort' || (t === 'ClusterIP' && arr(spec.externalIPs).length > 0);
};
export const needsHealthCheck = (spec: Obj): boolean => typeOf(spec) === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';

function validateServicePort(port: Obj, { path, requireName, names }: { path: string; requireName: boolean; names: Set<string> }): Causes {
  const out: Causes = [];
  const name = str(port.name);
  if (requireName && !name) out.push(required(child(path, 'name')));
  else if (name) {
    out.push(...invalids(child(path, 'name'), name, isDNS1123Label(name)));
    if (names.has(name)) out.push(field.duplicate(child(path, 'name'), name));
    else names.add(name);
  }
  const portNum = num(port.port) ?? 0;
  out.push(...invalids(child(path, 'port'), portNum, isValidPortNum(portNum)));
  const protocol = str(port.protocol) || 'TCP';
  if (!PROTOCOLS.includes(protocol)) out.push(field.notSupported(child(path, 'protocol'), protocol, PROTOCOLS));
  // targetPort defaults to port
  out.push(...validatePortNumOrName(isSet(port.targetPort) ? port.targetPort : portNum, child(path, 'targetPort')));
  if (isSet(port.appProtocol)) out.push(...invalids(child(path, 'appProtocol'), str(port.appProtocol), isQualifiedName(str(port.appProtocol))));
  return out;
}

function validatePorts(spec: Obj): Causes {
  const out: Causes = [];
  const ports = arr(spec.ports).map(obj);
  const type = typeOf(spec);
  const names = new Set<string>();
  ports.forEach((p, i) => out.push(...validateServicePort(p, { path: index('spec.ports', i), requireName: ports.length > 1, names })));
  if (type === 'ClusterIP') {
    ports.forEach((p, i) => {
      if (num(p.nodePort)) out.push(field.forbidden(`${index('spec.ports', i)}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  const pairs = new Set<string>();
  ports.forEach((p, i) => {
    const protocol = str(p.protocol) || 'TCP';
    if (num(p.nodePort)) {
      const k = `${protocol}/${num(p.nodePort)}`;
      if (nodePorts.has(k)) out.push(field.duplicate(`${index('spec.ports', i)}.nodePort`, num(p.nodePort)));
      nodePorts.add(k);
    }
    const k = `${protocol}/${num(p.port) ?? 0}`;
    if (pairs.has(k)) out.push(field.duplicate(index('spec.ports', i), { protocol, port: num(p.port) ?? 0 }));
    pairs.add(k);
  });
  return out;
}

function validateSessionAffinity(spec: Obj): Causes {
  const affinity = str(spec.sessionAffinity) || 'None';
  if (!AFFINITIES.includes(affinity)) return [field.notSupported('spec.sessionAffinity', affinity, AFFINITIES)];
  if (affinity === 'None') return isSet(spec.sessionAffinityConfig) ? [field.forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None')] : [];
  // ClientIP: a missing timeout defaults to 10800 seconds
  const timeout = num(obj(obj(spec.sessionAffinityConfig).clientIP).timeoutSeconds);
  if (timeout !== undefined && (timeout <= 0 || timeout > MAX_AFFINITY_SECONDS)) {
    return [field.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', timeout, `must be greater than 0 and less than ${MAX_AFFINITY_SECONDS}`)];
  }
  return [];
}

function validateTypeSpecific(spec: Obj): Causes {
  const out: Causes = [];
  const type = typeOf(spec);
  const ips = clusterIPsOf(spec);
  if (type === 'LoadBalancer' && isHeadless(spec)) out.push(field.invalid('spec.clusterIPs[0]', ips[0], "may not be set to 'None' for LoadBalancer services"));
  if (type === 'NodePort' && isHeadless(spec)) out.push(field.invalid('spec.clusterIPs[0]', ips[0], "may not be set to 'None' for NodePort services"));
  if (type === 'ExternalName') {
    if (ips.length) out.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
    if (arr(spec.ipFamilies).length) out.push(field.forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
    if (isSet(spec.ipFamilyPolicy)) out.push(field.forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
    // a trailing dot marks the name fully qualified
    const cname = str(spec.externalName).replace(/\.$/, '');
    if (cname) out.push(...invalids('spec.externalName', cname, isDNS1123Subdomain(cname)));
    else out.push(required('spec.externalName'));
  }
  return out;
}

function validateLoadBalancerFields(spec: Obj): Causes {
  const out: Causes = [];
  const isLB = typeOf(spec) === 'LoadBalancer';
  const ranges = arr(spec.loadBalancerSourceRanges);
  if (ranges.length) {
    // upstream spells this path with a capital L
    if (!isLB) out.push(field.forbidden('spec.LoadBalancerSourceRanges', "may only be used when `type` is 'LoadBalancer'"));
    ranges.forEach((r, i) => out.push(...validateCIDR(index('spec.LoadBalancerSourceRanges', i), str(r).trim())));
  }
  if (isSet(spec.allocateLoadBalancerNodePorts) && !isLB) out.push(field.forbidden('spec.allocateLoadBalancerNodePorts', "may only be used when `type` is 'LoadBalancer'"));
  if (isSet(spec.loadBalancerClass)) {
    if (isLB) out.push(...invalids('spec.loadBalancerClass', str(spec.loadBalancerClass), isQualifiedName(str(spec.loadBalancerClass))));
    else out.push(field.forbidden('spec.loadBalancerClass', "may only be used when `type` is 'LoadBalancer'"));
  }
  return out;
}

function validateTrafficPolicies(spec: Obj): Causes {
  const out: Causes = [];
  const etp = str(spec.externalTrafficPolicy);
  if (!isExternallyAccessible(spec)) {
    if (etp) out.push(field.invalid('spec.externalTrafficPolicy', etp, 'may only be set for externally-accessible services'));
  } else if (etp && !TRAFFIC_POLICIES.includes(etp)) {
    out.push(field.notSupported('spec.externalTrafficPolicy', etp, TRAFFIC_POLICIES));
  }
  const hc = num(spec.healthCheckNodePort) ?? 0;
  if (!needsHealthCheck(spec)) {
    if (hc !== 0) out.push(field.invalid('spec.healthCheckNodePort', hc, "may only be set when `type` is 'LoadBalancer' and `externalTrafficPolicy` is 'Local'"));
  } else if (hc !== 0) {
    out.push(...invalids('spec.healthCheckNodePort', hc, isValidPortNum(hc)));
  }
  const itp = str(spec.internalTrafficPolicy);
  if (itp && !TRAFFIC_POLICIES.includes(itp)) out.push(field.notSupported('spec.internalTrafficPolicy', itp, TRAFFIC_POLICIES));
  if (isSet(spec.trafficDistribution) && spec.trafficDistribution !== 'PreferClose') {
    out.push(field.notSupported('spec.trafficDistribution', spec.trafficDistribution, ['PreferClose']));
  }
  return out;
}

/** `svc` must already be normalized (clusterIPs derived from clusterIP), see service-ips.ts. */
export function validateService(svc: KubeObject, options: { isNamespaced: boolean }): Causes {
  const spec = obj(svc.spec);
  const out = validateObjectMeta(svc.metadata, { isNamespaced: options.isNamespaced, nameFn: nameIsDNS1035Label, hasKubeFinalizers: true });
  const type = typeOf(spec);
  if (!arr(spec.ports).length && !isHeadless(spec) && type !== 'ExternalName') out.push(required('spec.ports'));
  out.push(...validateTypeSpecific(spec));
  out.push(...validatePorts(spec));
  if (isObj(spec.selector)) out.push(...validateLabels(spec.selector, 'spec.selector'));
  out.push(...validateSessionAffinity(spec));
  out.push(...validateClusterIPsRelatedFields(spec));
  arr(spec.externalIPs).forEach((ip, i) => {
    const bad = validateIP(index('spec.externalIPs', i), str(ip));
    out.push(...(bad.length ? bad : validateNonSpecialIP(index('spec.externalIPs', i), str(ip))));
  });
  if (!TYPES.includes(type)) out.push(field.notSupported('spec.type', type, TYPES));
  out.push(...validateLoadBalancerFields(spec));
  out.push(...validateTrafficPolicies(spec));
  return out;
}
