// Start-up and teardown steps of the agent that touch the machine: the host-netns guard, the container root
// template, and removing what the pod network left in the node's netns.
import { readlinkSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Ip } from '../platform/linux/ip.ts';
import { BRIDGE_NAME } from './conflist.ts';
import { HOST_GW_PROTO } from './host-gw.ts';
import { VXLAN_DEVICE } from './vxlan.ts';
import { writeBuiltinShims } from './images/image-catalog.ts';
import { readRootLayout, writeRootTemplate } from './rootfs.ts';
import type { HostRootLayout } from './rootfs.ts';

export class AgentSetupError extends Error {
  override name = 'AgentSetupError';
  readonly code = 'HostNetns';
}

/**
 * The bridge plugin turns on ip_forward where it runs, and host-gw adds routes: in the machine's own netns that
 * would change the host. The agent belongs in a node's netns (`nsenter --net=/run/netns/<node>`).
 */
export function assertNotHostNetns(): void {
  let mine = '';
  let init = '';
  try {
    mine = readlinkSync('/proc/self/ns/net');
    init = readlinkSync('/proc/1/ns/net');
  } catch {
    return; // cannot tell (no access to pid 1's namespaces): nothing to compare
  }
  if (mine === init) throw new AgentSetupError('the node agent runs in the host network namespace; start it inside its node namespace (nsenter --net=/run/netns/<node>) or allow it explicitly for a dedicated machine');
}

/** Writes the built-in image shims and the root template; returns what containers are started with. */
export function prepareRootTemplate(dir: string): { layout: HostRootLayout; templateDir: string } {
  const shims = writeBuiltinShims(join(dir, 'shims'));
  const layout = readRootLayout('/');
  const templateDir = join(dir, 'template');
  writeRootTemplate(templateDir, { layout, shims });
  return { layout, templateDir };
}

/** After every pod is gone: the host-gw routes, the vxlan device (its routes go with it), the CNI bridge and the CNI state directory. */
export async function cleanUpNodeNetwork(ip: Ip, options: { cniDir: string }): Promise<void> {
  for (const r of await ip.listRoutes()) if (r.protocol === HOST_GW_PROTO) await ip.deleteRoute({ dst: r.dst, protocol: HOST_GW_PROTO });
  await ip.deleteLink(VXLAN_DEVICE);
  await ip.deleteLink(BRIDGE_NAME);
  rmSync(join(options.cniDir, 'ipam'), { recursive: true, force: true });
  rmSync(join(options.cniDir, 'results'), { recursive: true, force: true });
}
