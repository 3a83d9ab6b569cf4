// The host's routes for a sandbox: its own, the pod ranges' routes, and the check for someone else's.
import { defaultRunner } from '../platform/linux/command.ts';
import type { CommandRunner } from '../platform/linux/command.ts';
import { Ip } from '../platform/linux/ip.ts';
import type { RouteInfo, RouteSpec } from '../platform/linux/ip.ts';
import { overlaps, parseCidr } from './ipv4.ts';
import { PLAN_RANGES, UNREACHABLE_METRIC, isInClusterCidr, isUnderlayAddress, nodeAddress, validatePlan } from './network-plan.ts';
import type { NetworkPlan } from './network-plan.ts';
import { SandboxError } from './sandbox-error.ts';

/**
 * The host routes the sandbox owns besides the bridge's connected route: the service CIDR into the bridge
 * via node 1 (so the host reaches ClusterIPs through a node's proxy); the LB pool on the bridge itself, so
 * the host asks by ARP who holds a LoadBalancer IP and the holding node answers (MetalLB L2-style); and an
 * `unreachable` catch-all for every plan range, so an address without a more specific route fails at once
 * on the host instead of following the default route off the machine.
 */
export function hostRoutes(plan: NetworkPlan): RouteSpec[] {
  return [
    { dst: plan.serviceCidr, via: nodeAddress(plan, 1), dev: plan.bridge },
    { dst: plan.lbPool, dev: plan.bridge, scope: 'link' },
    ...unreachableRoutes(plan),
  ];
}

export function unreachableRoutes(plan: NetworkPlan): RouteSpec[] {
  return PLAN_RANGES.map((k) => ({ type: 'unreachable' as const, dst: plan[k], metric: UNREACHABLE_METRIC }));
}

/** Routes the host pod range `cidr` (inside clusterCidr) via the node at `nodeIp` (on the underlay). */
export async function addPodCidrRoute(plan: NetworkPlan, options: { cidr: string; nodeIp: string; runner?: CommandRunner }): Promise<void> {
  validatePlan(plan);
  if (!isInClusterCidr(plan, options.cidr)) throw new SandboxError('InvalidArgument', `pod CIDR ${options.cidr} is not inside the cluster CIDR ${plan.clusterCidr}`);
  if (!isUnderlayAddress(plan, options.nodeIp)) throw new SandboxError('InvalidArgument', `node address ${options.nodeIp} is not on the underlay ${plan.underlayCidr}`);
  await new Ip(options.runner ?? defaultRunner).replaceRoute({ dst: options.cidr, via: options.nodeIp, dev: plan.bridge });
}

/** Removes the host route for a pod range; returns false if there was none. */
export async function removePodCidrRoute(plan: NetworkPlan, options: { cidr: string; runner?: CommandRunner }): Promise<boolean> {
  validatePlan(plan);
  if (!isInClusterCidr(plan, options.cidr)) throw new SandboxError('InvalidArgument', `pod CIDR ${options.cidr} is not inside the cluster CIDR ${plan.clusterCidr}`);
  return new Ip(options.runner ?? defaultRunner).deleteRoute({ dst: options.cidr, dev: plan.bridge });
}

/**
 * Host routes overlapping a plan range that are not this sandbox's own (another network, another
 * cluster): building over them would steal or break someone's traffic.
 */
export function conflictingRoutes(plan: NetworkPlan, routes: readonly RouteInfo[]): RouteInfo[] {
  const ranges = PLAN_RANGES.map((k) => parseCidr(plan[k])!);
  return routes.filter((r) => {
    if (r.dev === plan.bridge) return false;
    if (r.type === 'unreachable' && r.metric === UNREACHABLE_METRIC && PLAN_RANGES.some((k) => plan[k] === r.dst)) return false;
    const dst = r.dst === 'default' ? undefined : parseCidr(r.dst.includes('/') ? r.dst : `${r.dst}/32`);
    if (dst === undefined) return false;
    // A wider reject route (someone's safety net) cannot take traffic from our more specific routes.
    const rejects = r.type === 'unreachable' || r.type === 'blackhole' || r.type === 'prohibit';
    return ranges.some((c) => overlaps(c, dst) && !(rejects && dst.prefixLength < c.prefixLength));
  });
}

