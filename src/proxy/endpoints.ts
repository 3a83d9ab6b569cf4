// EndpointSlices → the endpoints of each service port, and which of them a given node should use. Pure.
import type { EndpointSlice } from '../api/types.ts';
import { portKey } from './service-port.ts';
import type { ServicePortInfo } from './service-port.ts';
import { parseIpv4 } from '../lib/ipv4.ts';

export const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

export interface EndpointInfo {
  ip: string;
  port: number;
  isReady: boolean;
  isServing: boolean;
  isTerminating: boolean;
  nodeName?: string;
}

/** `portName/protocol` → endpoints, sorted by address then port. */
export type EndpointsByPort = Map<string, EndpointInfo[]>;

/** The Service a slice belongs to (`ns/name`), from its `kubernetes.io/service-name` label. */
export function sliceServiceKey(slice: EndpointSlice): string | undefined {
  const name = slice.metadata.labels?.[SERVICE_NAME_LABEL];
  return name ? `${slice.metadata.namespace ?? 'default'}/${name}` : undefined;
}

/**
 * Merges a Service's slices. Only IPv4 slices count; an endpoint's first address is used (as upstream);
 * an address:port listed twice keeps its most usable copy. Unset conditions read as upstream says:
 * ready and serving when not stated, not terminating.
 */
export function mergeSlices(slices: Iterable<EndpointSlice>): EndpointsByPort {
  const byPort = new Map<string, Map<string, EndpointInfo>>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    for (const p of slice.ports ?? []) {
      if (p.port === undefined) continue;
      const key = portKey({ portName: p.name ?? '', protocol: (p.protocol ?? 'TCP').toLowerCase() });
      const seen = byPort.get(key) ?? new Map<string, EndpointInfo>();
      byPort.set(key, seen);
      for (const ep of slice.endpoints ?? []) {
        const ip = ep.addresses?.[0];
        if (!ip) continue;
        const isReady = ep.conditions?.ready ?? true;
        const info: EndpointInfo = { ip, port: p.port, isReady, isServing: ep.conditions?.serving ?? isReady, isTerminating: ep.conditions?.terminating ?? false };
        if (ep.nodeName) info.nodeName = ep.nodeName;
        const id = `${ip}:${p.port}`;
        const old = seen.get(id);
        if (!old || rank(info) > rank(old)) seen.set(id, info);
      }
    }
  }
  const out: EndpointsByPort = new Map();
  for (const [key, seen] of [...byPort].sort(([a], [b]) => a.localeCompare(b))) out.set(key, [...seen.values()].sort(compareEndpoints));
  return out;
}

const rank = (e: EndpointInfo) => (e.isReady ? 2 : 0) + (e.isServing ? 1 : 0);

const ipNumber = (ip: string): number => parseIpv4(ip) ?? 0;

function compareEndpoints(a: EndpointInfo, b: EndpointInfo): number {
  return a.ip === b.ip ? a.port - b.port : ipNumber(a.ip) - ipNumber(b.ip) || a.port - b.port;
}

export interface CategorizedEndpoints {
  /** Ready endpoints; when none is ready anywhere, the serving-and-terminating ones. */
  cluster: EndpointInfo[];
  /** The same choice among this node's endpoints (only computed when a policy is Local). */
  local: EndpointInfo[];
}

/** Which endpoints cluster-wide and node-local traffic may use, as upstream's topology rules do. */
export function categorizeEndpoints(sp: ServicePortInfo, endpoints: readonly EndpointInfo[], nodeName: string): CategorizedEndpoints {
  const usable = (list: readonly EndpointInfo[]) => {
    const ready = list.filter((e) => e.isReady);
    return ready.length ? ready : list.filter((e) => e.isServing && e.isTerminating);
  };
  const cluster = usable(endpoints);
  const needsLocal = sp.isInternalPolicyLocal || sp.isExternalPolicyLocal;
  const local = needsLocal ? usable(endpoints.filter((e) => e.nodeName === nodeName)) : [];
  return { cluster, local };
}

/** Endpoints that may carry traffic at all (ready or serving): what conntrack cleanup keeps. */
export function servingIps(endpoints: readonly EndpointInfo[] | undefined): Set<string> {
  return new Set((endpoints ?? []).filter((e) => e.isReady || e.isServing).map((e) => e.ip));
}
