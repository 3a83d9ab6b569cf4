// The fixed skeleton of the proxy's table: base chains at kube-proxy's priorities, the dispatch chains,
// and the sets and verdict maps every Service adds its elements to. Pure.
//
// Unlike kube-proxy, arriving traffic is refused in prerouting (no-endpoint Services before DNAT, invalid
// ClusterIP ports after it), not in forward: node namespaces have no default route, so a refusal must
// not depend on routing, and a packet routed back out of the pod bridge first sends an ICMP redirect
// that uses up the per-host ICMP rate limit, so the port-unreachable that follows would be suppressed.
import { emptyRuleset, goto, inSet, jump, match, notMatch, reject, rule, verdict, vmap } from '../netfilter/model.ts';
import type { BaseChainSpec, Chain, Rule, Ruleset, SetDecl, Stmt } from '../netfilter/model.ts';
import { SLOT_MAP_PREFIX } from './endpoint-slots.ts';

export interface RenderOptions {
  /** `skiff-<cluster>-proxy`. */
  tableName: string;
  nodeName: string;
  /** The node's own addresses: NodePorts answer on these only (never on localhost). */
  nodeIPs: readonly string[];
  clusterCidr: string;
  serviceCidr: string;
}

/** Priorities, as kube-proxy's nftables mode: filters around DNAT (-100), masquerade at SNAT (100). */
export const PRIORITY = { dstnat: -100, preDnat: -110, postDnat: -90, srcnat: 100 } as const;
export const MASQUERADE_MARK = 0x4000;

export const SETS = {
  clusterIps: 'cluster-ips',
  nodeportIps: 'nodeport-ips',
  serviceIps: 'service-ips',
  serviceNodeports: 'service-nodeports',
  noEndpointServices: 'no-endpoint-services',
  noEndpointNodeports: 'no-endpoint-nodeports',
  firewallIps: 'firewall-ips',
  hairpin: 'hairpin',
} as const;

export const CHAINS = {
  markForMasquerade: 'mark-for-masquerade',
  masquerading: 'masquerading',
  reject: 'reject-chain',
  services: 'services',
  firewallCheck: 'firewall-check',
  serviceEndpointsCheck: 'service-endpoints-check',
  nodeportEndpointsCheck: 'nodeport-endpoints-check',
  clusterIpsCheck: 'cluster-ips-check',
} as const;

const SERVICE_KEY = ['ip daddr', 'meta l4proto', 'th dport'] as const;
const NODEPORT_KEY = ['meta l4proto', 'th dport'] as const;
const ctNew = match('ct state', 'new');

function base(name: string, spec: BaseChainSpec, rules: Rule[]): Chain {
  return { name, base: { ...spec, policy: 'accept' }, rules };
}

function regular(name: string, rules: Rule[], comment?: string): Chain {
  return comment === undefined ? { name, rules } : { name, comment, rules };
}

const decl = (name: string, kind: 'set' | 'map', keyType: string, comment: string): SetDecl => (kind === 'map' ? { name, kind, keyType, valueType: 'verdict', comment } : { name, kind, keyType, comment });

/** Matches traffic addressed to one of this node's NodePort addresses. */
function toNodeAddress(options: RenderOptions): Stmt[] {
  return options.nodeIPs.length ? [inSet('ip daddr', SETS.nodeportIps)] : [match('fib daddr type', 'local'), notMatch('ip daddr', '127.0.0.0/8')];
}

