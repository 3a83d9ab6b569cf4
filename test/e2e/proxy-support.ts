// Hand-made "pods" for the proxy's end-to-end tests (the node agent is not needed): a network namespace
// per pod with a veth onto a bridge inside its node's netns, hostname servers, and clients run in a netns.
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import assert from 'node:assert/strict';
import { CommandError, defaultRunner } from '../../src/platform/linux/command.ts';
import { Ip } from '../../src/platform/linux/ip.ts';
import { spawnInNetns } from '../../src/platform/linux/process.ts';
import { defaultPlan, nodeAddress, nodeNetns, podNetnsPrefix } from '../../src/sandbox/network-plan.ts';
import type { NetworkPlan } from '../../src/sandbox/network-plan.ts';
import { addPodCidrRoute, buildSandbox, destroySandbox } from '../../src/sandbox/sandbox.ts';
import { waitFor } from '../../src/lib/wait.ts';

/** A plan of its own: other end-to-end files run at the same time. */
export const plan = defaultPlan({ clusterName: 'prx1', bridge: 'skprx1', underlayCidr: '198.18.60.0/24', clusterCidr: '198.18.240.0/20', serviceCidr: '198.19.208.0/20', lbPool: '198.18.61.0/24' });
export const ip = new Ip();
const AGNHOST = fileURLToPath(new URL('../../src/node/images/agnhost/main.ts', import.meta.url));
const children: ChildProcess[] = [];

/** Node i's pod range: the i-th /24 of the cluster CIDR, gateway .1 on `cni0` in the node netns. */
export function podCidr(i: number, p: NetworkPlan = plan): string {
  const [a, b, c] = p.clusterCidr.split('.').map(Number);
  return `${a}.${b}.${c + i - 1}.0/24`;
}
const gateway = (i: number, p: NetworkPlan) => podCidr(i, p).replace(/0\/24$/, '1');

/** The sandbox with two nodes, each with a pod bridge, routes between the pod ranges, and the host's. */
export async function buildNetwork(p: NetworkPlan = plan): Promise<void> {
  const plan = p;
  await destroySandbox(plan);
  await buildSandbox(plan, { nodeCount: 2 });
  for (const i of [1, 2]) {
    const at = { netns: nodeNetns(plan, i) };
    await ip.addBridge('cni0', at);
    await ip.addAddress('cni0', { ...at, cidr: `${gateway(i, plan)}/24` });
    await ip.setLinkUp('cni0', at);
    // What the node agent sets up: bridged pod traffic through netfilter (so same-node replies are
    // un-DNATed), a route to the other node's pods, and one for the service range so connections
    // the node itself opens reach the nat output hook (nodes have no default route).
    await ip.setSysctl(at.netns, { 'net.bridge.bridge-nf-call-iptables': '1' });
    const other = i === 1 ? 2 : 1;
    await ip.replaceRoute({ dst: podCidr(other, plan), via: nodeAddress(plan, other) }, at);
    await ip.replaceRoute({ dst: plan.serviceCidr, dev: 'cni0' }, at);
    await addPodCidrRoute(plan, { cidr: podCidr(i, plan), nodeIp: nodeAddress(plan, i) });
  }
}

export interface Pod {
  name: string;
  netns: string;
  ip: string;
  node: number;
  server?: ChildProcess;
}

/** A pod netns on node `node` with address `ip`, routes to the cluster's ranges only. */
export async function makePod(name: string, node: number, podIp: string, p: NetworkPlan = plan): Promise<Pod> {
  const plan = p;
  const netns = `${podNetnsPrefix(plan)}${name}`;
  const nodeNs = nodeNetns(plan, node);
  await ip.addNetns(netns);
  await ip.setLinkUp('lo', { netns });
  await ip.addVeth(`vp-${name}`, { netns: nodeNs, peer: 'eth0', peerNetns: netns });
  await ip.setMaster(`vp-${name}`, { netns: nodeNs, master: 'cni0' });
  await ip.setLinkUp(`vp-${name}`, { netns: nodeNs });
  // As the CNI bridge plugin's hairpinMode: a frame may leave by the port it came in (a pod reaching itself via its Service).
  await defaultRunner.run('ip', ['-n', nodeNs, 'link', 'set', 'dev', `vp-${name}`, 'type', 'bridge_slave', 'hairpin', 'on']);
  await ip.addAddress('eth0', { netns, cidr: `${podIp}/24` });
  await ip.setLinkUp('eth0', { netns });
  for (const dst of [plan.clusterCidr, plan.serviceCidr, plan.lbPool, plan.underlayCidr]) await ip.replaceRoute({ dst, via: gateway(node, plan) }, { netns });
  return { name, netns, ip: podIp, node };
}

