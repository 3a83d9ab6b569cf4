// Cross-node pod traffic without an overlay: in this node's netns, a route to every other node's pod CIDR via
// that node's InternalIP. The routes carry protocol number HOST_GW_PROTO so the agent finds exactly its own.
import type { Node } from '../api/nodes.ts';
import type { Ip, RouteInfo, RouteSpec } from '../platform/linux/ip.ts';

export const HOST_GW_PROTO = '77';

export function internalIp(node: Node): string | undefined {
  return node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
}

/** The routes this node needs: other nodes' pod CIDRs via their InternalIPs. Pure. */
export function desiredHostGwRoutes(nodes: readonly Node[], self: string): RouteSpec[] {
  const out: RouteSpec[] = [];
  for (const n of nodes) {
    if (n.metadata.name === self) continue;
    const via = internalIp(n);
    const cidrs = n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : [];
    if (!via) continue;
    for (const dst of cidrs) if (!dst.includes(':')) out.push({ dst, via, protocol: HOST_GW_PROTO });
  }
  return out.sort((a, b) => a.dst.localeCompare(b.dst));
}

/** Which routes to replace and which of ours to delete. Pure. */
export function diffHostGwRoutes(desired: readonly RouteSpec[], current: readonly RouteInfo[]): { replace: RouteSpec[]; remove: RouteSpec[] } {
  const ours = current.filter((r) => r.protocol === HOST_GW_PROTO);
  const replace = desired.filter((d) => !ours.some((r) => r.dst === d.dst && r.gateway === d.via));
  const remove = ours.filter((r) => !desired.some((d) => d.dst === r.dst)).map((r) => ({ dst: r.dst, protocol: HOST_GW_PROTO }));
  return { replace, remove };
}

/** Brings the routes of the agent's netns in line with `desired`. */
export async function syncHostGwRoutes(ip: Ip, desired: readonly RouteSpec[]): Promise<{ replaced: number; removed: number }> {
  const { replace, remove } = diffHostGwRoutes(desired, await ip.listRoutes());
  for (const r of replace) await ip.replaceRoute(r);
  for (const r of remove) await ip.deleteRoute(r);
  return { replaced: replace.length, removed: remove.length };
}
