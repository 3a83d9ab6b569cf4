// The node side of LoadBalancer IPs, MetalLB layer-2 style: for each LB IP exactly one node (the holder)
// owns the address on its underlay interface, so it answers ARP for it on the LAN; every node's proxy
// DNATs the IP like a ClusterIP. The election is pure and the same on every node.
import { createHash } from 'node:crypto';
import type { Node } from '../api/nodes.ts';
import type { CommandRunner } from '../platform/linux/command.ts';
import type { ProxyState } from './render-ruleset.ts';

export const EXCLUDE_LB_LABEL = 'node.kubernetes.io/exclude-from-external-load-balancers';

const isReady = (n: Node) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** The candidate whose sha256(`node#ip`) sorts first: deterministic, and it spreads IPs over nodes. */
export function electHolder(ip: string, candidates: readonly string[]): string | undefined {
  const score = (node: string) => createHash('sha256').update(`${node}#${ip}`).digest('hex');
  return [...candidates].sort((a, b) => score(a).localeCompare(score(b)) || a.localeCompare(b))[0];
}

/**
 * LB IP → holder. Candidates are Ready nodes without the exclude-from-external-load-balancers label;
 * with `externalTrafficPolicy: Local` only those among them that have a ready endpoint of the Service
 * (the others would drop the traffic); no candidate, no holder.
 */
export function lbHolders(state: ProxyState, nodes: readonly Node[]): Map<string, string> {
  const eligible = nodes.filter((n) => isReady(n) && !(EXCLUDE_LB_LABEL in (n.metadata.labels ?? {}))).map((n) => n.metadata.name!);
  const out = new Map<string, string>();
  for (const [key, ports] of [...state.services].sort(([a], [b]) => a.localeCompare(b))) {
    const ips = [...new Set(ports.flatMap((p) => p.loadBalancerIPs))];
    if (!ips.length) continue;
    let candidates = eligible;
    if (ports.some((p) => p.isExternalPolicyLocal)) {
      const withEndpoints = new Set([...(state.endpoints.get(key)?.values() ?? [])].flat().filter((e) => e.isReady && e.nodeName).map((e) => e.nodeName!));
      candidates = eligible.filter((n) => withEndpoints.has(n));
    }
    for (const ip of ips) {
      if (out.has(ip)) continue;
      const holder = electHolder(ip, candidates);
      if (holder) out.set(ip, holder);
    }
  }
  return out;
}

/** The LB IPs `nodeName` must own. */
export function announcedBy(state: ProxyState, nodes: readonly Node[], nodeName: string): string[] {
  return [...lbHolders(state, nodes)].filter(([, n]) => n === nodeName).map(([ip]) => ip).sort();
}

/**
 * Keeps `<ip>/32` addresses labelled `<dev>:lb` on the underlay interface equal to the wanted set.
 * The label marks them as the proxy's: other addresses on the interface are never touched.
 */
export class LbAnnouncer {
  readonly device: string;
  readonly label: string;
  #runner: CommandRunner;
  #netns?: string;

  constructor(options: { runner: CommandRunner; device: string; netns?: string }) {
    this.#runner = options.runner;
    this.device = options.device;
    this.label = `${options.device}:lb`.slice(0, 15);
    this.#netns = options.netns;
  }

  async current(): Promise<string[]> {
    const { stdout } = await this.#ip(['-j', '-4', 'addr', 'show', 'dev', this.device]);
    const links = JSON.parse(stdout || '[]') as { addr_info?: { local?: string; prefixlen?: number; label?: string }[] }[];
    return links.flatMap((l) => l.addr_info ?? []).filter((a) => a.label === this.label && a.prefixlen === 32 && a.local).map((a) => a.local!).sort();
  }

  /** Adds and removes addresses; returns what changed. */
  async reconcile(wanted: readonly string[]): Promise<{ added: string[]; removed: string[] }> {
    const have = await this.current();
    const added = wanted.filter((ip) => !have.includes(ip));
    const removed = have.filter((ip) => !wanted.includes(ip));
    for (const ip of added) await this.#ip(['addr', 'replace', `${ip}/32`, 'dev', this.device, 'label', this.label]);
    for (const ip of removed) await this.#ip(['addr', 'del', `${ip}/32`, 'dev', this.device]);
    return { added, removed };
  }

  #ip(args: string[]) {
    return this.#runner.run('ip', args, this.#netns === undefined ? {} : { netns: this.#netns });
  }
}
