// The pure core of the EndpointSlice controller: one Service, its pods and its slices in; slices to write out.
import type { EndpointPort, EndpointSlice, Pod, Service } from '../../api/types.ts';
import { EndpointSet, endpointsEqualBeyondKey, portsKey } from './endpoint-set.ts';
import type { Node } from './endpoints-types.ts';
import { endpointPortsFor, hasSelector, shouldPodBeInEndpoints } from './pod-endpoints.ts';
import { isOwnedBy, isSamePlaceholder, newEndpointSlice, podToEndpoint, sliceLabels, withTriggerTime } from './slice-builders.ts';

export interface EndpointSliceInput {
  /** Undefined once the Service is gone. */
  service: Service | undefined;
  /** The pods the Service's selector matches in its namespace. */
  pods: readonly Pod[];
  /** The slices labelled with this Service's name and managed by this controller. */
  slices: readonly EndpointSlice[];
  nodes: ReadonlyMap<string, Node>;
  maxEndpointsPerSlice: number;
  triggerTime?: string;
}

export interface EndpointSliceChanges {
  create: EndpointSlice[];
  update: EndpointSlice[];
  delete: EndpointSlice[];
  /** Pods left out for now because their Node is unknown; the caller retries later. */
  problems: string[];
}

export function reconcileEndpointSlices(input: EndpointSliceInput): EndpointSliceChanges {
  const { service: svc } = input;
  const slices = [...input.slices].sort(byName);
  if (!svc || !hasSelector(svc) || svc.spec.type === 'ExternalName') return { create: [], update: [], delete: slices, problems: [] };

  const out: EndpointSliceChanges = { create: [], update: [], delete: [], problems: [] };
  const existingByPorts = new Map<string, EndpointSlice[]>();
  let ipv4Count = 0;
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') {
      out.delete.push(slice);
      continue;
    }
    ipv4Count++;
    if (!isOwnedBy(slice, svc)) {
      out.delete.push(slice);
      continue;
    }
    const key = portsKey(slice.ports);
    existingByPorts.set(key, [...(existingByPorts.get(key) ?? []), slice]);
  }
  const deletedBeforeMapping = out.delete.length - (slices.length - ipv4Count);

  const desired = new Map<string, { ports: EndpointPort[]; endpoints: EndpointSet }>();
  for (const pod of [...input.pods].sort(byName)) {
    if (!shouldPodBeInEndpoints(pod, { isTerminatingIncluded: true })) continue;
    const ports = endpointPortsFor(svc, pod);
    const key = portsKey(ports);
    let group = desired.get(key);
    if (!group) desired.set(key, (group = { ports, endpoints: new EndpointSet() }));
    const node = pod.spec.nodeName ? input.nodes.get(pod.spec.nodeName) : undefined;
    // As upstream: a pod on an unknown node is left out (and retried) unless not-ready addresses are published anyway.
    if (!node && !svc.spec.publishNotReadyAddresses) {
      out.problems.push(`skipping Pod ${pod.metadata.name} for Service ${svc.metadata.namespace}/${svc.metadata.name}: Node ${pod.spec.nodeName ?? ''} Not Found`);
      continue;
    }
    const ep = podToEndpoint(pod, svc, node);
    if (ep.addresses.length) group.endpoints.add(ep);
  }

  let mappedDeletes = 0;
  for (const [key, group] of desired) {
    const r = reconcilePortMapping(svc, existingByPorts.get(key) ?? [], group, input.maxEndpointsPerSlice);
    out.create.push(...r.create);
    out.update.push(...r.update);
    out.delete.push(...r.delete);
    mappedDeletes += r.delete.length;
  }
  for (const [key, existing] of existingByPorts) {
    if (!desired.has(key)) {
      out.delete.push(...existing);
      mappedDeletes += existing.length;
    }
  }

  if (ipv4Count === deletedBeforeMapping + mappedDeletes && out.create.length === 0) {
    const placeholder = newEndpointSlice(svc, []);
    const ipv4Deletes = out.delete.filter((s) => s.addressType === 'IPv4');
    if (ipv4Deletes.length === 1 && isSamePlaceholder(ipv4Deletes[0], placeholder)) out.delete = out.delete.filter((s) => s !== ipv4Deletes[0]);
    else out.create.push(placeholder);
  }

  recycleDeletedSlices(out, svc);
  // Creating slices for a Service being deleted would race the garbage collector.
  if (svc.metadata.deletionTimestamp) out.create = [];
  out.create = out.create.map((s) => withTriggerTime(s, input.triggerTime));
  out.update = out.update.map((s) => withTriggerTime(s, input.triggerTime));
  return out;
}

