// What one Service adds to the proxy's table: per-port service/local/external/firewall chains, its
// endpoints in the shared slot maps (or, with session affinity, one chain and affinity set per endpoint),
// and its elements in the shared maps. Pure but for the slot allocator it is given.
import { dnat, emptyRuleset, goto, inSet, jump, match, notMatch, rule, verdict } from '../netfilter/model.ts';
import type { Chain, Element, Rule, Ruleset, Verdict } from '../netfilter/model.ts';
import { categorizeEndpoints } from './endpoints.ts';
import type { EndpointInfo, EndpointsByPort } from './endpoints.ts';
import { CHAINS, SETS, noEndpointVerdict } from './render-base.ts';
import type { RenderOptions } from './render-base.ts';
import type { EndpointSlots } from './endpoint-slots.ts';
import { affinitySetName, endpointChainName, portKey, portLabel, serviceChainNames } from './service-port.ts';
import type { ServicePortInfo } from './service-port.ts';

const markMasq = verdict(jump(CHAINS.markForMasquerade));

/** The options, and the slot allocator the Service's chains take their endpoint slots from. */
export interface RenderContext extends RenderOptions {
  slots: EndpointSlots;
}

/** Everything Service `ns/name` contributes, given its ports and their endpoints. */
export function renderServicePart(ports: readonly ServicePortInfo[], endpoints: EndpointsByPort | undefined, options: RenderContext): Ruleset {
  const part = emptyRuleset('ip', options.tableName);
  const clusterIps = new Set<string>();
  for (const sp of ports) {
    renderPort(part, sp, endpoints?.get(portKey(sp)) ?? [], options);
    if (sp.clusterIP) clusterIps.add(sp.clusterIP);
  }
  if (ports.length) add(part, SETS.clusterIps, [...clusterIps].map((ip) => ({ key: ip, comment: `${ports[0].namespace}/${ports[0].name}` })));
  return part;
}

function add(part: Ruleset, set: string, elements: Element[]): void {
  if (!elements.length) return;
  const list = part.elements.get(set);
  if (list) list.push(...elements);
  else part.elements.set(set, elements);
}

function addChain(part: Ruleset, name: string, comment: string, rules: Rule[]): void {
  part.chains.set(name, { name, comment, rules });
}

function renderPort(part: Ruleset, sp: ServicePortInfo, endpoints: readonly EndpointInfo[], options: RenderContext): void {
  const label = portLabel(sp);
  const names = serviceChainNames(sp);
  const { cluster, local } = categorizeEndpoints(sp, endpoints, options.nodeName);
  const hasAny = cluster.length > 0;
  const hasExternal = sp.nodePort !== undefined || sp.externalIPs.length > 0 || sp.loadBalancerIPs.length > 0;
  const internalChain = sp.isInternalPolicyLocal ? names.local : names.service;
  const internalEps = sp.isInternalPolicyLocal ? local : cluster;
  const usesClusterChain = hasAny && (!sp.isInternalPolicyLocal || hasExternal);
  const usesLocalChain = local.length > 0 && (sp.isInternalPolicyLocal || (sp.isExternalPolicyLocal && hasExternal));
  const key = (ip: string) => [ip, sp.protocol, sp.port];

  // Off-cluster clients of the ClusterIP are masqueraded in the shared `services` chain; hairpin traffic
  // (a pod reaching itself through its Service) in postrouting, through the `hairpin` set of this node's
  // endpoint addresses.
  if (usesClusterChain) addChain(part, names.service, label, balance(part, names.service, sp, cluster, options));
  if (usesLocalChain) addChain(part, names.local, label, balance(part, names.local, sp, local, options));
  const used = [...(usesClusterChain ? cluster : []), ...(usesLocalChain ? local : [])];
  if (sp.affinityTimeoutSeconds !== undefined) for (const e of new Map(used.map((x) => [`${x.ip}:${x.port}`, x])).values()) renderEndpoint(part, sp, e);
  const here = new Set<string>();
  for (const e of used) if (e.nodeName === undefined || e.nodeName === options.nodeName) here.add(e.ip);
  const pairs: Element[] = [];
  for (const ip of here) pairs.push({ key: [ip, ip] });
  add(part, SETS.hairpin, pairs);

  if (internalEps.length) add(part, SETS.serviceIps, [{ key: key(sp.clusterIP!), value: goto(internalChain), comment: label }]);
  else add(part, SETS.noEndpointServices, [{ key: key(sp.clusterIP!), value: noEndpointVerdict(hasAny), comment: label }]);

  if (!hasExternal) return;
  const externalTargets = [...sp.externalIPs, ...sp.loadBalancerIPs];
  if (hasAny) {
    addChain(part, names.external, label, externalRules(sp, names, local.length > 0, options));
    add(part, SETS.serviceIps, externalTargets.map((ip) => ({ key: key(ip), value: goto(names.external), comment: label })));
    if (sp.nodePort !== undefined) add(part, SETS.serviceNodeports, [{ key: [sp.protocol, sp.nodePort], value: goto(names.external), comment: label }]);
  } else {
    add(part, SETS.noEndpointServices, externalTargets.map((ip) => ({ key: key(ip), value: noEndpointVerdict(false), comment: label })));
    if (sp.nodePort !== undefined) add(part, SETS.noEndpointNodeports, [{ key: [sp.protocol, sp.nodePort], value: noEndpointVerdict(false), comment: label }]);
  }
  if (sp.loadBalancerSourceRanges.length && sp.loadBalancerIPs.length) {
    addChain(part, names.firewall, label, [rule([notMatch('ip saddr', sp.loadBalancerSourceRanges), verdict({ kind: 'drop' })], 'loadBalancerSourceRanges')]);
    add(part, SETS.firewallIps, sp.loadBalancerIPs.map((ip) => ({ key: key(ip), value: goto(names.firewall), comment: label })));
  }
}

