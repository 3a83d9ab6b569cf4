// A slimmed, read-only view of Services, EndpointSlices, Pods and Namespaces: only what answers need.
import type { EndpointSlice, Pod, Service } from '../api/types.ts';
import { canonicalIp } from './ip-address.ts';

export type ServiceKind = 'cluster_ip' | 'headless_with_selector' | 'headless_without_selector' | 'external_name';

export interface PortRecord {
  name: string;
  protocol: string;
  port: number;
}

export interface ServiceRecord {
  namespace: string;
  name: string;
  kind: ServiceKind;
  clusterIPs: string[];
  externalName?: string;
  ports: PortRecord[];
  /** publishNotReadyAddresses, or the spec's tolerate-unready-endpoints annotation. */
  isPublishingNotReady: boolean;
}

export interface EndpointRecord {
  addresses: string[];
  hostname: string;
  isReady: boolean;
  /** Its EndpointSlice's ports: the target ports a client of a headless Service connects to. */
  ports: PortRecord[];
}

interface SliceRecord {
  serviceKey: string;
  endpoints: EndpointRecord[];
}

const LABEL_SERVICE_NAME = 'kubernetes.io/service-name';
const ANNOTATION_TOLERATE_UNREADY = 'service.alpha.kubernetes.io/tolerate-unready-endpoints';

export interface ClusterCacheOptions {
  /** Name endpoints without a `hostname` after their pod (CoreDNS `endpoint_pod_names`) instead of the dashed IP. */
  isNamingEndpointsByPod?: boolean;
  now?: () => number;
}

export class ClusterCache {
  #services = new Map<string, ServiceRecord>();
  /** namespace → name → Service: the hot lookup, without building a key string per query. */
  #servicesByNs = new Map<string, Map<string, ServiceRecord>>();
  #slices = new Map<string, SliceRecord>();
  #slicesByService = new Map<string, Set<string>>();
  #namespaces = new Set<string>();
  #serviceByIp = new Map<string, Set<string>>();
  #slicesByIp = new Map<string, Set<string>>();
  #pods = new Map<string, { namespace: string; ips: string[] }>();
  #podsByIp = new Map<string, Set<string>>();
  #isNamingEndpointsByPod: boolean;
  #now: () => number;
  /** Bumped on every change: answers built from an older generation are stale. */
  generation = 0;
  /** Unix seconds of the last change: the SOA serial, as CoreDNS does. */
  modifiedAt: number;

