// What a Pod contributes to a Service's endpoints: membership, readiness, addresses, resolved ports.
// Shared by the EndpointSlice and Endpoints controllers (upstream: k8s.io/endpointslice/util).
import { isIPv4, isIPv6 } from 'node:net';
import { matchesSelectorMap } from '../../api/selectors.ts';
import type { EndpointPort, Pod, Service, ServicePort } from '../../api/types.ts';
import { sameStringMap } from './endpoint-set.ts';

export function isPodReady(pod: Pod): boolean {
  return pod.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';
}

/** Succeeded or Failed: its containers stopped for good, whatever its restartPolicy. */
export function isPodTerminal(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

export function isPodTerminating(pod: Pod): boolean {
  return Boolean(pod.metadata.deletionTimestamp);
}

export function shouldPodBeInEndpoints(pod: Pod, options: { isTerminatingIncluded: boolean }): boolean {
  if (isPodTerminal(pod)) return false;
  if (!pod.status?.podIP && !pod.status?.podIPs?.length) return false;
  return options.isTerminatingIncluded || !isPodTerminating(pod);
}

/** The pod's IPs (status.podIPs, else status.podIP), canonical, of one family. */
export function podAddresses(pod: Pod, family: 'IPv4' | 'IPv6'): string[] {
  const raw = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip) : pod.status?.podIP ? [pod.status.podIP] : [];
  const out: string[] = [];
  for (const ip of raw) {
    const c = canonicalIP(ip);
    if (c && (family === 'IPv6') === isIPv6(c) && !out.includes(c)) out.push(c);
  }
  return out;
}

/** An IP in its canonical text form, or undefined if it is not one. Tolerates IPv4 leading zeros as upstream's ParseIPSloppy does. */
export function canonicalIP(ip: string): string | undefined {
  if (/^\d{1,3}(\.\d{1,3}){3}$/.test(ip)) {
    const parts = ip.split('.').map(Number);
    return parts.every((n) => n <= 255) ? parts.join('.') : undefined;
  }
  if (isIPv4(ip)) return ip;
  if (isIPv6(ip)) return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  return undefined;
}

/** A Service whose selector is a non-empty map; `{}` and a missing selector both mean "endpoints are managed by someone else". */
export function hasSelector(svc: Service): boolean {
  return Object.keys(svc.spec.selector ?? {}).length > 0;
}

export function isServiceIPSet(svc: Service): boolean {
  return Boolean(svc.spec.clusterIP) && svc.spec.clusterIP !== 'None';
}

export function isHeadless(svc: Service): boolean {
  return svc.spec.clusterIP === 'None';
}

export function shouldSetHostname(pod: Pod, svc: Service): boolean {
  return Boolean(pod.spec.hostname) && pod.spec.subdomain === svc.metadata.name && pod.metadata.namespace === svc.metadata.namespace;
}

/**
 * The container port a Service port targets on this pod: a number as is; a name looked up in the
 * containers' ports (and sidecar init containers') with the same protocol. Undefined if it does not resolve.
 */
export function findPort(pod: Pod, servicePort: ServicePort): number | undefined {
  const target = servicePort.targetPort ?? servicePort.port;
  if (typeof target === 'number') return target;
  const protocol = servicePort.protocol ?? 'TCP';
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...pod.spec.containers, ...sidecars]) {
    for (const p of c.ports ?? []) if (p.name === target && (p.protocol ?? 'TCP') === protocol) return p.containerPort;
  }
  return undefined;
}

/** The EndpointSlice ports for this pod, in Service order; ports whose target does not resolve are left out. */
export function endpointPortsFor(svc: Service, pod: Pod): EndpointPort[] {
  const out: EndpointPort[] = [];
  for (const sp of svc.spec.ports ?? []) {
    const port = findPort(pod, sp);
    if (port === undefined) continue;
    const ep: EndpointPort = { name: sp.name ?? '', port, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

/** Keys (`namespace/name`) of the Services in `services` whose selector matches these pod labels. */
export function servicesSelecting(services: Iterable<Service>, namespace: string | undefined, labels: Record<string, string> | undefined): Set<string> {
  const out = new Set<string>();
  for (const svc of services) {
    if (svc.metadata.namespace !== namespace || !hasSelector(svc)) continue;
    if (matchesSelectorMap(svc.spec.selector, labels)) out.add(`${svc.metadata.namespace}/${svc.metadata.name}`);
  }
  return out;
}

/**
 * The Services to resync after a pod event. On update: nothing if neither the pod's labels nor anything an
 * endpoint shows changed; the symmetric difference of old and new memberships if only labels changed; else the union.
 */
export function servicesForPodChange(services: Iterable<Service>, pod: Pod, old?: Pod): Set<string> {
  const list = [...services];
  const current = servicesSelecting(list, pod.metadata.namespace, pod.metadata.labels);
  if (!old) return current;
  if (old.metadata.resourceVersion === pod.metadata.resourceVersion) return new Set();
  const isLabelsChanged = !sameStringMap(old.metadata.labels, pod.metadata.labels) || old.spec.hostname !== pod.spec.hostname || old.spec.subdomain !== pod.spec.subdomain;
  const isPodChanged = podEndpointsChanged(old, pod);
  if (!isLabelsChanged) return isPodChanged ? current : new Set();
  const previous = servicesSelecting(list, old.metadata.namespace, old.metadata.labels);
  if (isPodChanged) return new Set([...current, ...previous]);
  return new Set([...current, ...previous].filter((k) => current.has(k) !== previous.has(k)));
}

function podEndpointsChanged(old: Pod, pod: Pod): boolean {
  if (old.metadata.deletionTimestamp !== pod.metadata.deletionTimestamp) return true;
  if (isPodReady(old) !== isPodReady(pod)) return true;
  if (isPodTerminal(old) !== isPodTerminal(pod)) return true;
  if (old.spec.nodeName !== pod.spec.nodeName) return true;
  const ips = (p: Pod) => [p.status?.podIP ?? '', ...(p.status?.podIPs ?? []).map((x) => x.ip)].join(',');
  return ips(old) !== ips(pod);
}

/**
 * When the latest change this service's endpoints reflect happened: the Service's creation or a pod's
 * Ready transition, whichever is last (upstream's trigger-time tracker reads the same two fields).
 */
export function lastChangeTriggerTime(svc: Service, pods: readonly Pod[]): string | undefined {
  let latest = svc.metadata.creationTimestamp;
  for (const pod of pods) {
    const t = pod.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime;
    if (t && (!latest || Date.parse(t) > Date.parse(latest))) latest = t;
  }
  return latest;
}
