// A pod's network namespace and its CNI attachment: netns `<prefix><pod-uid>`, the loopback network, then the
// conflist (bridge + host-local + portmap) with CNI_CONTAINERID = pod uid and ifname eth0. The ADD result and
// the conflist used are cached per pod, so DEL gets exactly what the plugins need, even after an agent crash.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cni, CniConflist, CniResult, CniRuntime } from '../platform/linux/cni.ts';
import type { Ip } from '../platform/linux/ip.ts';
import { LOOPBACK_CONFLIST } from './conflist.ts';
import type { NodePod } from './pod-types.ts';

export const POD_IFNAME = 'eth0';
const MAX_CONCURRENT_ADDS = 4;

export interface PortMapping {
  hostPort: number;
  containerPort: number;
  protocol: 'tcp' | 'udp' | 'sctp';
  hostIP?: string;
}

interface CacheEntry {
  conflist: CniConflist;
  runtime: CniRuntime;
  result: CniResult;
}

export interface PodAttachment {
  netns: string;
  ips: string[];
  /** True when an existing attachment (from a previous agent) was kept. */
  isAdopted: boolean;
}

/** The hostPort mappings portmap gets as runtimeConfig (kubelet's format). */
export function portMappings(pod: NodePod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of [...(pod.spec.initContainers ?? []), ...pod.spec.containers]) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      const m: PortMapping = { hostPort: p.hostPort, containerPort: p.containerPort, protocol: (p.protocol ?? 'TCP').toLowerCase() as PortMapping['protocol'] };
      if ((p as { hostIP?: string }).hostIP) m.hostIP = (p as { hostIP?: string }).hostIP;
      out.push(m);
    }
  }
  return out;
}

export function resultIps(result: CniResult): string[] {
  return (result.ips ?? []).map((ip) => ip.address.split('/')[0]);
}

export class PodNetwork {
  readonly prefix: string;
  #ip: Ip;
  #cni: Cni;
  #cacheDir: string;

  constructor(options: { ip: Ip; cni: Cni; netnsPrefix: string; cacheDir: string }) {
    this.#ip = options.ip;
    this.#cni = options.cni;
    this.prefix = options.netnsPrefix;
    this.#cacheDir = options.cacheDir;
  }

  netnsName(uid: string): string {
    return this.prefix + uid;
  }

  /** Creates (or keeps) the pod's netns and attaches it; returns its addresses. */
  async setUp(pod: NodePod, conflist: CniConflist): Promise<PodAttachment> {
    // A few ADDs at a time: the plugins serialize on host-local's and iptables' locks anyway, and a burst of
    // pods otherwise spends its time contending for them.
    while (this.#inFlight >= MAX_CONCURRENT_ADDS) await new Promise<void>((r) => this.#waiting.push(r));
    this.#inFlight++;
    try {
      return await this.#setUp(pod, conflist);
    } finally {
      this.#inFlight--;
      this.#waiting.shift()?.();
    }
  }

  /** Told when CNI CHECK finds an adopted attachment broken (the pod is then attached anew). */
  onCheckFailed: (pod: NodePod, error: unknown) => void = () => {};

  #inFlight = 0;
  #waiting: (() => void)[] = [];

  async #setUp(pod: NodePod, conflist: CniConflist): Promise<PodAttachment> {
    const uid = pod.metadata.uid!;
    const netns = this.netnsName(uid);
    const isNew = await this.#ip.addNetns(netns);
    const cached = this.#readCache(uid);
    if (!isNew && cached) {
      // an attachment made before (e.g. by an agent that was restarted): CNI CHECK says whether it still holds
      try {
        await this.#cni.check(cached.conflist, cached.runtime, { prevResult: cached.result });
        return { netns, ips: resultIps(cached.result), isAdopted: true };
      } catch (e) {
        this.onCheckFailed(pod, e);
      }
    }
    if (!isNew) await this.#detach(uid, conflist); // no cached result, or CHECK failed: start its attachment over
    const runtime: CniRuntime = {
      containerId: uid,
      netns,
      ifName: POD_IFNAME,
      args: { IgnoreUnknown: '1', K8S_POD_NAMESPACE: pod.metadata.namespace!, K8S_POD_NAME: pod.metadata.name!, K8S_POD_INFRA_CONTAINER_ID: uid, K8S_POD_UID: uid },
      capabilityArgs: { portMappings: portMappings(pod) },
    };
    await this.#cni.add(LOOPBACK_CONFLIST, { ...runtime, ifName: 'lo' });
    const result = await this.#cni.add(conflist, runtime);
    this.#writeCache(uid, { conflist, runtime, result });
    return { netns, ips: resultIps(result), isAdopted: false };
  }

  /** CNI DEL (with the cached result when there is one), then the netns goes. Safe to repeat. */
  async tearDown(uid: string, fallback: CniConflist | undefined): Promise<void> {
    const netns = this.netnsName(uid);
    const hasNetns = await this.#ip.hasNetns(netns);
    if (hasNetns || this.#readCache(uid)) await this.#detach(uid, fallback);
    if (hasNetns) await this.#ip.deleteNetns(netns);
    rmSync(this.#cachePath(uid), { force: true });
  }

  /** Pod uids whose netns (with this agent's prefix) exists on the machine. */
  async listNetnsUids(): Promise<string[]> {
    return (await this.#ip.listNetns()).filter((n) => n.startsWith(this.prefix)).map((n) => n.slice(this.prefix.length));
  }

  async #detach(uid: string, fallback: CniConflist | undefined): Promise<void> {
    const cached = this.#readCache(uid);
    const conflist = cached?.conflist ?? fallback;
    if (!conflist) return;
    const runtime = cached?.runtime ?? { containerId: uid, netns: this.netnsName(uid), ifName: POD_IFNAME, args: { IgnoreUnknown: '1' } };
    // The netns may be gone already (a crash after deleting it): the plugins then still release the address.
    await this.#cni.del(conflist, runtime, cached ? { prevResult: cached.result } : {});
  }

  #cachePath(uid: string): string {
    return join(this.#cacheDir, `${uid}.json`);
  }

  #readCache(uid: string): CacheEntry | undefined {
    const path = this.#cachePath(uid);
    if (!existsSync(path)) return undefined;
    try {
      return JSON.parse(readFileSync(path, 'utf8')) as CacheEntry;
    } catch {
      return undefined;
    }
  }

  #writeCache(uid: string, entry: CacheEntry): void {
    mkdirSync(this.#cacheDir, { recursive: true });
    const path = this.#cachePath(uid);
    writeFileSync(`${path}.tmp`, JSON.stringify(entry));
    renameSync(`${path}.tmp`, path);
  }
}
