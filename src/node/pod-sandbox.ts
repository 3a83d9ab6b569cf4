// A pod's sandbox on this node: its directory, its generated /etc files and (unless hostNetwork) its network
// namespace with a CNI attachment.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AgentContext } from './agent-context.ts';
import { podHostname, renderHostname, renderHostNetworkHosts, renderHosts, renderResolvConf } from './dns-files.ts';
import type { NodePod } from './pod-types.ts';
import { podDirName } from './pod-types.ts';

/** Pod-level files live in `<pod-dir>/.pod/` (a dot cannot start a container name). */
export const POD_FILES = '.pod';

export interface Sandbox {
  podDir: string;
  /** undefined for hostNetwork pods. */
  netns?: string;
  ips: string[];
  /** [source, path inside the container root] binds for /etc files. */
  binds: [string, string][];
  hostname?: string;
  isAdopted: boolean;
}

export function podDirOf(ctx: Pick<AgentContext, 'podsDir'>, pod: NodePod): string {
  return join(ctx.podsDir, podDirName(pod));
}

export async function setUpSandbox(ctx: AgentContext, pod: NodePod): Promise<Sandbox> {
  const podDir = podDirOf(ctx, pod);
  const files = join(podDir, POD_FILES);
  mkdirSync(files, { recursive: true });
  const hadSandbox = existsSync(join(files, 'pod.json'));
  // Written before the netns exists, so a crash in between still leaves a trace of what is ours.
  writeAtomic(join(files, 'pod.json'), JSON.stringify({ uid: pod.metadata.uid, namespace: pod.metadata.namespace, name: pod.metadata.name }));
  let netns: string | undefined;
  let ips: string[];
  let isAdopted = false;
  if (pod.spec.hostNetwork) {
    ips = [ctx.nodeIp];
    isAdopted = hadSandbox; // the node's netns is always there: what a previous agent ran can be taken over
  } else {
    const a = await ctx.network.setUp(pod, ctx.conflist());
    netns = a.netns;
    ips = a.ips;
    isAdopted = a.isAdopted;
  }
  const domain = ctx.dns.clusterDomain;
  writeAtomic(join(files, 'resolv.conf'), renderResolvConf(pod, ctx.dns));
  const hosts = pod.spec.hostNetwork ? renderHostNetworkHosts(pod, readOr('/etc/hosts', '127.0.0.1\tlocalhost\n')) : renderHosts(pod, { podIPs: ips, clusterDomain: domain });
  writeAtomic(join(files, 'hosts'), hosts);
  const binds: [string, string][] = [[join(files, 'resolv.conf'), 'etc/resolv.conf'], [join(files, 'hosts'), 'etc/hosts']];
  let hostname: string | undefined;
  if (!pod.spec.hostNetwork) {
    writeAtomic(join(files, 'hostname'), renderHostname(pod, domain));
    binds.push([join(files, 'hostname'), 'etc/hostname']);
    hostname = renderHostname(pod, domain).trim() || podHostname(pod);
  }
  return { podDir, netns, ips, binds, hostname, isAdopted };
}

/** Removes the network attachment and netns; keeps the pod directory (logs) unless `isRemovingFiles`. */
export async function tearDownSandbox(ctx: AgentContext, options: { uid: string; podDir: string; isRemovingFiles: boolean }): Promise<void> {
  await ctx.network.tearDown(options.uid, safeConflist(ctx));
  await ctx.cgroups.remove(options.uid);
  if (options.isRemovingFiles) rmSync(options.podDir, { recursive: true, force: true });
}

function safeConflist(ctx: AgentContext) {
  try {
    return ctx.conflist();
  } catch {
    return undefined;
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

function writeAtomic(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}
