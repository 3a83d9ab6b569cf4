// Literal objects for the endpoint controllers' unit tests, and a stand-in for the API server applying changes.
import type { EndpointSlice, Pod, Service } from '../../api/types.ts';
import type { Node } from './endpoints-types.ts';

export function service(overrides: { name?: string; labels?: Record<string, string>; spec?: Partial<Service['spec']>; uid?: string } = {}): Service {
  const name = overrides.name ?? 'web';
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: 'default', uid: overrides.uid ?? `uid-${name}`, creationTimestamp: '2025-01-01T00:00:00Z', labels: overrides.labels },
    spec: { type: 'ClusterIP', clusterIP: '198.19.0.20', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...overrides.spec },
  };
}

export interface PodOptions {
  ip?: string | null;
  ready?: boolean;
  isTerminating?: boolean;
  phase?: string;
  node?: string;
  labels?: Record<string, string>;
  ports?: { name: string; containerPort: number; protocol?: string }[];
  hostname?: string;
  subdomain?: string;
}

export function pod(name: string, o: PodOptions = {}): Pod {
  const p: Pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'default', uid: `uid-${name}`, labels: o.labels ?? { app: 'web' }, resourceVersion: '1' },
    spec: { nodeName: o.node ?? 'node-1', containers: [{ name: 'c', ports: o.ports ?? [{ name: 'http', containerPort: 8080 }] }] },
    status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
  };
  if (o.ip !== null) p.status!.podIP = o.ip ?? '198.18.128.10';
  if (o.isTerminating) p.metadata.deletionTimestamp = '2025-01-02T00:00:00Z';
  if (o.hostname) p.spec.hostname = o.hostname;
  if (o.subdomain) p.spec.subdomain = o.subdomain;
  return p;
}

/** `count` ready pods named pod-000… with IPs 198.18.128.x / 198.18.129.x. */
export function pods(count: number, o: PodOptions = {}): Pod[] {
  return Array.from({ length: count }, (_, i) => pod(`pod-${String(i).padStart(3, '0')}`, { ...o, ip: `198.18.${128 + Math.floor(i / 200)}.${(i % 200) + 1}` }));
}

export const NODES: ReadonlyMap<string, Node> = new Map([
  ['node-1', { metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } }],
  ['node-2', { metadata: { name: 'node-2' } }],
]);

/** What the API server would hold after the changes: creates get names, updates replace, deletes go. */
export function applySliceChanges(existing: readonly EndpointSlice[], changes: { create: EndpointSlice[]; update: EndpointSlice[]; delete: EndpointSlice[] }): EndpointSlice[] {
  const byName = new Map(existing.map((s) => [s.metadata.name!, s]));
  for (const s of changes.delete) byName.delete(s.metadata.name!);
  for (const s of changes.update) {
    if (!byName.has(s.metadata.name!)) throw new Error(`update of unknown slice ${s.metadata.name}`);
    byName.set(s.metadata.name!, structuredClone(s));
  }
  let n = byName.size;
  for (const s of changes.create) {
    let name;
    do name = `${s.metadata.generateName}${String(n++).padStart(5, 'x')}`;
    while (byName.has(name));
    const { generateName: _g, ...meta } = s.metadata;
    byName.set(name, structuredClone({ ...s, metadata: { ...meta, name, uid: `uid-${name}` } }));
  }
  return [...byName.values()];
}
