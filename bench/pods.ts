// Pod start benchmark on a real one-node cluster (`skiff up --nodes 1`, own address plan): up wall time, idle RSS
// of the stack, create → Running / Ready for N pause pods created in one burst, the network's share (from the
// agent's log), the agent's RSS per pod; and the peer in the same run: the same N network namespaces + CNI ADD
// (loopback, bridge + host-local, portmap) done by a bare loop in the node's netns, at the agent's concurrency (4).
// Traffic: none (pods are pause containers). Usage: node bench/pods.ts [--pods 100]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findResource } from '../src/api/resources.ts';
import type { Pod } from '../src/api/types.ts';
import { KubeClient } from '../src/client/client.ts';
import { Informer } from '../src/client/informer.ts';
import { intFlag, parseArgs } from '../src/lib/args.ts';
import { readKubeconfig } from '../src/lib/kubeconfig.ts';
import { waitFor } from '../src/lib/wait.ts';
import { Cni } from '../src/platform/linux/cni.ts';
import type { CniConflist } from '../src/platform/linux/cni.ts';
import { defaultRunner } from '../src/platform/linux/command.ts';
import type { CommandRunner } from '../src/platform/linux/command.ts';
import { Ip } from '../src/platform/linux/ip.ts';
import { LOOPBACK_CONFLIST, renderConflist } from '../src/node/conflist.ts';

const SKIFF = fileURLToPath(new URL('../skiff', import.meta.url));
const PLAN = ['--cluster-name', 'bpod', '--bridge', 'skbpod', '--underlay-cidr', '198.18.88.0/24', '--cluster-cidr', '198.18.128.0/20', '--service-cidr', '198.19.112.0/20', '--lb-pool', '198.18.89.0/24', '--dns-upstream', 'none'];
const NODE_NETNS = 'skiff-bpod-node-1';
/** The peer's own subnet: inside the plan's cluster CIDR, never handed to a node of this one-node cluster. */
const PEER_SUBNET = '198.18.143.0/24';
const PODS = findResource('', 'v1', 'pods')!;
const args = parseArgs(process.argv.slice(2), new Set());
const N = intFlag(args, 'pods', 100);

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const ms = (x: number) => `${x.toFixed(0)} ms`;
const mib = (kb: number) => `${(kb / 1024).toFixed(1)} MiB`;

function rssKb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : 0;
}

