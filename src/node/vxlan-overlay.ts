// The side effects of the VXLAN overlay in the agent's netns: the device (created once, kept across agent
// restarts so its MAC stays what the Node annotation says) and the routes / neighbors / FDB entries per remote.
import type { BridgeFdb } from '../platform/linux/bridge-fdb.ts';
import type { Ip } from '../platform/linux/ip.ts';
import { VXLAN_DEVICE, VXLAN_PORT, VXLAN_VNI, diffVxlan, vtepAddress } from './vxlan.ts';
import type { VxlanEntries } from './vxlan.ts';

export class VxlanSetupError extends Error {
  override name = 'VxlanSetupError';
  readonly code = 'VxlanDevice';
}

/** Creates (or keeps) the vxlan device with the VTEP address `<pod CIDR network>/32`, up; returns its MAC. */
export async function ensureVxlanDevice(tools: { ip: Ip; fdb: BridgeFdb }, options: { nodeIp: string; podCidr: string; underlayDev?: string }): Promise<string> {
  const existing = await tools.ip.getLink(VXLAN_DEVICE);
  if (existing && existing.kind !== 'vxlan') throw new VxlanSetupError(`${VXLAN_DEVICE} exists and is a ${existing.kind ?? 'plain'} link, not vxlan`);
  if (!existing) await tools.fdb.addVxlan(VXLAN_DEVICE, { vni: VXLAN_VNI, port: VXLAN_PORT, local: options.nodeIp, dev: options.underlayDev ?? 'eth0' });
  await tools.ip.addAddress(VXLAN_DEVICE, { cidr: `${vtepAddress(options.podCidr)}/32` });
  await tools.ip.setLinkUp(VXLAN_DEVICE);
  const mac = (await tools.ip.getLink(VXLAN_DEVICE))?.mac;
  if (!mac) throw new VxlanSetupError(`${VXLAN_DEVICE} has no MAC address`);
  return mac.toLowerCase();
}

/** Brings the device's neighbors, FDB and the overlay routes in line with `desired`; removals first. */
export async function syncVxlan(tools: { ip: Ip; fdb: BridgeFdb }, desired: VxlanEntries): Promise<{ replaced: number; removed: number }> {
  const { ip, fdb } = tools;
  const actual = { routes: await ip.listRoutes(), neighbors: await fdb.listNeighbors(VXLAN_DEVICE), fdb: await fdb.listFdb(VXLAN_DEVICE) };
  const { replace, remove } = diffVxlan(desired, actual);
  for (const r of remove.routes) await ip.deleteRoute(r);
  for (const n of remove.neighbors) await fdb.deleteNeighbor(VXLAN_DEVICE, n);
  for (const e of remove.fdb) await fdb.deleteFdb(VXLAN_DEVICE, e);
  for (const e of replace.fdb) await fdb.replaceFdb(VXLAN_DEVICE, e);
  for (const n of replace.neighbors) await fdb.replaceNeighbor(VXLAN_DEVICE, n);
  for (const r of replace.routes) await ip.replaceRoute(r);
  const count = (x: VxlanEntries) => x.routes.length + x.neighbors.length + x.fdb.length;
  return { replaced: count(replace), removed: count(remove) };
}
