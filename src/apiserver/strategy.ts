// Per-kind rules the generic registry applies: which parts a subresource may change, generation, field selectors.
import type { ResourceInfo } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import { isDeepStrictEqual } from 'node:util';

const GENERATION_KINDS = new Set(['Deployment', 'ReplicaSet', 'Ingress', 'NetworkPolicy', 'IngressClass', 'EndpointSlice', 'Service']);

/** Kinds whose PUT may create a missing object (upstream's AllowCreateOnUpdate). */
export const CREATE_ON_UPDATE = new Set(['Endpoints', 'Event', 'Lease']);

export function hasStatusSubresource(r: ResourceInfo): boolean {
  return r.subresources.includes('status');
}

export function tracksGeneration(kind: string): boolean {
  return GENERATION_KINDS.has(kind);
}

export function initialStatus(kind: string, obj: KubeObject): unknown {
  switch (kind) {
    case 'Pod':
      return { phase: 'Pending', qosClass: 'BestEffort' };
    case 'Namespace':
      return { phase: 'Active' };
    case 'Service':
    case 'Ingress':
      return { loadBalancer: {} };
    case 'Node':
      return obj.status ?? {};
    default:
      return {};
  }
}

/** Fields that a main-resource update may not change (they belong to the status subresource) and vice versa. */
export function mergeForUpdate(r: ResourceInfo, next: KubeObject, old: KubeObject, subresource: string | undefined): KubeObject {
  if (!hasStatusSubresource(r) || subresource === 'binding') return next;
  if (subresource === 'status') {
    const out: KubeObject = structuredClone(old);
    out.status = next.status;
    if (r.kind === 'Namespace') return out;
    // upstream lets status writers touch no metadata except what ResetObjectMetaForStatus keeps from the request
    out.metadata.resourceVersion = next.metadata.resourceVersion;
    return out;
  }
  if (r.kind === 'Node' && subresource === undefined) return next; // kubelets write node status on the main resource too
  const out: KubeObject = { ...next, status: old.status };
  if (out.status === undefined) delete out.status;
  return out;
}

export function specChanged(next: KubeObject, old: KubeObject): boolean {
  const strip = (o: KubeObject) => {
    const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = o;
    return rest;
  };
  return !isDeepStrictEqual(strip(next), strip(old));
}

function str(v: unknown): string {
  return v === undefined || v === null ? '' : String(v);
}

const POD_FIELDS = ['spec.nodeName', 'spec.restartPolicy', 'spec.schedulerName', 'spec.serviceAccountName', 'spec.hostNetwork', 'status.phase', 'status.podIP', 'status.nominatedNodeName'];
const EVENT_FIELDS = ['involvedObject.kind', 'involvedObject.namespace', 'involvedObject.name', 'involvedObject.uid', 'involvedObject.apiVersion', 'involvedObject.resourceVersion', 'involvedObject.fieldPath', 'reason', 'reportingComponent', 'source', 'type'];

export function supportedFieldLabels(kind: string): string[] {
  const common = ['metadata.name', 'metadata.namespace'];
  switch (kind) {
    case 'Pod':
      return [...common, ...POD_FIELDS];
    case 'Event':
      return [...common, ...EVENT_FIELDS];
    case 'Secret':
      return [...common, 'type'];
    case 'Namespace':
      return [...common, 'status.phase'];
    case 'Node':
      return [...common, 'spec.unschedulable'];
    case 'Service':
      return [...common, 'spec.clusterIP', 'spec.type'];
    case 'ReplicaSet':
      return [...common, 'status.replicas'];
    default:
      return common;
  }
}

function pathValue(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}

export function fieldsOf(kind: string, obj: KubeObject): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of supportedFieldLabels(kind)) {
    if (kind === 'Event' && f === 'source') out[f] = str((obj.source as { component?: string } | undefined)?.component ?? obj.reportingComponent);
    else if (kind === 'Pod' && f === 'spec.hostNetwork') out[f] = String(Boolean(pathValue(obj, f)));
    else if (kind === 'Node' && f === 'spec.unschedulable') out[f] = String(Boolean(pathValue(obj, f)));
    else out[f] = str(pathValue(obj, f));
  }
  return out;
}
