// The pure core of the Endpoints controller: one Service and its pods in; the legacy Endpoints object to write out.
import type { Pod, Service } from '../../api/types.ts';
import { sameStringMap } from '../endpointslice/endpoint-set.ts';
import { countAddresses, repackSubsets, subsetsEqual } from '../endpointslice/endpoints-subsets.ts';
import type { EndpointAddress, Endpoints, EndpointsPort, EndpointSubset } from '../endpointslice/endpoints-types.ts';
import { findPort, hasSelector, isPodReady, isServiceIPSet, podAddresses, shouldPodBeInEndpoints, shouldSetHostname } from '../endpointslice/pod-endpoints.ts';
import { ANNOTATION_OVER_CAPACITY, ANNOTATION_TRIGGER_TIME, ENDPOINTS_CONTROLLER, LABEL_ENDPOINTS_MANAGED_BY, LABEL_HEADLESS } from '../endpointslice/well-known.ts';

/** Upstream's cap on addresses in one Endpoints object; beyond it the object is truncated and annotated. */
export const MAX_ENDPOINTS_CAPACITY = 1000;

export interface EndpointsInput {
  /** Undefined once the Service is gone. */
  service: Service | undefined;
  /** The pods the Service's selector matches in its namespace. */
  pods: readonly Pod[];
  /** The Endpoints object of the same namespace/name, if any. */
  current: Endpoints | undefined;
  triggerTime?: string;
  maxCapacity?: number;
}

export type EndpointsAction = { type: 'none' } | { type: 'delete' } | { type: 'create' | 'update'; endpoints: Endpoints };

export function isManagedByEndpointsController(ep: Endpoints | undefined): boolean {
  return ep?.metadata.labels?.[LABEL_ENDPOINTS_MANAGED_BY] === ENDPOINTS_CONTROLLER;
}

export function reconcileEndpoints(input: EndpointsInput): EndpointsAction {
  const { service: svc, current } = input;
  if (!svc) return current ? { type: 'delete' } : { type: 'none' };
  if (!hasSelector(svc) || svc.spec.type === 'ExternalName') {
    // Without a selector the Endpoints belong to the user; only our own leftovers go.
    return isManagedByEndpointsController(current) ? { type: 'delete' } : { type: 'none' };
  }
  const max = input.maxCapacity ?? MAX_ENDPOINTS_CAPACITY;
  const full = repackSubsets(desiredSubsets(svc, input.pods));
  const isOverCapacity = countAddresses(full) > max;
  const subsets = isOverCapacity ? truncateSubsets(full, max) : full;
  const labels: Record<string, string> = { ...(svc.metadata.labels ?? {}) };
  if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
  labels[LABEL_ENDPOINTS_MANAGED_BY] = ENDPOINTS_CONTROLLER;

  const annotations = current?.metadata.annotations ?? {};
  if (current && subsetsEqual(current.subsets, subsets) && sameStringMap(current.metadata.labels, labels) && (ANNOTATION_OVER_CAPACITY in annotations) === isOverCapacity) return { type: 'none' };

  const nextAnnotations = { ...annotations };
  if (input.triggerTime) nextAnnotations[ANNOTATION_TRIGGER_TIME] = input.triggerTime;
  else delete nextAnnotations[ANNOTATION_TRIGGER_TIME];
  if (isOverCapacity) nextAnnotations[ANNOTATION_OVER_CAPACITY] = 'truncated';
  else delete nextAnnotations[ANNOTATION_OVER_CAPACITY];
  const metadata = current
    ? { ...structuredClone(current.metadata), labels, annotations: nextAnnotations }
    : { name: svc.metadata.name, namespace: svc.metadata.namespace, labels, annotations: nextAnnotations };
  if (!Object.keys(metadata.annotations).length) delete (metadata as { annotations?: unknown }).annotations;
  const endpoints: Endpoints = { ...(current ? structuredClone(current) : { apiVersion: 'v1', kind: 'Endpoints' }), metadata, subsets };
  return { type: current ? 'update' : 'create', endpoints };
}

/** One single-address subset per (pod, resolved port), as upstream builds them before repacking. */
function desiredSubsets(svc: Service, pods: readonly Pod[]): EndpointSubset[] {
  const family = svc.spec.ipFamilies?.[0] === 'IPv6' || svc.spec.clusterIP?.includes(':') ? 'IPv6' : 'IPv4';
  const publishNotReady = Boolean(svc.spec.publishNotReadyAddresses);
  const out: EndpointSubset[] = [];
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, { isTerminatingIncluded: publishNotReady })) continue;
    const ip = podAddresses(pod, family)[0];
    if (!ip) continue;
    const addr: EndpointAddress = { ip, targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid } };
    if (pod.spec.nodeName) addr.nodeName = pod.spec.nodeName;
    if (shouldSetHostname(pod, svc)) addr.hostname = pod.spec.hostname;
    const isReady = publishNotReady || isPodReady(pod);
    const subset = (ports: EndpointsPort[]): EndpointSubset => (isReady ? { addresses: [addr], ports } : { notReadyAddresses: [addr], ports });
    const servicePorts = svc.spec.ports ?? [];
    // Headless services may have no ports; their addresses are still published.
    if (!servicePorts.length) {
      if (svc.spec.clusterIP === 'None') out.push(subset([]));
      continue;
    }
    for (const sp of servicePorts) {
      const port = findPort(pod, sp);
      if (port === undefined) continue;
      const ep: EndpointsPort = { port, protocol: sp.protocol ?? 'TCP' };
      if (sp.name) ep.name = sp.name;
      if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
      out.push(subset([ep]));
    }
  }
  return out;
}

/**
 * Keeps at most `max` addresses, shared between subsets in proportion to their size, ready addresses first
 * (not-ready ones only fill what ready ones leave), as upstream's truncateEndpoints does.
 */
function truncateSubsets(subsets: EndpointSubset[], max: number): EndpointSubset[] {
  const totalReady = subsets.reduce((n, s) => n + (s.addresses?.length ?? 0), 0);
  const totalNotReady = subsets.reduce((n, s) => n + (s.notReadyAddresses?.length ?? 0), 0);
  const isReadyTruncated = totalReady > max;
  const budget = isReadyTruncated ? max : max - totalReady;
  const total = isReadyTruncated ? totalReady : totalNotReady;
  let left = budget;
  return subsets.map((s) => {
    const list = (isReadyTruncated ? s.addresses : s.notReadyAddresses) ?? [];
    const take = Math.min(Math.ceil((list.length / total) * budget), left);
    const kept = list.slice(0, take);
    left -= kept.length;
    const out: EndpointSubset = { ...s };
    if (isReadyTruncated) {
      out.addresses = kept;
      delete out.notReadyAddresses;
    } else {
      out.notReadyAddresses = kept;
    }
    if (!out.addresses?.length) delete out.addresses;
    if (!out.notReadyAddresses?.length) delete out.notReadyAddresses;
    return out;
  });
}
