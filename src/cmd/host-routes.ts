// Keeps the host's routes to every node's pod CIDR (via that node's underlay address) in step with the Node
// objects, so the host reaches pod IPs directly. Runs in the server process, which lives in the host netns.
import { findResource } from '../api/resources.ts';
import type { Node } from '../api/nodes.ts';
import type { KubeClient } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { addPodCidrRoute, removePodCidrRoute } from '../sandbox/sandbox.ts';
import type { NetworkPlan } from '../sandbox/network-plan.ts';
import { isInClusterCidr, isUnderlayAddress } from '../sandbox/network-plan.ts';

const NODES = findResource('', 'v1', 'nodes')!;

export function nodeRoute(plan: NetworkPlan, node: Node): { cidr: string; nodeIp: string } | undefined {
  const cidr = node.spec?.podCIDR;
  const nodeIp = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (!cidr || !nodeIp || !isInClusterCidr(plan, cidr) || !isUnderlayAddress(plan, nodeIp)) return undefined;
  return { cidr, nodeIp };
}

export function startHostRouteSync(client: KubeClient, plan: NetworkPlan): { stop(): void } {
  const informer = new Informer<Node>(client, NODES);
  const installed = new Map<string, string>();
  const log = (e: unknown) => console.error(`host routes: ${e instanceof Error ? e.message : String(e)}`);
  const sync = (node: Node) => {
    const want = nodeRoute(plan, node);
    const name = node.metadata.name!;
    const have = installed.get(name);
    if (!want || have === `${want.cidr} via ${want.nodeIp}`) return;
    installed.set(name, `${want.cidr} via ${want.nodeIp}`);
    addPodCidrRoute(plan, want).catch(log);
  };
  informer.addHandlers({
    onAdd: sync,
    onUpdate: sync,
    onDelete: (node) => {
      const want = nodeRoute(plan, node);
      installed.delete(node.metadata.name!);
      if (want) removePodCidrRoute(plan, { cidr: want.cidr }).catch(log);
    },
  });
  informer.start();
  return { stop: () => informer.stop() };
}