/** `agnhost serve-hostname --tcp --udp` on 9376 in the pod, answering with the pod's name. */
export async function serveHostname(pod: Pod): Promise<void> {
  const child = spawnInNetns(pod.netns, [process.execPath, AGNHOST, 'serve-hostname', '--tcp', '--udp', '--http=false', '--port', '9376'], { env: { ...process.env, HOSTNAME: pod.name }, stdio: ['ignore', 'ignore', 'pipe'] });
  children.push(child);
  pod.server = child;
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  await waitFor(`serve-hostname in ${pod.name}`, () => /Serving on port/.test(err), { timeoutMs: 10_000 });
}

export function stopServer(pod: Pod): void {
  pod.server?.kill('SIGKILL');
}

const CLIENT = `
const [proto, host, port, count, sport] = process.argv.slice(1);
const once = () => new Promise((resolve) => {
  if (proto === 'udp') {
    const s = require('node:dgram').createSocket({ type: 'udp4', reuseAddr: true });
    const t = setTimeout(() => { s.close(); resolve('TIMEOUT'); }, 500);
    s.on('message', (m) => { clearTimeout(t); s.close(); resolve(String(m)); });
    s.bind(Number(sport) || 0, () => s.send('x', Number(port), host));
    return;
  }
  const c = require('node:net').connect({ host, port: Number(port), timeout: 3000 });
  let d = '';
  c.on('data', (x) => (d += x));
  c.on('end', () => resolve(d));
  c.on('timeout', () => { c.destroy(); resolve('TIMEOUT'); });
  c.on('error', (e) => resolve('ERR ' + e.code));
});
(async () => { const out = []; for (let i = 0; i < Number(count); i++) out.push(await once()); console.log(JSON.stringify(out)); })();`;

/** `count` connections (or UDP request/replies) in a row from inside `netns`; each reply or error. */
export function request(netns: string, options: { proto?: 'tcp' | 'udp'; host: string; port: number; count?: number; sport?: number }): Promise<string[]> {
  const args = [options.proto ?? 'tcp', options.host, String(options.port), String(options.count ?? 1), String(options.sport ?? 0)];
  const child = spawnInNetns(netns, [process.execPath, '-e', CLIENT, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => child.on('close', () => (out.trim() ? resolve(JSON.parse(out) as string[]) : reject(new Error(`client in ${netns} printed nothing`)))));
}

/**
 * Fails before any packet is sent unless the host keeps `address` on the sandbox bridge (or refuses it):
 * a connection to a sandbox address must never follow the host's default route.
 */
export async function assertStaysLocal(address: string, p: NetworkPlan = plan): Promise<void> {
  const plan = p;
  try {
    const [route] = JSON.parse((await defaultRunner.run('ip', ['-j', 'route', 'get', address])).stdout) as { dev?: string }[];
    assert.equal(route?.dev, plan.bridge, `the host would send ${address} out of ${route?.dev}`);
  } catch (e) {
    if (!(e instanceof CommandError) || !/No route to host|Network is unreachable/.test(e.stderr)) throw e;
  }
}

/** Counts replies: `{ 'web-a': 20, … }`. */
export function tally(replies: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const r of replies) out[r] = (out[r] ?? 0) + 1;
  return out;
}

export function killChildren(): void {
  for (const c of children) c.kill('SIGKILL');
}
