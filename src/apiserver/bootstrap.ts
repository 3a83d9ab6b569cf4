// Objects that exist from the start: the four system namespaces.
import { findResource } from '../api/resources.ts';
import type { KubeObject } from '../api/types.ts';
import { isStatusError } from '../api/status.ts';
import type { Registry } from './registry.ts';

export const SYSTEM_NAMESPACES = ['default', 'kube-system', 'kube-public', 'kube-node-lease'];

export async function ensureSystemNamespaces(registry: Registry): Promise<void> {
  const namespaces = findResource('', 'v1', 'namespaces')!;
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await registry.create(namespaces, undefined, { metadata: { name } });
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists')) throw e;
    }
  }
}

export interface StaticEndpoint {
  address: string;
  ports: { name: string; port: number; protocol: 'TCP' | 'UDP' }[];
}

/**
 * A Service without a selector whose Endpoints and EndpointSlice the API server itself keeps pointing at a
 * control-plane address (`kubernetes` in `default`, `kube-dns` in `kube-system`), as upstream does for `kubernetes`.
 */
async function ensureStaticService(registry: Registry, service: KubeObject, endpoint: StaticEndpoint | undefined): Promise<void> {
  const services = findResource('', 'v1', 'services')!;
  const { name, namespace } = service.metadata as { name: string; namespace: string };
  try {
    await registry.create(services, namespace, service);
  } catch (e) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
  }
  if (!endpoint) return;
  const endpoints = findResource('', 'v1', 'endpoints')!;
  const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
  await registry.update(endpoints, namespace, name, (cur) => ({
    ...(cur ?? {}),
    metadata: { ...(cur?.metadata ?? {}), name, namespace, labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: endpoint.address }], ports: endpoint.ports }],
  }));
  const slice = {
    metadata: { name, namespace, labels: { 'kubernetes.io/service-name': name, 'endpointslice.kubernetes.io/managed-by': 'skiff-apiserver' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [endpoint.address], conditions: { ready: true, serving: true, terminating: false } }],
    ports: endpoint.ports,
  };
  try {
    await registry.create(slices, namespace, slice);
  } catch (e) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
    await registry.update(slices, namespace, name, (cur) => ({ ...cur!, ...slice, metadata: { ...cur!.metadata, labels: slice.metadata.labels } }));
  }
}

/** The `kubernetes` Service in `default` (first service address) pointing at the API server when it has a routable address. */
export async function ensureKubernetesService(registry: Registry, options: { clusterIP: string; address?: string; port: number }): Promise<void> {
  const svc = {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: options.clusterIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: options.port }], sessionAffinity: 'None' },
  };
  const isRoutable = options.address && !options.address.startsWith('127.');
  await ensureStaticService(registry, svc, isRoutable ? { address: options.address!, ports: [{ name: 'https', port: options.port, protocol: 'TCP' }] } : undefined);
}

/** The cluster DNS Service `kube-dns` in `kube-system` (service address .10), served by the control plane's DNS. */
export async function ensureKubeDnsService(registry: Registry, options: { clusterIP: string; address: string }): Promise<void> {
  const ports = [{ name: 'dns', port: 53, protocol: 'UDP' as const }, { name: 'dns-tcp', port: 53, protocol: 'TCP' as const }, { name: 'metrics', port: 9153, protocol: 'TCP' as const }];
  const svc = {
    metadata: { name: 'kube-dns', namespace: 'kube-system', labels: { 'k8s-app': 'kube-dns', 'kubernetes.io/cluster-service': 'true', 'kubernetes.io/name': 'CoreDNS' } },
    spec: { type: 'ClusterIP', clusterIP: options.clusterIP, ports: ports.map((p) => ({ ...p, targetPort: p.port })) },
  };
  await ensureStaticService(registry, svc, { address: options.address, ports });
}
