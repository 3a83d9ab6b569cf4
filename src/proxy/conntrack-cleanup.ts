// Which UDP conntrack entries a change makes stale. UDP has no connection to close: without cleanup a
// client that keeps sending keeps its entry alive, pinned to a backend that is gone (or, when the
// Service had no endpoints, to no DNAT at all). Pure; the proxier runs the filters after each sync.
import type { ConntrackFilter } from '../platform/linux/conntrack.ts';
import { servingIps } from './endpoints.ts';
import type { EndpointsByPort } from './endpoints.ts';
import { portKey } from './service-port.ts';
import type { ServicePortInfo } from './service-port.ts';

export interface ServiceSnapshot {
  ports: readonly ServicePortInfo[] | undefined;
  endpoints: EndpointsByPort | undefined;
}

function vips(sp: ServicePortInfo): string[] {
  return [...(sp.clusterIP ? [sp.clusterIP] : []), ...sp.externalIPs, ...sp.loadBalancerIPs];
}

/**
 * Filters for `conntrack -D` after one Service changed from `before` to `after`:
 * - a UDP endpoint that stopped serving: flows to every service address (and the NodePort) whose reply
 *   comes from it;
 * - a UDP port that had no serving endpoint and now has one: every flow to it (they were not DNATed);
 * - a UDP port that went away: every flow to it.
 */
export function staleUdpFlows(before: ServiceSnapshot, after: ServiceSnapshot): ConntrackFilter[] {
  const out: ConntrackFilter[] = [];
  const seen = new Set<string>();
  const push = (f: ConntrackFilter) => {
    const id = JSON.stringify(f);
    if (!seen.has(id)) {
      seen.add(id);
      out.push(f);
    }
  };
  const afterPorts = new Map((after.ports ?? []).filter((p) => p.protocol === 'udp').map((p) => [portKey(p), p]));
  for (const old of before.ports ?? []) {
    if (old.protocol !== 'udp' || afterPorts.has(portKey(old))) continue;
    for (const ip of vips(old)) push({ protocol: 'udp', origDst: ip, origDstPort: old.port });
    if (old.nodePort !== undefined) push({ protocol: 'udp', origDstPort: old.nodePort });
  }
  for (const [key, sp] of afterPorts) {
    const was = servingIps(before.endpoints?.get(key));
    const now = servingIps(after.endpoints?.get(key));
    if (was.size === 0 && now.size > 0) {
      for (const ip of vips(sp)) push({ protocol: 'udp', origDst: ip, origDstPort: sp.port });
      if (sp.nodePort !== undefined) push({ protocol: 'udp', origDstPort: sp.nodePort });
      continue;
    }
    for (const gone of [...was].filter((ip) => !now.has(ip))) {
      for (const ip of vips(sp)) push({ protocol: 'udp', origDst: ip, origDstPort: sp.port, replySrc: gone });
      if (sp.nodePort !== undefined) push({ protocol: 'udp', origDstPort: sp.nodePort, replySrc: gone });
    }
  }
  return out;
}
