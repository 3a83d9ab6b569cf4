// Objects that exist from the start: the four system namespaces.
import { findResource } from '../api/resources.ts';
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

/**
 * The `kubernetes` Service in `default` (first service address) and, when the API server has a routable
 * address, its Endpoints and EndpointSlice — maintained by the API server itself, as upstream does.
 */
export async function ensureKubernetesService(registry: Registry, options: { clusterIP: string; address?: string; port: number }): Promise<void> {
  const services = findResource('', 'v1', 'services')!;
  const svc = {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { component: 'apiserver', provider: 'kubernetes' } },
    spec: { type: 'ClusterIP', clusterIP: options.clusterIP, ports: [{ name: 'https', port: 443, protocol: 'TCP', targetPort: options.port }], sessionAffinity: 'None' },
  };
  try {
    await registry.create(services, 'default', svc);
  } catch (e) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
  }
  if (!options.address || options.address.startsWith('127.')) return;
  const endpoints = findResource('', 'v1', 'endpoints')!;
  const slices = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
  const address = options.address;
  await registry.update(endpoints, 'default', 'kubernetes', (cur) => ({
    ...(cur ?? {}),
    metadata: { ...(cur?.metadata ?? {}), name: 'kubernetes', namespace: 'default', labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } },
    subsets: [{ addresses: [{ ip: address }], ports: [{ name: 'https', port: options.port, protocol: 'TCP' }] }],
  }));
  const slice = {
    metadata: { name: 'kubernetes', namespace: 'default', labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'skiff-apiserver' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: [address], conditions: { ready: true, serving: true, terminating: false } }],
    ports: [{ name: 'https', port: options.port, protocol: 'TCP' }],
  };
  try {
    await registry.create(slices, 'default', slice);
  } catch (e) {
    if (!isStatusError(e, 'AlreadyExists')) throw e;
    await registry.update(slices, 'default', 'kubernetes', (cur) => ({ ...cur!, ...slice, metadata: { ...cur!.metadata, labels: slice.metadata.labels } }));
  }
}
