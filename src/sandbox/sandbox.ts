// Builds the one-machine underlay: a host bridge, one netns per node on it, and the host's routes.
import { defaultRunner } from '../platform/linux/command.ts';
import type { CommandRunner } from '../platform/linux/command.ts';
import { Ip } from '../platform/linux/ip.ts';
import type { RouteInfo } from '../platform/linux/ip.ts';
import { conflictingRoutes, hostRoutes } from './host-routes.ts';
import { hostAddress, hostVeth, maxNodes, nodeAddress, nodeName, nodeNetns, underlayPrefixLength, validatePlan } from './network-plan.ts';
import type { NetworkPlan } from './network-plan.ts';
import { SandboxError } from './sandbox-error.ts';

export { destroySandbox } from './destroy-sandbox.ts';
export type { DestroyOptions } from './destroy-sandbox.ts';
export { sandboxStatus } from './sandbox-status.ts';
export type { SandboxStatus } from './sandbox-status.ts';
export { SandboxError } from './sandbox-error.ts';
export { addPodCidrRoute, conflictingRoutes, hostRoutes, removePodCidrRoute, unreachableRoutes } from './host-routes.ts';

/** The node-side interface on the underlay, inside each node netns. */
export const NODE_IFNAME = 'eth0';

export interface SandboxNode {
  index: number;
  /** `node-<i>`, the Node object's name. */
  name: string;
  netns: string;
  address: string;
  hostVeth: string;
}

export interface Sandbox {
  bridge: string;
  hostAddress: string;
  nodes: SandboxNode[];
}

export interface BuildOptions {
  nodeCount: number;
  runner?: CommandRunner;
  onProgress?: (message: string) => void;
}

/** Sysctls set inside every node netns (never on the host). */
export const NODE_SYSCTLS: Record<string, string> = {
  'net.ipv4.ip_forward': '1',
  // Loose reverse-path filtering: the effective value is max(all, iface), so this makes every interface
  // (cni0 and pod veths created later too) accept replies routed asymmetrically between nodes.
  'net.ipv4.conf.all.rp_filter': '2',
};

/**
 * Creates whatever of the sandbox is missing and repairs what is half made (e.g. after a crash).
 * Safe to run again: every step checks or uses an idempotent command.
 */
export async function buildSandbox(plan: NetworkPlan, options: BuildOptions): Promise<Sandbox> {
  validatePlan(plan);
  const { nodeCount } = options;
  if (!Number.isInteger(nodeCount) || nodeCount < 1 || nodeCount > Math.min(999, maxNodes(plan))) {
    throw new SandboxError('InvalidArgument', `nodeCount ${nodeCount} must be an integer from 1 to ${Math.min(999, maxNodes(plan))}`);
  }
  const ip = new Ip(options.runner ?? defaultRunner);
  const progress = options.onProgress ?? (() => {});

  const conflicts = conflictingRoutes(plan, await ip.listRoutes());
  if (conflicts.length) {
    throw new SandboxError('RangeInUse', `the host already routes part of the plan elsewhere: ${conflicts.map(describeRoute).join(', ')}`);
  }

  progress(`bridge ${plan.bridge} ${hostAddress(plan)}/${underlayPrefixLength(plan)}`);
  const existing = await ip.getLink(plan.bridge);
  if (existing && existing.kind !== 'bridge') throw new SandboxError('NameInUse', `${plan.bridge} exists and is not a bridge (${existing.kind ?? 'device'})`);
  if (!existing) await ip.addBridge(plan.bridge);
  await ip.addAddress(plan.bridge, { cidr: `${hostAddress(plan)}/${underlayPrefixLength(plan)}` });
  await ip.setLinkUp(plan.bridge);

  const nodes: SandboxNode[] = [];
  for (let i = 1; i <= nodeCount; i++) {
    const node: SandboxNode = { index: i, name: nodeName(i), netns: nodeNetns(plan, i), address: nodeAddress(plan, i), hostVeth: hostVeth(plan, i) };
    progress(`${node.name}: netns ${node.netns}, ${node.address}`);
    await buildNode(ip, plan, node);
    nodes.push(node);
  }

  progress('host routes');
  for (const route of hostRoutes(plan)) await ip.replaceRoute(route);
  return { bridge: plan.bridge, hostAddress: hostAddress(plan), nodes };
}

async function buildNode(ip: Ip, plan: NetworkPlan, node: SandboxNode): Promise<void> {
  const at = { netns: node.netns };
  await ip.addNetns(node.netns);
  await ip.setLinkUp('lo', at);
  const hostSide = await ip.getLink(node.hostVeth);
  const nodeSide = await ip.getLink(NODE_IFNAME, at);
  const isPaired = hostSide?.kind === 'veth' && nodeSide?.kind === 'veth' && hostSide.peerIndex === nodeSide.index && nodeSide.peerIndex === hostSide.index;
  if (!isPaired) {
    // Half made (a crash between steps): start this node's link over.
    if (hostSide) await ip.deleteLink(node.hostVeth);
    if (nodeSide) await ip.deleteLink(NODE_IFNAME, at);
    await ip.addVeth(node.hostVeth, { peer: NODE_IFNAME, peerNetns: node.netns });
  }
  await ip.setMaster(node.hostVeth, { master: plan.bridge });
  await ip.setLinkUp(node.hostVeth);
  await ip.addAddress(NODE_IFNAME, { ...at, cidr: `${node.address}/${underlayPrefixLength(plan)}` });
  await ip.setLinkUp(NODE_IFNAME, at);
  await ip.setSysctl(node.netns, NODE_SYSCTLS);
}

function describeRoute(r: RouteInfo): string {
  return [r.type === 'unicast' ? '' : r.type, r.dst, r.gateway ? `via ${r.gateway}` : '', r.dev ? `dev ${r.dev}` : ''].filter(Boolean).join(' ');
}
