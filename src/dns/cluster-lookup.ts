// Answers for names in the cluster zone and for reverse names of cluster addresses. Pure: cache in, records out.
import { isIPv4 } from 'node:net';
import type { ClusterCache, PortRecord, ServiceRecord } from './cluster-cache.ts';
import { RCODE, RR_TYPE } from './dns-constants.ts';
import { labelsBelow, parseClusterName } from './request.ts';
import type { ClusterName } from './request.ts';
import { rrTypeCode } from './records.ts';
import type { Rr } from './records.ts';

export const DNS_SCHEMA_VERSION = '1.1.0';
const SCHEMA_TTL = 28800;
const MAX_CNAME_CHAIN = 8;

export type PodMode = 'verified' | 'insecure' | 'disabled';

export interface LookupContext {
  cache: ClusterCache;
  zone: string;
  zoneLabels: string[];
  ttl: number;
  podMode: PodMode;
}

export interface Answer {
  rcode: number;
  answer: Rr[];
  authority: Rr[];
  additional: Rr[];
  /** A CNAME target outside the zone that still has to be resolved through an upstream. */
  chase?: { name: string; type: number };
}

interface NodeRecords {
  exists: boolean;
  records: Rr[];
  additional: Rr[];
}

const MISSING: NodeRecords = { exists: false, records: [], additional: [] };

export function soaRecord(zone: string, ctx: Pick<LookupContext, 'ttl' | 'cache'>): Rr {
  return { name: zone, ttl: ctx.ttl, type: 'SOA', mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: ctx.cache.modifiedAt, refresh: 7200, retry: 1800, expire: 86400, minimum: ctx.ttl };
}

/** `qname`'s lower-case labels lie inside the zone (the caller checked with labelsBelow). */
export function lookupCluster(qname: string, rel: readonly string[], qtype: number, ctx: LookupContext): Answer {
  const out: Answer = { rcode: RCODE.NOERROR, answer: [], authority: [], additional: [] };
  let name = qname;
  let node = recordsAt(name, parseClusterName(rel), ctx);
  for (let hops = 0; ; hops++) {
    if (!node.exists) {
      out.rcode = RCODE.NXDOMAIN;
      break;
    }
    const cname = node.records.find((r) => r.type === 'CNAME');
    if (!cname || qtype === RR_TYPE.CNAME || qtype === RR_TYPE.ANY) {
      for (const r of node.records) if (qtype === RR_TYPE.ANY || rrTypeCode(r) === qtype) out.answer.push(r);
      // Glue for the names SRV and NS records point at (RFC 2782, RFC 1035 §3.3.11).
      if (out.answer.some((r) => r.type === 'SRV' || r.type === 'NS')) out.additional.push(...node.additional);
      break;
    }
    out.answer.push(cname);
    if (cname.type !== 'CNAME' || hops >= MAX_CNAME_CHAIN) break;
    name = cname.target;
    const targetRel = labelsBelow(name.split('.'), ctx.zoneLabels);
    if (!targetRel) {
      out.chase = { name, type: qtype };
      return out;
    }
    node = recordsAt(name, parseClusterName(targetRel), ctx);
  }
  if (!out.answer.some((r) => qtype === RR_TYPE.ANY || rrTypeCode(r) === qtype)) out.authority.push(soaRecord(ctx.zone, ctx));
  return out;
}

/** PTR answers for an address the cluster owns; undefined when it is not ours (fall through to upstreams). */
export function lookupReverse(qname: string, ip: string, qtype: number, ctx: LookupContext): Answer | undefined {
  const targets: string[] = [];
  for (const svc of ctx.cache.servicesWithClusterIP(ip)) targets.push(serviceName(svc, ctx.zone));
  for (const { svc, endpoint } of ctx.cache.headlessEndpointsAt(ip)) targets.push(`${endpoint.hostname}.${serviceName(svc, ctx.zone)}`);
  if (!targets.length) return undefined;
  const out: Answer = { rcode: RCODE.NOERROR, answer: [], authority: [], additional: [] };
  if (qtype === RR_TYPE.PTR || qtype === RR_TYPE.ANY) for (const target of new Set(targets)) out.answer.push({ name: qname, ttl: ctx.ttl, type: 'PTR', target });
  else out.authority.push(soaRecord(isIPv4(ip) ? 'in-addr.arpa' : 'ip6.arpa', ctx));
  return out;
}

function serviceName(svc: ServiceRecord, zone: string): string {
  return `${svc.name}.${svc.namespace}.svc.${zone}`;
}

function addressRecord(name: string, ttl: number, address: string): Rr {
  return { name, ttl, type: address.includes(':') ? 'AAAA' : 'A', address };
}

function present(records: Rr[], additional: Rr[] = []): NodeRecords {
  return { exists: true, records, additional };
}

