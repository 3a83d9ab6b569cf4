// The one-machine address plan and the names derived from it. Pure.
import { containsCidr, containsIp, formatIp, overlaps, parseCidr, parseIp, size } from './ipv4.ts';
import type { Cidr } from './ipv4.ts';

export interface NetworkPlan {
  /** [a-z0-9]{1,8}; every namespace, link and table the sandbox makes is named after it. */
  clusterName: string;
  /** The host bridge, the "LAN" the nodes share: `sk` + up to 13 of [a-z0-9-]. */
  bridge: string;
  underlayCidr: string;
  clusterCidr: string;
  serviceCidr: string;
  lbPool: string;
}

export class PlanError extends Error {
  override name = 'PlanError';
  readonly code = 'InvalidPlan';
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`invalid network plan: ${problems.join('; ')}`);
    this.problems = problems;
  }
}

/**
 * RFC 2544 benchmarking space: never a real network. Every plan range must lie inside it, so the
 * sandbox can never address (or shadow a route to) anything real.
 */
export const SAFE_RANGE = '198.18.0.0/15';

/** The metric of the `unreachable` catch-all routes: any specific route (metric 0) wins over them. */
export const UNREACHABLE_METRIC = 4242;

export function defaultPlan(overrides: Partial<NetworkPlan> = {}): NetworkPlan {
  return {
    clusterName: 'skiff',
    bridge: 'skiff0',
    underlayCidr: '198.18.0.0/24',
    clusterCidr: '198.18.128.0/17',
    serviceCidr: '198.19.0.0/16',
    lbPool: '198.18.1.0/24',
    ...overrides,
  };
}

export const PLAN_RANGES = ['underlayCidr', 'clusterCidr', 'serviceCidr', 'lbPool'] as const;

/** Throws a PlanError naming every problem; returns the plan unchanged when it is sound. */
export function validatePlan(plan: NetworkPlan): NetworkPlan {
  const problems: string[] = [];
  if (!/^[a-z0-9]{1,8}$/.test(plan.clusterName ?? '')) problems.push(`clusterName ${JSON.stringify(plan.clusterName)} must be 1-8 of [a-z0-9]`);
  if (!/^sk[a-z0-9-]{1,13}$/.test(plan.bridge ?? '')) problems.push(`bridge ${JSON.stringify(plan.bridge)} must be "sk" followed by 1-13 of [a-z0-9-]`);
  const safe = parseCidr(SAFE_RANGE)!;
  const parsed: [string, Cidr][] = [];
  for (const key of PLAN_RANGES) {
    const c = parseCidr(plan[key] ?? '');
    if (!c) problems.push(`${key} ${JSON.stringify(plan[key])} is not an IPv4 CIDR with its host bits zero`);
    else if (!containsCidr(safe, c)) problems.push(`${key} ${plan[key]} is outside ${SAFE_RANGE}`);
    else parsed.push([key, c]);
  }
  for (let i = 0; i < parsed.length; i++) {
    for (let j = i + 1; j < parsed.length; j++) {
      if (overlaps(parsed[i][1], parsed[j][1])) problems.push(`${parsed[i][0]} ${plan[parsed[i][0] as keyof NetworkPlan]} overlaps ${parsed[j][0]} ${plan[parsed[j][0] as keyof NetworkPlan]}`);
    }
  }
  const underlay = parseCidr(plan.underlayCidr ?? '');
  if (underlay && underlay.prefixLength > 28) problems.push(`underlayCidr ${plan.underlayCidr} is too small: it needs room for the host and nodes (at most /28)`);
  if (problems.length) throw new PlanError(problems);
  return plan;
}

/** The most nodes the underlay has addresses for (node i is network + 10 + i, below broadcast). */
export function maxNodes(plan: NetworkPlan): number {
  return size(cidrOf(plan.underlayCidr)) - 12;
}

/** The host's address on the bridge: the underlay's first address. */
export function hostAddress(plan: NetworkPlan): string {
  return formatIp(cidrOf(plan.underlayCidr).base + 1);
}

/** Node i (from 1): the underlay address 10 + i. */
export function nodeAddress(plan: NetworkPlan, i: number): string {
  checkIndex(plan, i);
  return formatIp(cidrOf(plan.underlayCidr).base + 10 + i);
}

/** `198.18.0.0/24` → 24 */
export function underlayPrefixLength(plan: NetworkPlan): number {
  return cidrOf(plan.underlayCidr).prefixLength;
}

/** Every name this cluster creates (netns, nft tables, CNI networks) starts with this. */
export function clusterPrefix(plan: NetworkPlan): string {
  return `skiff-${plan.clusterName}-`;
}

export function nodeNetns(plan: NetworkPlan, i: number): string {
  checkIndex(plan, i);
  return `${clusterPrefix(plan)}node-${i}`;
}

export function nodeName(i: number): string {
  return `node-${i}`;
}

/** The node index encoded in a node netns name, or undefined for any other name. */
export function nodeIndexOf(plan: NetworkPlan, netns: string): number | undefined {
  const m = /^node-([1-9]\d*)$/.exec(netns.startsWith(clusterPrefix(plan)) ? netns.slice(clusterPrefix(plan).length) : '');
  return m ? Number(m[1]) : undefined;
}

/** Prefix of the host-side veth names: `sk-<cluster>-`. */
export function hostVethPrefix(plan: NetworkPlan): string {
  return `sk-${plan.clusterName}-`;
}

/** The host side of node i's veth: at most 3 + 8 + 1 + 3 = 15 characters (IFNAMSIZ - 1). */
export function hostVeth(plan: NetworkPlan, i: number): string {
  checkIndex(plan, i);
  return `${hostVethPrefix(plan)}${i}`;
}

export function podNetnsPrefix(plan: NetworkPlan): string {
  return `${clusterPrefix(plan)}pod-`;
}

/** True if `ip` is an address in the underlay. */
export function isUnderlayAddress(plan: NetworkPlan, ip: string): boolean {
  const n = parseIp(ip);
  return n !== undefined && containsIp(cidrOf(plan.underlayCidr), n);
}

/** True if `cidr` is a well-formed range inside the cluster CIDR (a node's pod range). */
export function isInClusterCidr(plan: NetworkPlan, cidr: string): boolean {
  const c = parseCidr(cidr);
  return c !== undefined && containsCidr(cidrOf(plan.clusterCidr), c);
}

function checkIndex(plan: NetworkPlan, i: number): void {
  if (!Number.isInteger(i) || i < 1 || i > Math.min(999, maxNodes(plan))) throw new PlanError([`node index ${i} must be an integer from 1 to ${Math.min(999, maxNodes(plan))}`]);
}

function cidrOf(text: string): Cidr {
  const c = parseCidr(text);
  if (!c) throw new PlanError([`${JSON.stringify(text)} is not an IPv4 CIDR`]);
  return c;
}
