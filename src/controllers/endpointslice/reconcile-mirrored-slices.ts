// The pure core of the EndpointSlice mirroring controller: a user-managed Endpoints object (of a Service without
// selector) in; the EndpointSlices that mirror it out. One slice per address type and port set.
import type { Endpoint, EndpointPort, EndpointSlice, Service } from '../../api/types.ts';
import { EndpointSet, endpointsEqualBeyondKey, portsKey, sameStringMap } from './endpoint-set.ts';
import { repackSubsets } from './endpoints-subsets.ts';
import type { EndpointAddress, Endpoints, EndpointsPort } from './endpoints-types.ts';
import { canonicalIP, hasSelector } from './pod-endpoints.ts';
import { ANNOTATION_LAST_APPLIED, ANNOTATION_LEADER, ANNOTATION_TRIGGER_TIME, ENDPOINTS_CONTROLLER, LABEL_ENDPOINTS_MANAGED_BY, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_SKIP_MIRROR, MIRRORING_CONTROLLER } from './well-known.ts';

/** Upstream's --mirroring-max-endpoints-per-subset. */
export const MAX_MIRRORED_PER_SUBSET = 1000;

export interface MirrorInput {
  endpoints: Endpoints | undefined;
  service: Service | undefined;
  /** The slices labelled with this name and managed by the mirroring controller. */
  slices: readonly EndpointSlice[];
  maxEndpointsPerSubset?: number;
}

export interface MirrorChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  invalidAddresses: number;
  /** Addresses beyond the per-subset maximum, left out. */
  skippedAddresses: number;
}

type AddressType = 'IPv4' | 'IPv6';

/**
 * Mirrored unless opted out (skip-mirror label), a leader-election lock, or written by the Endpoints controller
 * itself (a Skiff addition: those are leftovers of a Service that just lost its selector and are about to go).
 */
export function shouldMirror(ep: Endpoints | undefined): boolean {
  if (!ep) return false;
  const labels = ep.metadata.labels ?? {};
  return labels[LABEL_SKIP_MIRROR] !== 'true' && !ep.metadata.annotations?.[ANNOTATION_LEADER] && labels[LABEL_ENDPOINTS_MANAGED_BY] !== ENDPOINTS_CONTROLLER;
}

export function reconcileMirroredSlices(input: MirrorInput): MirrorChanges {
  const { endpoints: ep, service: svc } = input;
  const existing = [...input.slices].sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
  const out: MirrorChanges = { create: [], update: [], delete: [], invalidAddresses: 0, skippedAddresses: 0 };
  if (!ep || !shouldMirror(ep) || !svc || hasSelector(svc)) return { ...out, delete: existing };
  const max = input.maxEndpointsPerSubset ?? MAX_MIRRORED_PER_SUBSET;

  const desired = new Map<string, { type: AddressType; ports: EndpointPort[]; endpoints: EndpointSet }>();
  for (const subset of repackSubsets(ep.subsets)) {
    const ports = (subset.ports ?? []).map(toSlicePort);
    const all: [EndpointAddress, boolean][] = [...(subset.addresses ?? []).map((a): [EndpointAddress, boolean] => [a, true]), ...(subset.notReadyAddresses ?? []).map((a): [EndpointAddress, boolean] => [a, false])];
    let added = 0;
    for (const [address, isReady] of all) {
      if (added >= max) {
        out.skippedAddresses++;
        continue;
      }
      const ip = canonicalIP(address.ip);
      if (!ip) {
        out.invalidAddresses++;
        continue;
      }
      const type: AddressType = ip.includes(':') ? 'IPv6' : 'IPv4';
      const key = `${type}${portsKey(ports)}`;
      let group = desired.get(key);
      if (!group) desired.set(key, (group = { type, ports, endpoints: new EndpointSet() }));
      group.endpoints.add(toEndpoint(ip, address, isReady));
      added++;
    }
  }

  const existingByKey = new Map<string, EndpointSlice[]>();
  for (const s of existing) {
    const key = `${s.addressType}${portsKey(s.ports)}`;
    existingByKey.set(key, [...(existingByKey.get(key) ?? []), s]);
  }
  for (const [key, group] of desired) {
    const [first, ...rest] = existingByKey.get(key) ?? [];
    out.delete.push(...rest);
    const want = mirroredSlice(ep, group.type, group.ports, first);
    if (first && isSameMirror(first, want, group.endpoints)) continue;
    want.endpoints = [];
    for (let e = group.endpoints.shift(); e && want.endpoints.length < max; e = group.endpoints.shift()) want.endpoints.push(e);
    (first ? out.update : out.create).push(want);
  }
  for (const [key, slices] of existingByKey) if (!desired.has(key)) out.delete.push(...slices);

  // Reuse slices about to be deleted instead of creating new ones.
  for (let i = 0; i < out.delete.length && out.create.length; ) {
    const j = out.create.findIndex((c) => c.addressType === out.delete[i].addressType);
    if (j < 0) {
      i++;
      continue;
    }
    const [fresh] = out.create.splice(j, 1);
    const [old] = out.delete.splice(i, 1);
    const { generateName: _g, ...meta } = fresh.metadata;
    out.update.push({ ...fresh, metadata: { ...meta, name: old.metadata.name, resourceVersion: old.metadata.resourceVersion } });
  }
  if (ep.metadata.deletionTimestamp) out.create = [];
  return out;
}

function toSlicePort(p: EndpointsPort): EndpointPort {
  const out: EndpointPort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
  if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
  return out;
}

function toEndpoint(ip: string, a: EndpointAddress, isReady: boolean): Endpoint {
  const ep: Endpoint = { addresses: [ip], conditions: { ready: isReady } };
  if (a.targetRef) ep.targetRef = structuredClone(a.targetRef);
  if (a.nodeName) ep.nodeName = a.nodeName;
  if (a.hostname) ep.hostname = a.hostname;
  return ep;
}

/** The slice mirroring `ep` for one address type and port set (without endpoints), reusing `existing`'s name. */
function mirroredSlice(ep: Endpoints, type: AddressType, ports: EndpointPort[], existing: EndpointSlice | undefined): EndpointSlice {
  const labels: Record<string, string> = { ...(ep.metadata.labels ?? {}), [LABEL_SERVICE_NAME]: ep.metadata.name!, [LABEL_MANAGED_BY]: MIRRORING_CONTROLLER };
  const annotations: Record<string, string> = { ...(ep.metadata.annotations ?? {}) };
  delete annotations[ANNOTATION_TRIGGER_TIME];
  delete annotations[ANNOTATION_LAST_APPLIED];
  const metadata: EndpointSlice['metadata'] = {
    namespace: ep.metadata.namespace,
    labels,
    ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: ep.metadata.name!, uid: ep.metadata.uid!, controller: true, blockOwnerDeletion: true }],
  };
  if (Object.keys(annotations).length) metadata.annotations = annotations;
  if (existing) Object.assign(metadata, { name: existing.metadata.name, resourceVersion: existing.metadata.resourceVersion });
  else metadata.generateName = `${ep.metadata.name}-`;
  return { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata, addressType: type, endpoints: [], ports };
}

function isSameMirror(existing: EndpointSlice, want: EndpointSlice, desired: EndpointSet): boolean {
  const have = existing.endpoints ?? [];
  if (have.length !== desired.size) return false;
  for (const e of have) {
    const d = desired.get(e);
    if (!d || !endpointsEqualBeyondKey(d, e)) return false;
  }
  return sameStringMap(existing.metadata.labels, want.metadata.labels) && sameStringMap(existing.metadata.annotations, want.metadata.annotations);
}
