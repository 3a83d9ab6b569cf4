// The one-machine nodes of `skiff up --nodes N`: the sandbox (bridge, node namespaces, host routes) and one
// `skiff agent` per node, started inside its node's netns and reaching the API server over the underlay.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildSandbox, destroySandbox } from '../sandbox/sandbox.ts';
import type { NetworkPlan } from '../sandbox/network-plan.ts';
import { hostAddress, nodeAddress, nodeName, nodeNetns } from '../sandbox/network-plan.ts';
import { issueCert } from '../lib/pki.ts';
import { formatIpv4, parseIpv4Cidr } from '../lib/ipv4.ts';
import { removeClusterCgroups } from '../node/cleanup.ts';
import { renderKubeconfig } from '../lib/kubeconfig.ts';
import { waitFor } from '../lib/wait.ts';

const MAIN = fileURLToPath(new URL('../cli/main.ts', import.meta.url));

export interface NodeFiles {
  dir: string;
  kubeconfig: string;
  pid: string;
  log: string;
}

/** The n-th address of the service CIDR (10 → the cluster DNS Service, as upstream's convention). */
export function serviceAddress(plan: NetworkPlan, n: number): string {
  return formatIpv4(parseIpv4Cidr(plan.serviceCidr)!.base + n);
}

export function nodeFiles(dataDir: string, i: number): NodeFiles {
  const dir = join(dataDir, 'nodes', nodeName(i));
  return { dir, kubeconfig: join(dir, 'kubeconfig'), pid: join(dir, 'agent.pid'), log: join(dir, 'agent.log') };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function agentPid(files: NodeFiles): number | undefined {
  if (!existsSync(files.pid)) return undefined;
  const pid = Number(readFileSync(files.pid, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

export async function buildNodes(plan: NetworkPlan, nodeCount: number, say: (line: string) => void): Promise<void> {
  await buildSandbox(plan, { nodeCount, onProgress: (m) => say(`  ${m}`) });
}

/** Writes each node's credentials (its own client certificate and serving certificate) and starts its agent if not running. */
export function startAgents(options: { dataDir: string; plan: NetworkPlan; nodeCount: number; serverPort: number; pki: { caCert: string; caKey: string }; overlay?: string; say: (line: string) => void }): void {
  const { dataDir, plan, pki } = options;
  const server = `https://${hostAddress(plan)}:${options.serverPort}`;
  for (let i = 1; i <= options.nodeCount; i++) {
    const files = nodeFiles(dataDir, i);
    mkdirSync(files.dir, { recursive: true, mode: 0o700 });
    const name = nodeName(i);
    const ip = nodeAddress(plan, i);
    const client = issueCert({ cert: pki.caCert, key: pki.caKey }, { subject: `/O=system:nodes/CN=system:node:${name}`, usage: 'client' });
    writeFileSync(files.kubeconfig, renderKubeconfig({ server, caPem: pki.caCert, certPem: client.cert, keyPem: client.key }, { name: `skiff-${name}` }), { mode: 0o600 });
    const serving = issueCert({ cert: pki.caCert, key: pki.caKey }, { subject: `/CN=${name}`, usage: 'server', hosts: [name], ips: [ip] });
    writeFileSync(join(files.dir, 'kubelet.crt'), serving.cert);
    writeFileSync(join(files.dir, 'kubelet.key'), serving.key, { mode: 0o600 });
    writeFileSync(join(files.dir, 'ca.crt'), pki.caCert);
    rmSync(join(files.dir, 'teardown'), { force: true });
    if (agentPid(files)) continue;
    const log = openSync(files.log, 'a');
    const args = ['--net=' + `/run/netns/${nodeNetns(plan, i)}`, '--', process.execPath, MAIN, 'agent', '--kubeconfig', files.kubeconfig, '--node-name', name, '--node-ip', ip, '--data-dir', files.dir,
      '--cluster-name', plan.clusterName, '--cluster-cidr', plan.clusterCidr, '--service-cidr', plan.serviceCidr, '--underlay-cidr', plan.underlayCidr,
      '--cluster-dns', serviceAddress(plan, 10),
      '--tls-cert', join(files.dir, 'kubelet.crt'), '--tls-key', join(files.dir, 'kubelet.key'), '--client-ca', join(files.dir, 'ca.crt')];
    if (options.overlay && options.overlay !== 'host-gw') args.push('--overlay', options.overlay);
    const child = spawn('nsenter', args, { detached: true, stdio: ['ignore', log, log] });
    closeSync(log);
    writeFileSync(files.pid, `${child.pid}\n`);
    child.unref();
    options.say(`  agent for ${name} started (pid ${child.pid}, netns ${nodeNetns(plan, i)}, ${ip})`);
  }
}

/** Stops every agent (SIGTERM, then SIGKILL), then removes the sandbox and everything named for the cluster. */
export async function destroyNodes(options: { dataDir: string; plan: NetworkPlan; say: (line: string) => void }): Promise<void> {
  const { dataDir, plan, say } = options;
  const nodesDir = join(dataDir, 'nodes');
  const pids: number[] = [];
  for (let i = 1; existsSync(join(nodesDir, nodeName(i))); i++) {
    const files = nodeFiles(dataDir, i);
    const pid = agentPid(files);
    writeFileSync(join(files.dir, 'teardown'), 'skiff down\n');
    if (pid) {
      process.kill(pid, 'SIGTERM');
      pids.push(pid);
    }
    rmSync(files.pid, { force: true });
  }
  if (pids.length) {
    say(`• stopping ${pids.length} agent(s)`);
    await waitFor('the agents to stop', () => pids.every((p) => !isAlive(p)), { timeoutMs: 20_000 }).catch(() => {
      for (const p of pids) if (isAlive(p)) process.kill(p, 'SIGKILL');
    });
  }
  const report = await destroySandbox(plan, { onProgress: (m) => say(`  ${m}`) });
  await removeClusterCgroups(plan.clusterName);
  say(`✓ removed ${report.netns.length} namespace(s), ${report.links.length} link(s), ${report.routes.length} route(s), ${report.nftTables.length} nftables table(s)`);
}
