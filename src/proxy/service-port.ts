// A Service, slimmed to what the proxy programs: one ServicePortInfo per port, plus the readable, stable
// names of the chains and sets that belong to it. Pure.
import { hash } from 'node:crypto';
import type { Service } from '../api/types.ts';

export type L4Proto = 'tcp' | 'udp' | 'sctp';

export interface ServicePortInfo {
  namespace: string;
  name: string;
  /** `spec.ports[].name`, '' when unnamed. */
  portName: string;
  protocol: L4Proto;
  port: number;
  /** Absent for headless Services. */
  clusterIP?: string;
  nodePort?: number;
  externalIPs: string[];
  /** `status.loadBalancer.ingress[].ip` of a LoadBalancer Service. */
  loadBalancerIPs: string[];
  loadBalancerSourceRanges: string[];
  isExternalPolicyLocal: boolean;
  isInternalPolicyLocal: boolean;
  /** Set when `sessionAffinity: ClientIP`. */
  affinityTimeoutSeconds?: number;
  healthCheckNodePort?: number;
}

/** kube-proxy's default ClientIP affinity timeout (3 hours). */
export const DEFAULT_AFFINITY_TIMEOUT_SECONDS = 10_800;

export function serviceKey(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}

/** The ports the proxy programs for `svc`; none for ExternalName and headless Services. */
export function servicePorts(svc: Service): ServicePortInfo[] {
  const spec = svc.spec ?? {};
  const type = spec.type ?? 'ClusterIP';
  if (type === 'ExternalName') return [];
  const clusterIP = spec.clusterIPs?.[0] ?? spec.clusterIP;
  if (!clusterIP || clusterIP === 'None' || clusterIP.includes(':')) return [];
  const hasNodePorts = type === 'NodePort' || type === 'LoadBalancer';
  const isLb = type === 'LoadBalancer';
  const externalIPs = (spec.externalIPs ?? []).filter(isPlainIpv4);
  const loadBalancerIPs = isLb ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip ?? '').filter(isPlainIpv4) : [];
  const isExternallyAccessible = hasNodePorts || externalIPs.length > 0;
  const isExternalPolicyLocal = isExternallyAccessible && spec.externalTrafficPolicy === 'Local';
  return (spec.ports ?? []).map((p) => {
    const info: ServicePortInfo = {
      namespace: svc.metadata.namespace ?? 'default',
      name: svc.metadata.name ?? '',
      portName: p.name ?? '',
      protocol: (p.protocol ?? 'TCP').toLowerCase() as L4Proto,
      port: p.port,
      clusterIP,
      externalIPs,
      loadBalancerIPs,
      loadBalancerSourceRanges: isLb ? (spec.loadBalancerSourceRanges ?? []).map((r) => r.trim()).filter(Boolean) : [],
      isExternalPolicyLocal,
      isInternalPolicyLocal: spec.internalTrafficPolicy === 'Local',
    };
    if (hasNodePorts && p.nodePort) info.nodePort = p.nodePort;
    if (spec.sessionAffinity === 'ClientIP') info.affinityTimeoutSeconds = spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? DEFAULT_AFFINITY_TIMEOUT_SECONDS;
    if (isLb && isExternalPolicyLocal && spec.healthCheckNodePort) info.healthCheckNodePort = spec.healthCheckNodePort;
    return info;
  });
}

function isPlainIpv4(ip: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(ip);
}

/** `ns/name:port` as kube-proxy prints a service port (no `:` part when the port is unnamed). */
export function portLabel(sp: ServicePortInfo): string {
  return `${sp.namespace}/${sp.name}${sp.portName ? `:${sp.portName}` : ''}`;
}

/** Endpoints of a port are found by `name/protocol` in the EndpointSlices' ports. */
export function portKey(sp: { portName: string; protocol: string }): string {
  return `${sp.portName}/${sp.protocol}`;
}

/** `ns/name/tcp/http` (or `…/tcp/80` for an unnamed port): the readable part of chain names. */
export function chainBase(sp: ServicePortInfo): string {
  return `${sp.namespace}/${sp.name}/${sp.protocol}/${sp.portName || sp.port}`;
}

/** nftables chain and set names hold at most 255 characters. */
const MAX_NAME = 255;

/** `prefix-HASH8-base`: HASH8 (base32 of sha256) keeps names unique when `base` is cut to fit. */
export function hashedName(prefix: string, base: string): string {
  return named(prefix, hash8(base), base);
}

const hash8 = (base: string) => base32(hash('sha256', base, 'buffer').subarray(0, 5));
const named = (prefix: string, hash: string, base: string) => `${prefix}-${hash}-${base}`.slice(0, MAX_NAME);

export function serviceChainNames(sp: ServicePortInfo): { service: string; local: string; external: string; firewall: string } {
  const base = chainBase(sp);
  const hash = hash8(base);
  return { service: named('service', hash, base), local: named('local', hash, base), external: named('external', hash, base), firewall: named('firewall', hash, base) };
}

export function endpointChainName(sp: ServicePortInfo, ep: { ip: string; port: number }): string {
  return hashedName('endpoint', `${chainBase(sp)}__${ep.ip}/${ep.port}`);
}

export function affinitySetName(sp: ServicePortInfo, ep: { ip: string; port: number }): string {
  return hashedName('affinity', `${chainBase(sp)}__${ep.ip}/${ep.port}`);
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
function base32(bytes: Uint8Array): string {
  let bits = 0;
  let value = 0;
  let out = '';
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}