function skiff(dataDir: string, ...argv: string[]): void {
  const r = spawnSync(SKIFF, [...argv, '--data-dir', dataDir], { encoding: 'utf8', env: { ...process.env, SKIFF_DATA_DIR: dataDir } });
  if (r.status !== 0) throw new Error(`skiff ${argv.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
}

async function pool<T>(items: T[], width: number, each: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(Array.from({ length: width }, async () => {
    for (let item = queue.shift(); item !== undefined; item = queue.shift()) await each(item);
  }));
}

/** N pause pods created in one burst; per pod: create → Running, create → Ready, and the agent's network time. */
async function skiffPods(client: KubeClient, agentLog: string): Promise<{ running: number[]; ready: number[]; network: number[]; wallMs: number }> {
  const created = new Map<string, number>();
  const running = new Map<string, number>();
  const ready = new Map<string, number>();
  const informer = new Informer<Pod>(client, PODS, { namespace: 'default', labelSelector: 'bench=pods' });
  const see = (p: Pod) => {
    const name = p.metadata.name!;
    const now = performance.now();
    if (p.status?.phase === 'Running' && !running.has(name)) running.set(name, now);
    if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !ready.has(name)) ready.set(name, now);
  };
  informer.addHandlers({ onAdd: see, onUpdate: see });
  informer.start();
  await informer.synced;
  const names = Array.from({ length: N }, (_, i) => `bench-${i}`);
  const t0 = performance.now();
  await pool(names, 16, async (name) => {
    created.set(name, performance.now());
    await client.create(PODS, { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: { bench: 'pods' } }, spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10' }] } });
  });
  await waitFor(`${N} pods Ready`, () => ready.size >= N, { timeoutMs: 600_000, intervalMs: 100 });
  const wallMs = Math.max(...ready.values()) - t0;
  informer.stop();
  const network: number[] = [];
  for (const m of readFileSync(agentLog, 'utf8').matchAll(/pod default\/bench-\d+: network ready in ([\d.]+) ms/g)) network.push(Number(m[1]));
  return {
    running: names.map((n) => running.get(n)! - created.get(n)!),
    ready: names.map((n) => ready.get(n)! - created.get(n)!),
    network,
    wallMs,
  };
}

/** The peer: netns + loopback ADD + bridge/host-local/portmap ADD per pod, 4 at a time, in the node's netns. */
async function bareCni(workDir: string): Promise<{ perPod: number[]; wallMs: number }> {
  const inNode: CommandRunner = { run: (cmd, argv, options = {}) => defaultRunner.run(cmd, argv, { ...options, netns: NODE_NETNS }) };
  const cni = new Cni(inNode);
  const ip = new Ip();
  const conflist: CniConflist = { ...renderConflist({ podCidr: PEER_SUBNET, networkName: 'skiff-bpod-peer', routes: ['198.18.0.0/15'], ipamDataDir: join(workDir, 'ipam') }) };
  (conflist.plugins[0] as { bridge?: string }).bridge = 'cni1';
  const ids = Array.from({ length: N }, (_, i) => `peer-${i}`);
  const perPod: number[] = [];
  const t0 = performance.now();
  await pool(ids, 4, async (id) => {
    const t = performance.now();
    const netns = `skiff-bpod-${id}`;
    await ip.addNetns(netns);
    await cni.add(LOOPBACK_CONFLIST, { containerId: id, netns, ifName: 'lo' });
    await cni.add(conflist, { containerId: id, netns, ifName: 'eth0', capabilityArgs: { portMappings: [] } });
    perPod.push(performance.now() - t);
  });
  const wallMs = performance.now() - t0;
  await pool(ids, 4, async (id) => {
    const netns = `skiff-bpod-${id}`;
    await cni.del(conflist, { containerId: id, netns, ifName: 'eth0' }).catch(() => {});
    await ip.deleteNetns(netns);
  });
  await ip.deleteLink('cni1', { netns: NODE_NETNS });
  return { perPod, wallMs };
}

async function main(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'skiff-bench-pods-'));
  try {
    const t0 = performance.now();
    skiff(dataDir, 'up', '--port', '0', '--nodes', '1', ...PLAN);
    const upMs = performance.now() - t0;
    const serverPid = Number(readFileSync(join(dataDir, 'server.pid'), 'utf8'));
    const agentPid = Number(readFileSync(join(dataDir, 'nodes', 'node-1', 'agent.pid'), 'utf8'));
    const idle = { server: rssKb(serverPid), agent: rssKb(agentPid) };
    const client = new KubeClient(readKubeconfig(join(dataDir, 'kubeconfig')));
    const s = await skiffPods(client, join(dataDir, 'nodes', 'node-1', 'agent.log'));
    const agentAfter = rssKb(agentPid);
    client.close();
    const peer = await bareCni(dataDir);

    const share = pct(s.network, 50) / pct(s.running, 50);
    console.log(`\n${N} pause pods on 1 node, created in one burst (16 concurrent creates)\n`);
    console.log('| measure | value |');
    console.log('|---|---|');
    console.log(`| \`skiff up --nodes 1\` wall time | ${ms(upMs)} |`);
    console.log(`| idle RSS: server + agent | ${mib(idle.server + idle.agent)} (server ${mib(idle.server)}, agent ${mib(idle.agent)}) |`);
    console.log(`| create → Running p50 / p99 | ${ms(pct(s.running, 50))} / ${ms(pct(s.running, 99))} |`);
    console.log(`| create → Ready p50 / p99 | ${ms(pct(s.ready, 50))} / ${ms(pct(s.ready, 99))} |`);
    console.log(`| all ${N} Ready (wall) | ${ms(s.wallMs)} |`);
    console.log(`| agent network setup p50 / p99 (netns + CNI ADD + slot wait; ${s.network.length} pods) | ${ms(pct(s.network, 50))} / ${ms(pct(s.network, 99))} |`);
    console.log(`| network share of create → Running (p50 / p50) | ${(share * 100).toFixed(0)} % |`);
    console.log(`| agent RSS before → after ${N} pods | ${mib(idle.agent)} → ${mib(agentAfter)} (${((agentAfter - idle.agent) / N).toFixed(0)} KiB per pod) |`);
    console.log(`| peer: bare netns + CNI ADD per pod p50 / p99 (4 at a time) | ${ms(pct(peer.perPod, 50))} / ${ms(pct(peer.perPod, 99))} |`);
    console.log(`| peer: all ${N} (wall) | ${ms(peer.wallMs)} |`);
    console.log(`| ratio: Skiff all Ready / peer all attached | ${(s.wallMs / peer.wallMs).toFixed(2)}× |`);
  } finally {
    skiff(dataDir, 'down', '--purge');
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