  constructor(options: ClusterCacheOptions = {}) {
    this.#isNamingEndpointsByPod = options.isNamingEndpointsByPod ?? false;
    this.#now = options.now ?? Date.now;
    this.modifiedAt = Math.floor(this.#now() / 1000);
  }

  // ---- reads

  hasNamespace(name: string): boolean {
    return this.#namespaces.has(name);
  }

  service(namespace: string, name: string): ServiceRecord | undefined {
    return this.#servicesByNs.get(namespace)?.get(name);
  }

  /** The Service's endpoints that DNS publishes (ready, or all of them when it publishes not-ready ones). */
  endpoints(svc: ServiceRecord): EndpointRecord[] {
    const out: EndpointRecord[] = [];
    for (const sliceKey of this.#slicesByService.get(`${svc.namespace}/${svc.name}`) ?? []) {
      for (const ep of this.#slices.get(sliceKey)!.endpoints) if (ep.isReady || svc.isPublishingNotReady) out.push(ep);
    }
    return out;
  }

  servicesWithClusterIP(ip: string): ServiceRecord[] {
    return [...(this.#serviceByIp.get(ip) ?? [])].map((k) => this.#services.get(k)!).filter(Boolean);
  }

  /** Headless Services with a published endpoint at `ip`, with that endpoint. */
  headlessEndpointsAt(ip: string): { svc: ServiceRecord; endpoint: EndpointRecord }[] {
    const out: { svc: ServiceRecord; endpoint: EndpointRecord }[] = [];
    for (const sliceKey of this.#slicesByIp.get(ip) ?? []) {
      const slice = this.#slices.get(sliceKey)!;
      const svc = this.#services.get(slice.serviceKey);
      if (!svc || svc.kind === 'cluster_ip' || svc.kind === 'external_name') continue;
      for (const ep of slice.endpoints) if ((ep.isReady || svc.isPublishingNotReady) && ep.addresses.includes(ip)) out.push({ svc, endpoint: ep });
    }
    return out;
  }

  hasPodAt(namespace: string, ip: string): boolean {
    for (const key of this.#podsByIp.get(ip) ?? []) if (this.#pods.get(key)?.namespace === namespace) return true;
    return false;
  }

  get size(): { services: number; endpointSlices: number; pods: number; namespaces: number } {
    return { services: this.#services.size, endpointSlices: this.#slices.size, pods: this.#pods.size, namespaces: this.#namespaces.size };
  }

  // ---- writes (from informers)

  #touch(): void {
    this.generation++;
    this.modifiedAt = Math.floor(this.#now() / 1000);
  }

  setNamespace(name: string, isPresent: boolean): void {
    if (isPresent) this.#namespaces.add(name);
    else this.#namespaces.delete(name);
    this.#touch();
  }

  upsertService(obj: Service): void {
    this.deleteService(obj);
    const rec = slimService(obj);
    const key = `${rec.namespace}/${rec.name}`;
    this.#services.set(key, rec);
    let names = this.#servicesByNs.get(rec.namespace);
    if (!names) this.#servicesByNs.set(rec.namespace, (names = new Map()));
    names.set(rec.name, rec);
    for (const ip of rec.clusterIPs) addIndex(this.#serviceByIp, ip, key);
    this.#touch();
  }

  deleteService(obj: Service): void {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const old = this.#services.get(key);
    if (!old) return;
    for (const ip of old.clusterIPs) removeIndex(this.#serviceByIp, ip, key);
    this.#services.delete(key);
    const names = this.#servicesByNs.get(old.namespace);
    names?.delete(old.name);
    if (names && !names.size) this.#servicesByNs.delete(old.namespace);
    this.#touch();
  }

  upsertSlice(obj: EndpointSlice): void {
    this.deleteSlice(obj);
    const svcName = obj.metadata.labels?.[LABEL_SERVICE_NAME];
    if (!svcName || (obj.addressType !== 'IPv4' && obj.addressType !== 'IPv6')) return;
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const serviceKey = `${obj.metadata.namespace}/${svcName}`;
    const ports = (obj.ports ?? []).filter((p) => p.port !== undefined).map((p) => ({ name: (p.name ?? '').toLowerCase(), protocol: (p.protocol ?? 'TCP').toLowerCase(), port: p.port! }));
    const endpoints: EndpointRecord[] = [];
    for (const ep of obj.endpoints ?? []) {
      const addresses = (ep.addresses ?? []).map((a) => canonicalIp(a)).filter((a): a is string => Boolean(a));
      if (!addresses.length) continue;
      const hostname = (ep.hostname || (this.#isNamingEndpointsByPod && ep.targetRef?.kind === 'Pod' && ep.targetRef.name) || addresses[0].replaceAll(/[.:]/g, '-')).toLowerCase();
      // discovery/v1: a nil `ready` must be read as ready.
      endpoints.push({ addresses, hostname, isReady: ep.conditions?.ready !== false, ports });
      for (const ip of addresses) addIndex(this.#slicesByIp, ip, key);
    }
    this.#slices.set(key, { serviceKey, endpoints });
    addIndex(this.#slicesByService, serviceKey, key);
    this.#touch();
  }

  deleteSlice(obj: EndpointSlice): void {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const old = this.#slices.get(key);
    if (!old) return;
    for (const ep of old.endpoints) for (const ip of ep.addresses) removeIndex(this.#slicesByIp, ip, key);
    removeIndex(this.#slicesByService, old.serviceKey, key);
    this.#slices.delete(key);
    this.#touch();
  }

  upsertPod(obj: Pod): void {
    this.deletePod(obj);
    const phase = obj.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return; // their addresses are released
    const ips = [...new Set([obj.status?.podIP, ...(obj.status?.podIPs ?? []).map((p) => p.ip)])].map((ip) => ip && canonicalIp(ip)).filter((ip): ip is string => Boolean(ip));
    if (!ips.length) return;
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    this.#pods.set(key, { namespace: obj.metadata.namespace!, ips });
    for (const ip of ips) addIndex(this.#podsByIp, ip, key);
    this.#touch();
  }

  deletePod(obj: Pod): void {
    const key = `${obj.metadata.namespace}/${obj.metadata.name}`;
    const old = this.#pods.get(key);
    if (!old) return;
    for (const ip of old.ips) removeIndex(this.#podsByIp, ip, key);
    this.#pods.delete(key);
    this.#touch();
  }
}

export function serviceKind(obj: Service): ServiceKind {
  if (obj.spec.type === 'ExternalName') return 'external_name';
  if (obj.spec.clusterIP === 'None' || !obj.spec.clusterIP) return obj.spec.selector && Object.keys(obj.spec.selector).length ? 'headless_with_selector' : 'headless_without_selector';
  return 'cluster_ip';
}

function slimService(obj: Service): ServiceRecord {
  const kind = serviceKind(obj);
  const ips = obj.spec.clusterIPs?.length ? obj.spec.clusterIPs : obj.spec.clusterIP ? [obj.spec.clusterIP] : [];
  return {
    namespace: obj.metadata.namespace!.toLowerCase(),
    name: obj.metadata.name!.toLowerCase(),
    kind,
    clusterIPs: kind === 'cluster_ip' ? ips.map((ip) => canonicalIp(ip)).filter((ip): ip is string => Boolean(ip)) : [],
    externalName: kind === 'external_name' ? obj.spec.externalName?.toLowerCase().replace(/\.$/, '') : undefined,
    ports: (obj.spec.ports ?? []).map((p) => ({ name: (p.name ?? '').toLowerCase(), protocol: (p.protocol ?? 'TCP').toLowerCase(), port: p.port })),
    isPublishingNotReady: Boolean(obj.spec.publishNotReadyAddresses) || obj.metadata.annotations?.[ANNOTATION_TOLERATE_UNREADY] === 'true',
  };
}

function addIndex(index: Map<string, Set<string>>, key: string, value: string): void {
  let set = index.get(key);
  if (!set) index.set(key, (set = new Set()));
  set.add(value);
}

function removeIndex(index: Map<string, Set<string>>, key: string, value: string): void {
  const set = index.get(key);
  if (!set) return;
  set.delete(value);
  if (!set.size) index.delete(key);
}
