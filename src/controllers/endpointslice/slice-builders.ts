// Building the EndpointSlices of a Service: new slices, their labels, owner, and one endpoint per pod.
import type { Endpoint, EndpointPort, EndpointSlice, OwnerReference, Pod, Service } from '../../api/types.ts';
import { sameStringMap } from './endpoint-set.ts';
import type { Node } from './endpoints-types.ts';
import { isPodReady, isPodTerminating, isServiceIPSet, podAddresses, shouldSetHostname } from './pod-endpoints.ts';
import { ANNOTATION_TRIGGER_TIME, ENDPOINTSLICE_CONTROLLER, LABEL_HEADLESS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_ZONE } from './well-known.ts';

const RESERVED_LABELS = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

export function serviceOwnerReference(svc: Service): OwnerReference {
  return { apiVersion: 'v1', kind: 'Service', name: svc.metadata.name!, uid: svc.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

export function isOwnedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

/**
 * A slice's labels: the Service's own labels (reserved keys excepted), the headless marker, the service
 * name and the manager. `isChanged` compares only the Service-derived part, as upstream does.
 */
export function sliceLabels(svc: Service, current?: Readonly<Record<string, string>>): { labels: Record<string, string>; isChanged: boolean } {
  const fromService: Record<string, string> = {};
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (!RESERVED_LABELS.has(k)) fromService[k] = v;
  const fromSlice: Record<string, string> = {};
  for (const [k, v] of Object.entries(current ?? {})) if (!RESERVED_LABELS.has(k)) fromSlice[k] = v;
  const labels = { ...fromService };
  if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
  labels[LABEL_SERVICE_NAME] = svc.metadata.name!;
  labels[LABEL_MANAGED_BY] = ENDPOINTSLICE_CONTROLLER;
  return { labels, isChanged: !sameStringMap(fromService, fromSlice) };
}

export function newEndpointSlice(svc: Service, ports: EndpointPort[]): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      generateName: `${svc.metadata.name}-`,
      namespace: svc.metadata.namespace,
      labels: sliceLabels(svc).labels,
      ownerReferences: [serviceOwnerReference(svc)],
    },
    addressType: 'IPv4',
    endpoints: [],
    ports: structuredClone(ports),
  };
}

/** A placeholder keeps one (empty) slice around for a Service with no endpoints, so consumers can tell "none" from "not synced". */
export function isSamePlaceholder(slice: EndpointSlice, placeholder: EndpointSlice): boolean {
  const owners = (s: EndpointSlice) => JSON.stringify((s.metadata.ownerReferences ?? []).map((o) => [o.apiVersion, o.kind, o.name, o.uid, o.controller ?? false, o.blockOwnerDeletion ?? false]));
  return (
    slice.addressType === placeholder.addressType &&
    !slice.endpoints?.length &&
    !slice.ports?.length &&
    slice.metadata.namespace === placeholder.metadata.namespace &&
    sameStringMap(slice.metadata.labels, placeholder.metadata.labels) &&
    owners(slice) === owners(placeholder)
  );
}

/** The endpoint for a pod. Terminating pods stay, serving but not ready, unless the Service publishes not-ready addresses. */
export function podToEndpoint(pod: Pod, svc: Service, node: Node | undefined): Endpoint {
  const isServing = isPodReady(pod);
  const isTerminating = isPodTerminating(pod);
  const ep: Endpoint = {
    addresses: podAddresses(pod, 'IPv4'),
    conditions: { ready: Boolean(svc.spec.publishNotReadyAddresses) || (isServing && !isTerminating), serving: isServing, terminating: isTerminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[LABEL_ZONE];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec.hostname;
  return ep;
}

export function withTriggerTime<T extends EndpointSlice>(slice: T, triggerTime: string | undefined): T {
  const annotations = { ...(slice.metadata.annotations ?? {}) };
  if (triggerTime) annotations[ANNOTATION_TRIGGER_TIME] = triggerTime;
  else delete annotations[ANNOTATION_TRIGGER_TIME];
  const metadata = { ...slice.metadata };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  else delete metadata.annotations;
  return { ...slice, metadata };
}