export function renderBase(options: RenderOptions): Ruleset {
  const r = emptyRuleset('ip', options.tableName, `skiff service proxy of node ${options.nodeName}: written only by it`);
  const chains: Chain[] = [
    base('filter-prerouting', { type: 'filter', hook: 'prerouting', priority: PRIORITY.preDnat }, [
      rule([ctNew, verdict(jump(CHAINS.firewallCheck))]),
      rule([ctNew, verdict(jump(CHAINS.serviceEndpointsCheck))]),
    ]),
    base('filter-prerouting-post-dnat', { type: 'filter', hook: 'prerouting', priority: PRIORITY.postDnat }, [rule([ctNew, verdict(jump(CHAINS.clusterIpsCheck))])]),
    base('filter-input', { type: 'filter', hook: 'input', priority: PRIORITY.preDnat }, [rule([ctNew, verdict(jump(CHAINS.nodeportEndpointsCheck))])]),
    base('filter-output', { type: 'filter', hook: 'output', priority: PRIORITY.preDnat }, [
      rule([ctNew, verdict(jump(CHAINS.serviceEndpointsCheck))]),
      rule([ctNew, verdict(jump(CHAINS.firewallCheck))]),
    ]),
    base('filter-output-post-dnat', { type: 'filter', hook: 'output', priority: PRIORITY.postDnat }, [rule([ctNew, verdict(jump(CHAINS.clusterIpsCheck))])]),
    base('nat-prerouting', { type: 'nat', hook: 'prerouting', priority: PRIORITY.dstnat }, [rule([verdict(jump(CHAINS.services))])]),
    base('nat-output', { type: 'nat', hook: 'output', priority: PRIORITY.dstnat }, [rule([verdict(jump(CHAINS.services))])]),
    base('nat-postrouting', { type: 'nat', hook: 'postrouting', priority: PRIORITY.srcnat }, [
      rule([inSet(['ip saddr', 'ip daddr'], SETS.hairpin), verdict(jump(CHAINS.markForMasquerade))], 'a pod reaching itself through a Service'),
      rule([verdict(jump(CHAINS.masquerading))]),
    ]),
    regular(CHAINS.firewallCheck, [rule([vmap([...SERVICE_KEY], SETS.firewallIps)])], 'loadBalancerSourceRanges of LoadBalancer IPs'),
    regular(CHAINS.serviceEndpointsCheck, [rule([vmap([...SERVICE_KEY], SETS.noEndpointServices)])], 'services with no usable endpoints'),
    regular(CHAINS.nodeportEndpointsCheck, [rule([...toNodeAddress(options), vmap([...NODEPORT_KEY], SETS.noEndpointNodeports)])], 'NodePorts with no usable endpoints'),
    regular(CHAINS.clusterIpsCheck, [
      rule([inSet('ip daddr', SETS.clusterIps), reject], 'reject traffic to invalid ports of ClusterIPs'),
      rule([match('ip daddr', options.serviceCidr), verdict({ kind: 'drop' })], 'drop traffic to unallocated ClusterIPs'),
    ]),
    // Traffic to a ClusterIP from outside the pod network (the node itself, the host) is masqueraded, so
    // replies from a backend on another node come back through this node to be un-DNATed. One rule here
    // rather than one per service chain (kube-proxy's place for it): every rule in a chain reachable from
    // the base chains adds to what each commit re-validates (netfilter README, "Costs").
    regular(CHAINS.services, [
      rule([notMatch('ip saddr', options.clusterCidr), inSet('ip daddr', SETS.clusterIps), verdict(jump(CHAINS.markForMasquerade))], 'ClusterIP clients not in the pod network'),
      rule([vmap([...SERVICE_KEY], SETS.serviceIps)]),
      rule([...toNodeAddress(options), vmap([...NODEPORT_KEY], SETS.serviceNodeports)]),
    ]),
    regular(CHAINS.masquerading, [
      rule([{ kind: 'mark-match', mask: MASQUERADE_MARK, op: '==', value: 0 }, verdict({ kind: 'return' })]),
      rule([{ kind: 'mark-set', op: 'xor', value: MASQUERADE_MARK }]),
      rule([{ kind: 'masquerade', isFullyRandom: true }]),
    ]),
    regular(CHAINS.markForMasquerade, [rule([{ kind: 'mark-set', op: 'or', value: MASQUERADE_MARK }])]),
    regular(CHAINS.reject, [rule([reject])], 'helper for services with no endpoints'),
  ];
  for (const c of chains) r.chains.set(c.name, c);
  const sets: SetDecl[] = [
    decl(SETS.clusterIps, 'set', 'ipv4_addr', 'active ClusterIPs'),
    decl(SETS.nodeportIps, 'set', 'ipv4_addr', 'addresses NodePorts answer on'),
    decl(SETS.serviceIps, 'map', 'ipv4_addr . inet_proto . inet_service', 'ClusterIP, ExternalIP and LoadBalancer IP traffic'),
    decl(SETS.serviceNodeports, 'map', 'inet_proto . inet_service', 'NodePort traffic'),
    decl(SETS.noEndpointServices, 'map', 'ipv4_addr . inet_proto . inet_service', 'vmap to drop or reject packets to services with no endpoints'),
    decl(SETS.noEndpointNodeports, 'map', 'inet_proto . inet_service', 'vmap to drop or reject packets to NodePorts with no endpoints'),
    decl(SETS.firewallIps, 'map', 'ipv4_addr . inet_proto . inet_service', 'LoadBalancer IP firewall'),
    decl(SETS.hairpin, 'set', 'ipv4_addr . ipv4_addr', "this node's endpoints: address . address"),
  ];
  for (const s of sets) r.sets.set(s.name, s);
  if (options.nodeIPs.length) r.elements.set(SETS.nodeportIps, options.nodeIPs.map((ip) => ({ key: ip })));
  return r;
}

/**
 * How Services' parts share a set's keys. `exclusive`: a key is one Service's (the first by `ns/name`
 * keeps a contested one). `shared`: several Services may hold a key, which stays while one does (the
 * hairpin addresses). `own`: keys never collide (endpoint slots are allocated).
 */
export function keyPolicy(set: string): 'exclusive' | 'shared' | 'own' {
  return set === SETS.hairpin ? 'shared' : set.startsWith(SLOT_MAP_PREFIX) ? 'own' : 'exclusive';
}

/** A shared map of endpoints by slot (see `endpoint-slots.ts`). */
export function slotMapDecl(name: string): SetDecl {
  return { name, kind: 'map', keyType: 'numgen inc mod 2', isTypeof: true, valueType: 'ip daddr . tcp dport', comment: 'endpoints by slot: each service chain round-robins over its own run' };
}

/** The verdict for a service port that has no endpoint this traffic may use. */
export function noEndpointVerdict(hasEndpointsElsewhere: boolean) {
  return hasEndpointsElsewhere ? ({ kind: 'drop' } as const) : goto(CHAINS.reject);
}
