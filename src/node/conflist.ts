// The pod network's CNI configuration: a conflist the user can read and change at <data-dir>/cni/10-skiff.conflist.
// bridge + host-local over the node's pod CIDR, routes only to the cluster's ranges (never a default route),
// then portmap for hostPort. Pure, except the small read/write helpers at the end.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CniConflist } from '../platform/linux/cni.ts';

export const CONFLIST_NAME = '10-skiff.conflist';
export const NETWORK_NAME = 'skiff';
export const BRIDGE_NAME = 'cni0';

export interface ConflistOptions {
  podCidr: string;
  /** The CNI network name; default `skiff` (the agent uses `skiff-<cluster>-pods`, so cleanup by name finds it). */
  networkName?: string;
  /** Ranges pods reach through their gateway (the cluster's address plan). Never 0.0.0.0/0. */
  routes: string[];
  /** host-local's state directory (one per node: several agents share the machine). */
  ipamDataDir: string;
  mtu?: number;
}

import { formatIpv4, parseIpv4Cidr } from '../lib/ipv4.ts';

export function renderConflist(options: ConflistOptions): CniConflist {
  for (const dst of options.routes) if (/^(0\.0\.0\.0\/0|default)$/.test(dst)) throw new Error(`refusing a default route in the pod network (${dst})`);
  // The bridge's address on the pod network (host-local's default gateway, made explicit): routes name it as
  // their gateway, so what the plugins return matches the routes the kernel shows, and CNI CHECK passes.
  const cidr = parseIpv4Cidr(options.podCidr);
  if (!cidr) throw new Error(`invalid pod CIDR ${JSON.stringify(options.podCidr)}`);
  const gateway = formatIpv4(cidr.base + 1);
  const bridge: Record<string, unknown> = {
    type: 'bridge',
    bridge: BRIDGE_NAME,
    isGateway: true,
    ipMasq: false,
    hairpinMode: true,
    ipam: {
      type: 'host-local',
      ranges: [[{ subnet: options.podCidr, gateway }]],
      routes: options.routes.map((dst) => ({ dst, gw: gateway })),
      dataDir: options.ipamDataDir,
    },
  };
  if (options.mtu) bridge.mtu = options.mtu;
  return {
    cniVersion: '1.0.0',
    name: options.networkName ?? NETWORK_NAME,
    plugins: [bridge as CniConflist['plugins'][number], { type: 'portmap', capabilities: { portMappings: true } }],
  };
}

/** containerd's separate loopback network, run before the pod network. */
export const LOOPBACK_CONFLIST: CniConflist = { cniVersion: '1.0.0', name: 'cni-loopback', plugins: [{ type: 'loopback' }] };

/** The subnet of the first host-local range in a conflist, if it has one. */
export function conflistSubnet(conflist: CniConflist): string | undefined {
  for (const p of conflist.plugins) {
    const ipam = p.ipam as { ranges?: { subnet?: string }[][]; subnet?: string } | undefined;
    const subnet = ipam?.ranges?.[0]?.[0]?.subnet ?? ipam?.subnet;
    if (subnet) return subnet;
  }
  return undefined;
}

export function parseConflist(text: string): CniConflist {
  const v = JSON.parse(text) as CniConflist;
  if (!v || typeof v.name !== 'string' || !Array.isArray(v.plugins) || v.plugins.length === 0) throw new Error('not a CNI conflist: it needs "name" and a non-empty "plugins"');
  return v;
}

/**
 * Writes the conflist unless the file there already serves this pod CIDR (so a user's edits stay);
 * returns the conflist in force, read back from the file.
 */
export function ensureConflist(path: string, options: ConflistOptions): { conflist: CniConflist; isWritten: boolean } {
  if (existsSync(path)) {
    try {
      const current = parseConflist(readFileSync(path, 'utf8'));
      if (conflistSubnet(current) === options.podCidr) return { conflist: current, isWritten: false };
    } catch {
      // unreadable: replace it
    }
  }
  const conflist = renderConflist(options);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(`${path}.tmp`, JSON.stringify(conflist, null, 2) + '\n');
  renameSync(`${path}.tmp`, path);
  return { conflist, isWritten: true };
}