/**
 * Upstream's three steps for one port mapping: drop or refresh endpoints in existing slices; top up the
 * slices already being updated; put what is left into the unchanged slice closest to full, else new slices.
 */
function reconcilePortMapping(svc: Service, existing: EndpointSlice[], group: { ports: EndpointPort[]; endpoints: EndpointSet }, max: number): { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] } {
  const desired = group.endpoints;
  const byName = new Map<string, EndpointSlice>();
  const unchanged = new Set<string>();
  const toUpdate = new Set<string>();
  const toDelete: EndpointSlice[] = [];

  for (const slice of existing) {
    const name = slice.metadata.name!;
    byName.set(name, slice);
    const kept = [];
    let isEndpointChanged = false;
    for (const ep of slice.endpoints ?? []) {
      const want = desired.get(ep);
      if (!want) continue;
      kept.push(want);
      if (!endpointsEqualBeyondKey(want, ep)) isEndpointChanged = true;
      desired.delete(ep);
    }
    const { labels, isChanged: isLabelsChanged } = sliceLabels(svc, slice.metadata.labels);
    if (isEndpointChanged || kept.length !== (slice.endpoints ?? []).length) {
      if (kept.length === 0) {
        toDelete.push(slice);
        continue;
      }
      byName.set(name, { ...structuredClone(slice), endpoints: kept, metadata: { ...structuredClone(slice.metadata), labels } });
      toUpdate.add(name);
    } else if (isLabelsChanged) {
      byName.set(name, { ...structuredClone(slice), metadata: { ...structuredClone(slice.metadata), labels } });
      toUpdate.add(name);
    } else {
      unchanged.add(name);
    }
  }

  if (desired.size && toUpdate.size) {
    const filling = [...toUpdate].map((n) => byName.get(n)!).sort((a, b) => b.endpoints!.length - a.endpoints!.length);
    for (const slice of filling) while (desired.size && slice.endpoints!.length < max) slice.endpoints!.push(desired.shift()!);
  }

  const create: EndpointSlice[] = [];
  while (desired.size) {
    let fill: EndpointSlice | undefined;
    if (desired.size < max && unchanged.size) {
      const closest = closestToFull([...unchanged].map((n) => byName.get(n)!), desired.size, max);
      if (closest) byName.set(closest.metadata.name!, (fill = structuredClone(closest)));
    }
    fill ??= newEndpointSlice(svc, group.ports);
    fill.endpoints ??= [];
    while (desired.size && fill.endpoints.length < max) fill.endpoints.push(desired.shift()!);
    if (fill.metadata.name) {
      toUpdate.add(fill.metadata.name);
      unchanged.delete(fill.metadata.name);
    } else {
      create.push(fill);
    }
  }
  return { create, update: [...toUpdate].map((n) => byName.get(n)!), delete: toDelete };
}

/** The slice that would be fullest after taking `count` more endpoints without going over `max`. */
function closestToFull(slices: EndpointSlice[], count: number, max: number): EndpointSlice | undefined {
  let best: EndpointSlice | undefined;
  let bestRoom = max;
  for (const s of slices) {
    const room = max - (count + (s.endpoints?.length ?? 0));
    if (room >= 0 && room < bestRoom) {
      best = s;
      bestRoom = room;
      if (room === 0) break;
    }
  }
  return best;
}

/** Turns a create plus a delete into one update of the slice that would have been deleted: less churn for watchers. */
function recycleDeletedSlices(out: EndpointSliceChanges, svc: Service): void {
  for (let i = 0; i < out.delete.length && out.create.length; ) {
    const old = out.delete[i];
    const fresh = out.create[out.create.length - 1];
    if (old.addressType !== fresh.addressType || !isOwnedBy(old, svc)) {
      i++;
      continue;
    }
    const { generateName: _g, ...meta } = fresh.metadata;
    out.update.push({ ...fresh, metadata: { ...meta, name: old.metadata.name, resourceVersion: old.metadata.resourceVersion, annotations: old.metadata.annotations } });
    out.create.pop();
    out.delete.splice(i, 1);
  }
}

function byName(a: { metadata: { name?: string } }, b: { metadata: { name?: string } }): number {
  const x = a.metadata.name ?? '';
  const y = b.metadata.name ?? '';
  return x < y ? -1 : x > y ? 1 : 0;
}
