// Cross-node pod traffic over VXLAN, flannel-style: every node has a vxlan device whose address (its VTEP
// address) is the network address of its pod CIDR and whose MAC it publishes on its Node. For every other node
// this node programs: the pod CIDR via the remote VTEP address onlink over the device, a permanent neighbor
// entry VTEP address → VTEP MAC, and an FDB entry VTEP MAC → the remote's underlay address. Pure.
import type { Node } from '../api/nodes.ts';
import type { FdbEntry, NeighborEntry } from '../platform/linux/bridge-fdb.ts';
import type { RouteInfo, RouteSpec } from '../platform/linux/ip.ts';
import { internalIp } from './host-gw.ts';

export const VXLAN_DEVICE = 'skiff-vxlan';
export const VXLAN_VNI = 1;
export const VXLAN_PORT = 4789;
/** Route protocol number of the overlay routes, so the agent finds exactly its own. */
export const VXLAN_PROTO = '78';
export const VTEP_MAC_ANNOTATION = 'skiff.dev/vtep-mac';

export type Overlay = 'host-gw' | 'vxlan';
export const OVERLAYS: readonly Overlay[] = ['host-gw', 'vxlan'];

export function isOverlay(value: string): value is Overlay {
  return (OVERLAYS as readonly string[]).includes(value);
}

export interface VxlanEntries {
  routes: RouteSpec[];
  neighbors: NeighborEntry[];
  fdb: FdbEntry[];
}

/** The network address of an IPv4 CIDR: 198.18.113.0/24 → 198.18.113.0. */
export function vtepAddress(podCidr: string): string {
  const [ip, len] = podCidr.split('/');
  const n = ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
  const size = 2 ** (32 - Number(len));
  const net = n - (n % size);
  return [24, 16, 8, 0].map((shift) => Math.floor(net / 2 ** shift) % 256).join('.');
}

function ipv4Cidrs(node: Node): string[] {
  const all = node.spec?.podCIDRs?.length ? node.spec.podCIDRs : node.spec?.podCIDR ? [node.spec.podCIDR] : [];
  return all.filter((c) => !c.includes(':'));
}

/** What this node needs for every other node that has a pod CIDR, an InternalIP and a published VTEP MAC. */
export function desiredVxlan(nodes: readonly Node[], self: string): VxlanEntries {
  const out: VxlanEntries = { routes: [], neighbors: [], fdb: [] };
  for (const n of [...nodes].sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!))) {
    if (n.metadata.name === self) continue;
    const underlay = internalIp(n);
    const mac = n.metadata.annotations?.[VTEP_MAC_ANNOTATION]?.toLowerCase();
    const cidrs = ipv4Cidrs(n);
    if (!underlay || !mac || !cidrs.length) continue;
    const vtep = vtepAddress(cidrs[0]);
    for (const dst of cidrs) out.routes.push({ dst, via: vtep, dev: VXLAN_DEVICE, isOnlink: true, protocol: VXLAN_PROTO });
    out.neighbors.push({ ip: vtep, mac });
    out.fdb.push({ mac, dst: underlay });
  }
  return out;
}

export interface VxlanActual {
  routes: readonly RouteInfo[];
  neighbors: readonly NeighborEntry[];
  fdb: readonly FdbEntry[];
}

/** What to add or replace and what to remove so the device and routes match `desired`. Pure. */
export function diffVxlan(desired: VxlanEntries, actual: VxlanActual): { replace: VxlanEntries; remove: VxlanEntries } {
  const ours = actual.routes.filter((r) => r.protocol === VXLAN_PROTO);
  return {
    replace: {
      routes: desired.routes.filter((d) => !ours.some((r) => r.dst === d.dst && r.gateway === d.via && r.dev === d.dev)),
      neighbors: desired.neighbors.filter((d) => !actual.neighbors.some((n) => n.ip === d.ip && n.mac === d.mac)),
      fdb: desired.fdb.filter((d) => !actual.fdb.some((e) => e.mac === d.mac && e.dst === d.dst)),
    },
    remove: {
      routes: ours.filter((r) => !desired.routes.some((d) => d.dst === r.dst)).map((r) => ({ dst: r.dst, protocol: VXLAN_PROTO })),
      neighbors: actual.neighbors.filter((n) => !desired.neighbors.some((d) => d.ip === n.ip && d.mac === n.mac)),
      fdb: actual.fdb.filter((e) => !desired.fdb.some((d) => d.mac === e.mac && d.dst === e.dst)),
    },
  };
}
