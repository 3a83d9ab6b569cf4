// Feeds the slim cluster cache from informers, and the upstream configuration from one ConfigMap.
import { findResource } from '../api/resources.ts';
import type { EndpointSlice, KubeObject, Pod, Service } from '../api/types.ts';
import type { KubeClient } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import type { ClusterCache } from './cluster-cache.ts';
import type { PodMode } from './cluster-lookup.ts';
import type { DnsMetrics } from './metrics.ts';

const R = {
  namespaces: findResource('', 'v1', 'namespaces')!,
  services: findResource('', 'v1', 'services')!,
  slices: findResource('discovery.k8s.io', 'v1', 'endpointslices')!,
  pods: findResource('', 'v1', 'pods')!,
  configMaps: findResource('', 'v1', 'configmaps')!,
};

const ANNOTATION_TRIGGER_TIME = 'endpoints.kubernetes.io/last-change-trigger-time';

/** What this file needs of an informer, whatever it holds. */
interface Runnable {
  readonly synced: Promise<void>;
  onError: (e: unknown) => void;
  start(): unknown;
  stop(): void;
}

export interface ClusterWatch {
  readonly synced: Promise<void>;
  readonly hasSynced: boolean;
  stop(): void;
}

export interface ClusterWatchOptions {
  podMode: PodMode;
  metrics: DnsMetrics;
  onError?: (e: unknown) => void;
  now?: () => number;
}

export function watchCluster(client: KubeClient, cache: ClusterCache, options: ClusterWatchOptions): ClusterWatch {
  const now = options.now ?? Date.now;
  const { metrics } = options;
  const namespaces = new Informer(client, R.namespaces);
  const services = new Informer<Service>(client, R.services);
  const slices = new Informer<EndpointSlice>(client, R.slices);
  const pods = options.podMode === 'verified' ? new Informer<Pod>(client, R.pods) : undefined;
  const all: Runnable[] = [namespaces, services, slices, ...(pods ? [pods] : [])];
  let hasSynced = false;
  const countObjects = () => {
    for (const [kind, n] of Object.entries(cache.size)) metrics.objects.set({ kind }, n);
  };

  namespaces.addHandlers({
    onAdd: (o) => cache.setNamespace(o.metadata.name!, true),
    onDelete: (o) => cache.setNamespace(o.metadata.name!, false),
  });
  services.addHandlers({ onAdd: (o) => cache.upsertService(o), onUpdate: (o) => cache.upsertService(o), onDelete: (o) => cache.deleteService(o) });
  const recordProgramming = (o: EndpointSlice, old?: EndpointSlice) => {
    const trigger = o.metadata.annotations?.[ANNOTATION_TRIGGER_TIME];
    if (!hasSynced || !trigger || trigger === old?.metadata.annotations?.[ANNOTATION_TRIGGER_TIME]) return;
    const at = Date.parse(trigger);
    if (Number.isNaN(at)) return;
    const svcName = o.metadata.labels?.['kubernetes.io/service-name'];
    const kind = (svcName && cache.service(o.metadata.namespace!, svcName)?.kind) || 'unknown';
    metrics.programming.observe(Math.max(0, now() - at) / 1000, { service_kind: kind });
  };
  slices.addHandlers({
    onAdd: (o) => {
      cache.upsertSlice(o);
      recordProgramming(o);
    },
    onUpdate: (o, old) => {
      cache.upsertSlice(o);
      recordProgramming(o, old);
    },
    onDelete: (o) => cache.deleteSlice(o),
  });
  pods?.addHandlers({ onAdd: (o) => cache.upsertPod(o), onUpdate: (o) => cache.upsertPod(o), onDelete: (o) => cache.deletePod(o) });
  for (const inf of all) {
    if (options.onError) inf.onError = options.onError;
    inf.start();
  }
  const synced = Promise.all(all.map((i) => i.synced)).then(() => {
    hasSynced = true;
    metrics.synced.set({}, 1);
    countObjects();
  });
  metrics.synced.set({}, 0);
  const timer = setInterval(countObjects, 10_000);
  timer.unref();
  return {
    synced,
    get hasSynced() {
      return hasSynced;
    },
    stop() {
      clearInterval(timer);
      for (const inf of all) inf.stop();
    },
  };
}

/** Calls `onChange` with the ConfigMap's data (undefined once it is gone) whenever it changes. */
export function watchConfigMap(client: KubeClient, ref: { namespace: string; name: string }, onChange: (data: Record<string, string> | undefined) => void, onError?: (e: unknown) => void): { synced: Promise<void>; stop(): void } {
  const inf = new Informer<KubeObject>(client, R.configMaps, { namespace: ref.namespace, fieldSelector: `metadata.name=${ref.name}` });
  if (onError) inf.onError = onError;
  const data = (o: KubeObject) => (o.data ?? {}) as Record<string, string>;
  inf.addHandlers({ onAdd: (o) => onChange(data(o)), onUpdate: (o) => onChange(data(o)), onDelete: () => onChange(undefined) });
  inf.start();
  return { synced: inf.synced, stop: () => inf.stop() };
}