/**
 * Round robin over the endpoints. Without session affinity: `numgen inc mod N offset O` through the
 * chain's run of slots in a shared endpoint map, or a plain DNAT for one endpoint. With it, as kube-proxy:
 * a client seen recently goes back to its endpoint's chain, others round robin through a map of
 * endpoint chains named like the chain (chains and sets have separate names).
 */
function balance(part: Ruleset, chain: string, sp: ServicePortInfo, eps: readonly EndpointInfo[], options: RenderContext): Rule[] {
  const isL4 = match('meta l4proto', sp.protocol);
  if (sp.affinityTimeoutSeconds === undefined) {
    if (eps.length === 1) return [rule([isL4, dnat(eps[0].ip, eps[0].port)])];
    const run = options.slots.place(chain, eps.length);
    const label = portLabel(sp);
    add(part, run.map, eps.map((e, i) => ({ key: run.offset + i, value: { kind: 'addr-port', addr: e.ip, port: e.port }, comment: label })));
    return [rule([isL4, { kind: 'dnat-map', mod: eps.length, offset: run.offset, map: run.map }])];
  }
  const rules: Rule[] = eps.map((e) => rule([inSet('ip saddr', affinitySetName(sp, e)), verdict(goto(endpointChainName(sp, e)))]));
  const targets: Verdict[] = eps.map((e) => goto(endpointChainName(sp, e)));
  if (targets.length === 1) {
    rules.push(rule([verdict(targets[0])]));
    return rules;
  }
  part.sets.set(chain, { name: chain, kind: 'map', keyType: 'numgen inc mod 2', isTypeof: true, valueType: 'verdict', comment: portLabel(sp) });
  part.elements.set(chain, targets.map((value, i) => ({ key: i, value })));
  rules.push(rule([{ kind: 'numgen-map', mod: targets.length, map: chain }]));
  return rules;
}

/** With session affinity: the endpoint's chain records the client, then DNATs. */
function renderEndpoint(part: Ruleset, sp: ServicePortInfo, e: EndpointInfo): void {
  const name = endpointChainName(sp, e);
  const set = affinitySetName(sp, e);
  part.sets.set(set, { name: set, kind: 'set', keyType: 'ipv4_addr', flags: ['dynamic', 'timeout'], comment: `${portLabel(sp)} session affinity` });
  const rules: Rule[] = [
    rule([{ kind: 'set-update', set, key: 'ip saddr', timeoutSeconds: sp.affinityTimeoutSeconds }]),
    rule([match('meta l4proto', sp.protocol), dnat(e.ip, e.port)]),
  ];
  const chain: Chain = { name, comment: portLabel(sp), rules };
  part.chains.set(name, chain);
}

/**
 * NodePort, ExternalIP and LoadBalancer IP traffic. Policy Cluster: masquerade, then any endpoint.
 * Policy Local: the client's address is kept and only this node's endpoints serve, except for pods
 * and the node itself, which may use every endpoint (as upstream).
 */
function externalRules(sp: ServicePortInfo, names: ReturnType<typeof serviceChainNames>, hasLocal: boolean, options: RenderOptions): Rule[] {
  if (!sp.isExternalPolicyLocal) return [rule([markMasq]), rule([verdict(goto(names.service))])];
  return [
    rule([match('ip saddr', options.clusterCidr), verdict(goto(names.service))], 'pod traffic may use every endpoint'),
    rule([match('fib saddr type', 'local'), markMasq], 'masquerade local traffic'),
    rule([match('fib saddr type', 'local'), verdict(goto(names.service))], 'local traffic may use every endpoint'),
    hasLocal ? rule([verdict(goto(names.local))]) : rule([verdict({ kind: 'drop' })], 'no local endpoints'),
  ];
}
