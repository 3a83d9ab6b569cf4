// Tears down everything named for one cluster, found by name so a crashed run's leftovers go too.
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError, defaultRunner } from '../platform/linux/command.ts';
import type { CommandRunner } from '../platform/linux/command.ts';
import { Ip } from '../platform/linux/ip.ts';
import { Nft } from '../platform/linux/nft.ts';
import { clusterPrefix, hostVethPrefix, validatePlan } from './network-plan.ts';
import type { NetworkPlan } from './network-plan.ts';
import { SandboxError } from './sandbox-error.ts';
import { unreachableRoutes } from './host-routes.ts';

export interface DestroyOptions {
  runner?: CommandRunner;
  /** host-local IPAM state; directories named `skiff-<cluster>-*` in it are removed. */
  cniDataDir?: string;
  /** How long processes inside a namespace get to die after SIGKILL (default 5 s). */
  killTimeoutMs?: number;
  onProgress?: (message: string) => void;
}

export interface DestroyReport {
  netns: string[];
  killedPids: number[];
  links: string[];
  routes: string[];
  nftTables: string[];
  cniDirs: string[];
}

export const DEFAULT_CNI_DATA_DIR = '/var/lib/cni/networks';

/**
 * Removes every netns named `skiff-<cluster>-*` (killing what still runs inside), the host veths
 * `sk-<cluster>-*`, the bridge and every route through it, the cluster's unreachable routes, host
 * nftables tables named `skiff-<cluster>-*` and host-local state dirs of the same name. Nothing else.
 */
export async function destroySandbox(plan: NetworkPlan, options: DestroyOptions = {}): Promise<DestroyReport> {
  validatePlan(plan);
  const runner = options.runner ?? defaultRunner;
  const ip = new Ip(runner);
  const progress = options.onProgress ?? (() => {});
  const prefix = clusterPrefix(plan);
  const report: DestroyReport = { netns: [], killedPids: [], links: [], routes: [], nftTables: [], cniDirs: [] };

  const namespaces = (await ip.listNetns()).filter((n) => n.startsWith(prefix));
  const stubborn: string[] = [];
  for (const ns of namespaces) {
    progress(`netns ${ns}`);
    const pids = await killAllIn(ip, runner, ns, options.killTimeoutMs ?? 5_000);
    report.killedPids.push(...pids.killed);
    if (pids.remaining.length) stubborn.push(`${ns}: ${pids.remaining.join(' ')}`);
    if (await ip.deleteNetns(ns)) report.netns.push(ns);
  }

  for (const link of await ip.listLinks({ prefix: hostVethPrefix(plan) })) {
    if (await ip.deleteLink(link.name)) report.links.push(link.name);
  }

  const routes = await ip.listRoutes();
  for (const r of routes.filter((x) => x.dev === plan.bridge && x.dst !== 'default')) {
    if (await ip.deleteRoute({ dst: r.dst, dev: plan.bridge, ...(r.metric === undefined ? {} : { metric: r.metric }) })) report.routes.push(`${r.dst} dev ${plan.bridge}`);
  }
  for (const r of unreachableRoutes(plan)) {
    const exists = routes.some((x) => x.type === 'unreachable' && x.dst === r.dst && x.metric === r.metric);
    if (exists && (await ip.deleteRoute(r))) report.routes.push(`unreachable ${r.dst}`);
  }

  const bridge = await ip.getLink(plan.bridge);
  if (bridge && bridge.kind !== 'bridge') throw new SandboxError('NameInUse', `${plan.bridge} is not a bridge (${bridge.kind ?? 'device'}); left alone`);
  if (bridge && (await ip.deleteLink(plan.bridge))) report.links.push(plan.bridge);

  const nft = new Nft(runner);
  for (const t of await nft.listTables()) {
    if (t.name.startsWith(prefix) && (await nft.deleteTable(t))) report.nftTables.push(`${t.family} ${t.name}`);
  }

  report.cniDirs = removeCniState(options.cniDataDir ?? DEFAULT_CNI_DATA_DIR, prefix);
  if (stubborn.length) throw new SandboxError('ProcessesRemain', `processes survived SIGKILL, their namespaces linger: ${stubborn.join('; ')}`);
  return report;
}

/** SIGKILLs every process in `ns` and waits until the namespace has none left. */
async function killAllIn(ip: Ip, runner: CommandRunner, ns: string, timeoutMs: number): Promise<{ killed: number[]; remaining: number[] }> {
  const killed: number[] = [];
  const deadline = Date.now() + timeoutMs;
  let pids = await ip.netnsPids(ns);
  while (pids.length) {
    try {
      await runner.run('kill', ['-KILL', ...pids.map(String)]);
    } catch (e) {
      if (!(e instanceof CommandError)) throw e; // some had already exited: fine, the next look tells
    }
    for (const p of pids) if (!killed.includes(p)) killed.push(p);
    if (Date.now() > deadline) return { killed, remaining: pids };
    await new Promise((r) => setTimeout(r, 20));
    pids = await ip.netnsPids(ns);
  }
  return { killed, remaining: [] };
}

function removeCniState(dir: string, prefix: string): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  const removed: string[] = [];
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    rmSync(join(dir, name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}