function recordsAt(name: string, req: ClusterName, ctx: LookupContext): NodeRecords {
  const { cache, ttl, zone } = ctx;
  switch (req.kind) {
    case 'none':
      return MISSING;
    case 'apex': {
      const ns = `ns.dns.${zone}`;
      return present([soaRecord(zone, ctx), { name, ttl, type: 'NS', target: ns }], nameserverAddresses(ns, ctx));
    }
    case 'dns-version':
      return present([{ name, ttl: SCHEMA_TTL, type: 'TXT', texts: [DNS_SCHEMA_VERSION] }]);
    case 'nameserver':
      return present(nameserverAddresses(name, ctx));
    case 'branch':
      return present([]);
    case 'namespace':
      return cache.hasNamespace(req.namespace) ? present([]) : MISSING;
    case 'pod': {
      const exists = ctx.podMode === 'insecure' ? cache.hasNamespace(req.namespace) : ctx.podMode === 'verified' && cache.hasPodAt(req.namespace, req.ip);
      return exists ? present([addressRecord(name, ttl, req.ip)]) : MISSING;
    }
    default:
      return serviceRecords(name, req, ctx);
  }
}

function nameserverAddresses(name: string, ctx: LookupContext): Rr[] {
  const dns = ctx.cache.service('kube-system', 'kube-dns');
  return (dns?.clusterIPs ?? []).map((ip) => addressRecord(name, ctx.ttl, ip));
}

function serviceRecords(name: string, req: Extract<ClusterName, { service: string }>, ctx: LookupContext): NodeRecords {
  const { cache, ttl } = ctx;
  const svc = cache.service(req.namespace, req.service);
  if (!svc) return MISSING;
  const svcName = serviceName(svc, ctx.zone);
  if (svc.kind === 'external_name') {
    // An ExternalName that is an IP address has no valid CNAME (CoreDNS skips it too).
    if (req.kind !== 'service' || !svc.externalName || /^[\d.]+$|:/.test(svc.externalName)) return MISSING;
    return present([{ name, ttl, type: 'CNAME', target: svc.externalName }]);
  }
  if (svc.kind === 'cluster_ip') {
    const addresses = svc.clusterIPs.map((ip) => addressRecord(svcName, ttl, ip));
    if (req.kind === 'service') return present(svc.clusterIPs.map((ip) => addressRecord(name, ttl, ip)));
    if (req.kind === 'endpoint') return MISSING;
    const ports = svc.ports.filter((p) => p.name && p.protocol === req.protocol && (req.kind === 'protocol' || p.name === req.port));
    if (!ports.length) return MISSING;
    if (req.kind === 'protocol') return present([]);
    return present(ports.map((p) => ({ name, ttl, type: 'SRV', priority: 0, weight: 100, port: p.port, target: svcName })), addresses);
  }
  // Headless: the spec answers NXDOMAIN for every name of a Service without ready endpoints.
  const endpoints = cache.endpoints(svc);
  if (!endpoints.length) return MISSING;
  if (req.kind === 'service') return present(uniqueAddresses(endpoints.flatMap((e) => e.addresses)).map((ip) => addressRecord(name, ttl, ip)));
  if (req.kind === 'endpoint') {
    const addresses = uniqueAddresses(endpoints.filter((e) => e.hostname === req.hostname).flatMap((e) => e.addresses));
    return addresses.length ? present(addresses.map((ip) => addressRecord(name, ttl, ip))) : MISSING;
  }
  const matches = (p: PortRecord) => p.name && p.protocol === req.protocol && (req.kind === 'protocol' || p.name === req.port);
  const withPorts = endpoints.map((e) => ({ e, ports: e.ports.filter(matches) })).filter((x) => x.ports.length);
  if (!withPorts.length) return MISSING;
  if (req.kind === 'protocol') return present([]);
  // N ready endpoints × M named ports; one target per hostname, with all its addresses as glue.
  const srv = new Map<string, Rr>();
  const glue = new Map<string, Set<string>>();
  for (const { e, ports } of withPorts) {
    const target = `${e.hostname}.${svcName}`;
    for (const p of ports) srv.set(`${target}/${p.port}`, { name, ttl, type: 'SRV', priority: 0, weight: 0, port: p.port, target });
    const set = glue.get(target) ?? new Set();
    for (const ip of e.addresses) set.add(ip);
    glue.set(target, set);
  }
  const weight = Math.max(1, Math.floor(100 / srv.size));
  const records = [...srv.values()].map((r) => ({ ...r, weight }) as Rr);
  const additional = [...glue].flatMap(([target, ips]) => [...ips].map((ip) => addressRecord(target, ttl, ip)));
  return present(records, additional);
}

function uniqueAddresses(ips: string[]): string[] {
  return ips.length < 2 ? ips : [...new Set(ips)];
}
