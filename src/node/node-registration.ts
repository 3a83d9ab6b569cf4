// Registers the Node, keeps its status fresh and renews its Lease in kube-node-lease (the heartbeat the node
// lifecycle controller watches).
import { existsSync, readFileSync, statfsSync } from 'node:fs';
import { arch, cpus, release, totalmem } from 'node:os';
import type { Lease, Node } from '../api/nodes.ts';
import { findResource } from '../api/resources.ts';
import { isStatusError } from '../api/status.ts';
import type { KubeClient } from '../client/client.ts';
import { LEASE_NAMESPACE, nodeLabels, renderLease, renderNode, renderNodeStatus } from './node-object.ts';
import type { MachineInfo, NodeIdentity } from './node-object.ts';

export const NODES = findResource('', 'v1', 'nodes')!;
export const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

export function readMachineInfo(dataDir: string): MachineInfo {
  const read = (p: string) => (existsSync(p) ? readFileSync(p, 'utf8').trim() : '');
  const osRelease = read('/etc/os-release');
  const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(osRelease)?.[1] ?? 'Linux';
  let ephemeralStorageBytes: number | undefined;
  try {
    const s = statfsSync(dataDir);
    ephemeralStorageBytes = s.blocks * s.bsize;
  } catch {
    // no data dir yet
  }
  return {
    cpus: cpus().length,
    memoryBytes: totalmem(),
    ephemeralStorageBytes,
    kernelVersion: release(),
    osImage: pretty,
    architecture: ({ x64: 'amd64', arm64: 'arm64', arm: 'arm', ia32: '386' } as Record<string, string>)[arch()] ?? arch(),
    machineID: read('/etc/machine-id') || read('/sys/class/dmi/id/product_uuid') || 'unknown',
    bootID: read('/proc/sys/kernel/random/boot_id'),
  };
}

export class NodeRegistration {
  #client: KubeClient;
  #identity: NodeIdentity;
  #machine: MachineInfo;
  #timers: NodeJS.Timeout[] = [];
  #nodeUid?: string;
  #log: (message: string) => void;

  constructor(client: KubeClient, options: { identity: NodeIdentity; machine: MachineInfo; log: (message: string) => void }) {
    this.#client = client;
    this.#identity = options.identity;
    this.#machine = options.machine;
    this.#log = options.log;
  }

  /** Creates the Node, or updates its labels and status when it exists (a restart). */
  async register(): Promise<Node> {
    const now = new Date();
    let node: Node;
    try {
      node = await this.#client.create<Node>(NODES, renderNode(this.#identity, { machine: this.#machine, now }));
    } catch (e) {
      if (!isStatusError(e) || e.code !== 409) throw e;
      node = await this.#client.patch<Node>(NODES, undefined, this.#identity.name, { metadata: { labels: nodeLabels(this.#identity, this.#machine) } });
    }
    this.#nodeUid = node.metadata.uid;
    return this.updateStatus(node);
  }

  async updateStatus(current?: Node): Promise<Node> {
    const node = current ?? (await this.#client.get<Node>(NODES, undefined, this.#identity.name));
    const status = renderNodeStatus(this.#identity, { machine: this.#machine, now: new Date(), old: node.status?.conditions });
    return this.#client.patch<Node>(NODES, undefined, this.#identity.name, { status }, { subresource: 'status' });
  }

  async renewLease(): Promise<void> {
    const name = this.#identity.name;
    const wanted = renderLease({ name, uid: this.#nodeUid }, new Date());
    try {
      const lease = await this.#client.get<Lease>(LEASES, LEASE_NAMESPACE, name);
      await this.#client.update(LEASES, { ...lease, spec: { ...lease.spec, ...wanted.spec } });
    } catch (e) {
      if (!isStatusError(e) || e.code !== 404) throw e;
      await this.#client.create(LEASES, wanted);
    }
  }

  /** Renews the lease every `leaseMs` and re-posts the node status every `statusMs`. */
  start(options: { leaseMs: number; statusMs: number }): void {
    const guard = (what: string, f: () => Promise<unknown>) => () => void f().catch((e) => this.#log(`${what}: ${(e as Error).message}`));
    void guard('lease', () => this.renewLease())();
    this.#timers.push(setInterval(guard('lease', () => this.renewLease()), options.leaseMs));
    this.#timers.push(setInterval(guard('node status', () => this.updateStatus()), options.statusMs));
  }

  stop(): void {
    for (const t of this.#timers) clearInterval(t);
    this.#timers = [];
  }
}
