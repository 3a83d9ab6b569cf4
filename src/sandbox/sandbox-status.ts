// What of a cluster's sandbox exists right now, found by name.
import { defaultRunner } from '../platform/linux/command.ts';
import type { CommandRunner } from '../platform/linux/command.ts';
import { Ip } from '../platform/linux/ip.ts';
import type { LinkInfo, RouteInfo } from '../platform/linux/ip.ts';
import { Nft } from '../platform/linux/nft.ts';
import type { NftTableRef } from '../platform/linux/nft.ts';
import { PLAN_RANGES, UNREACHABLE_METRIC, clusterPrefix, hostVethPrefix, nodeIndexOf, podNetnsPrefix, validatePlan } from './network-plan.ts';
import type { NetworkPlan } from './network-plan.ts';

export interface NodeStatus {
  index: number;
  netns: string;
  /** eth0's IPv4 addresses inside the node netns. */
  addresses: string[];
  hostVeth?: LinkInfo;
}

export interface SandboxStatus {
  bridge?: LinkInfo;
  bridgeAddresses: string[];
  nodes: NodeStatus[];
  podNetns: string[];
  /** Other netns with the cluster's prefix (neither node nor pod). */
  otherNetns: string[];
  /** Host veths named for the cluster with no node netns behind them. */
  strayLinks: string[];
  /** Host routes through the bridge. */
  routes: RouteInfo[];
  unreachableRoutes: RouteInfo[];
  nftTables: NftTableRef[];
  /** True when nothing named for the cluster exists. */
  isEmpty: boolean;
}

export async function sandboxStatus(plan: NetworkPlan, options: { runner?: CommandRunner } = {}): Promise<SandboxStatus> {
  validatePlan(plan);
  const runner = options.runner ?? defaultRunner;
  const ip = new Ip(runner);
  const prefix = clusterPrefix(plan);
  const namespaces = (await ip.listNetns()).filter((n) => n.startsWith(prefix));
  const veths = await ip.listLinks({ prefix: hostVethPrefix(plan) });
  const bridge = await ip.getLink(plan.bridge);

  const nodes: NodeStatus[] = [];
  for (const netns of namespaces) {
    const index = nodeIndexOf(plan, netns);
    if (index === undefined) continue;
    const addrs = await ip.listAddresses({ netns, dev: 'eth0' }).catch(() => []);
    const node: NodeStatus = { index, netns, addresses: addrs.filter((a) => a.family === 'inet').map((a) => a.cidr) };
    const veth = veths.find((l) => l.name === `${hostVethPrefix(plan)}${index}`);
    if (veth) node.hostVeth = veth;
    nodes.push(node);
  }
  nodes.sort((a, b) => a.index - b.index);

  const hostRoutes = await ip.listRoutes();
  const unreachable = hostRoutes.filter((r) => r.type === 'unreachable' && r.metric === UNREACHABLE_METRIC && PLAN_RANGES.some((k) => plan[k] === r.dst));
  const nftTables = (await new Nft(runner).listTables()).filter((t) => t.name.startsWith(prefix));
  const status: SandboxStatus = {
    bridgeAddresses: bridge ? (await ip.listAddresses({ dev: plan.bridge })).filter((a) => a.family === 'inet').map((a) => a.cidr) : [],
    nodes,
    podNetns: namespaces.filter((n) => n.startsWith(podNetnsPrefix(plan))),
    otherNetns: namespaces.filter((n) => !n.startsWith(podNetnsPrefix(plan)) && nodeIndexOf(plan, n) === undefined),
    strayLinks: veths.filter((l) => !nodes.some((n) => n.hostVeth?.name === l.name)).map((l) => l.name),
    routes: hostRoutes.filter((r) => r.dev === plan.bridge),
    unreachableRoutes: unreachable,
    nftTables,
    isEmpty: false,
  };
  if (bridge) status.bridge = bridge;
  status.isEmpty = !bridge && namespaces.length === 0 && veths.length === 0 && status.routes.length === 0 && unreachable.length === 0 && nftTables.length === 0;
  return status;
}
