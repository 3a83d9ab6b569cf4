// `skiff up | down | status | kubeconfig`: the lifecycle of a cluster kept in one data dir.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync, closeSync } from 'node:fs';
import https from 'node:https';
import { fileURLToPath } from 'node:url';
import { dataPaths } from '../cmd/data-dir.ts';
import type { DataPaths } from '../cmd/data-dir.ts';
import { waitFor } from '../lib/wait.ts';
import { readKubeconfig } from '../lib/kubeconfig.ts';
import { KubeClient } from '../client/client.ts';
import { findResource } from '../api/resources.ts';
import type { Node } from '../api/nodes.ts';
import { agentPid, buildNodes, destroyNodes, nodeFiles, startAgents } from '../cmd/nodes.ts';
import { defaultPlan, hostAddress, validatePlan } from '../cmd/network.ts';
import type { NetworkPlan } from '../cmd/network.ts';
import type { Overlay } from '../cmd/network.ts';

export interface ClusterConfig {
  store: string;
  port: number;
  bindAddress: string;
  /** Nodes of the one-machine sandbox; 0 runs the control plane alone (no root, no network changes). */
  nodes: number;
  plan: NetworkPlan;
  /** Cluster DNS upstreams (`none` forwards nothing); unset: the host's /etc/resolv.conf. */
  dnsUpstream?: string;
  /** Cross-node pod traffic: `host-gw` routes (default) or a VXLAN overlay; given to every agent. */
  overlay?: Overlay;
}

const DEFAULTS: ClusterConfig = { store: 'sqlite', port: 6443, bindAddress: '127.0.0.1', nodes: 1, plan: defaultPlan() };
const MAIN = fileURLToPath(new URL('./main.ts', import.meta.url));

export function readConfig(paths: DataPaths): ClusterConfig | undefined {
  if (!existsSync(paths.config)) return undefined;
  return { ...DEFAULTS, ...JSON.parse(readFileSync(paths.config, 'utf8')) };
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function runningServer(paths: DataPaths): { pid: number; url: string } | undefined {
  if (!existsSync(paths.serverPid)) return undefined;
  const pid = Number(readFileSync(paths.serverPid, 'utf8').trim());
  if (!Number.isInteger(pid) || pid <= 0 || !isAlive(pid)) return undefined;
  let url = '';
  try {
    url = JSON.parse(readFileSync(paths.serverInfo, 'utf8')).url;
  } catch {
    // still starting
  }
  return { pid, url };
}

function probeReady(url: string, ca: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = https.get(`${url}/readyz`, { ca, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

type Say = (line: string) => void;

export async function up(dataDir: string, overrides: Partial<Omit<ClusterConfig, 'plan'>> & { plan?: Partial<NetworkPlan> }, say: Say): Promise<void> {
  const paths = dataPaths(dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const previous = readConfig(paths);
  const given = Object.fromEntries(Object.entries(overrides).filter(([k, v]) => v !== undefined && k !== 'plan'));
  const config: ClusterConfig = { ...DEFAULTS, ...previous, ...given, plan: validatePlan({ ...DEFAULTS.plan, ...previous?.plan, ...overrides.plan }) };
  const started = Date.now();
  if (config.nodes > 0) {
    if (process.getuid?.() !== 0) throw new Error(`building ${config.nodes} node(s) needs root (network namespaces, links, routes); run as root or use --nodes 0`);
    say(`• network: bridge ${config.plan.bridge} ${hostAddress(config.plan)}, ${config.nodes} node namespace(s), pods ${config.plan.clusterCidr}, services ${config.plan.serviceCidr}, overlay ${config.overlay ?? 'host-gw'}`);
    await buildNodes(config.plan, config.nodes, say);
  }
  const running = runningServer(paths);
  if (running) {
    if (previous && (previous.store !== config.store || previous.port !== config.port)) {
      say(`! the running server uses --store ${previous.store} --port ${previous.port}; run 'skiff down' first to change them`);
    }
    say(`✓ skiff server already running (pid ${running.pid}) at ${running.url}`);
    await startNodes(paths, config, say);
    printNext(paths, say);
    return;
  }
  writeFileSync(paths.config, JSON.stringify(config, null, 2) + '\n');
  rmSync(paths.serverInfo, { force: true });
  say(`• data dir ${paths.dir} (store: ${config.store})`);
  say('• starting the API server');
  const log = openSync(paths.serverLog, 'a');
  const serverArgs = [MAIN, 'server', '--data-dir', paths.dir, '--store', config.store, '--port', String(config.port), '--bind-address', config.bindAddress, '--network-plan', JSON.stringify(config.plan)];
  if (config.nodes > 0) serverArgs.push('--advertise-address', hostAddress(config.plan), '--sandbox');
  if (config.dnsUpstream) serverArgs.push('--dns-upstream', config.dnsUpstream);
  const child = spawn(process.execPath, serverArgs, {
    detached: true,
    stdio: ['ignore', log, log],
  });
  closeSync(log);
  writeFileSync(paths.serverPid, `${child.pid}\n`);
  let exited: number | null = null;
  child.on('exit', (code) => (exited = code ?? 1));
  child.unref();
  const info = await waitFor('the API server to write its address', () => {
    if (exited !== null) throw new Error(`the server exited with code ${exited}; see ${paths.serverLog}`);
    if (!existsSync(paths.serverInfo)) return undefined;
    return JSON.parse(readFileSync(paths.serverInfo, 'utf8')) as { url: string; pid: number };
  }, { timeoutMs: 30_000 }).catch((e) => {
    throw new Error(`${e.message}\n${tail(paths.serverLog)}`);
  });
  const ca = readFileSync(`${paths.pki}/ca.crt`, 'utf8');
  await waitFor('the API server to answer /readyz', async () => {
    if (exited !== null) throw new Error(`the server exited with code ${exited}`);
    return probeReady(info.url, ca);
  }, { timeoutMs: 30_000 });
  say(`✓ API server ready at ${info.url} (pid ${info.pid})`);
  await startNodes(paths, config, say);
  say(`✓ up in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  printNext(paths, say);
}

async function startNodes(paths: DataPaths, config: ClusterConfig, say: Say): Promise<void> {
  if (config.nodes <= 0) return;
  const info = JSON.parse(readFileSync(paths.serverInfo, 'utf8')) as { port: number };
  const pki = { caCert: readFileSync(`${paths.pki}/ca.crt`, 'utf8'), caKey: readFileSync(`${paths.pki}/ca.key`, 'utf8') };
  startAgents({ dataDir: paths.dir, plan: config.plan, nodeCount: config.nodes, serverPort: info.port, pki, overlay: config.overlay, say });
  const client = new KubeClient(readKubeconfig(paths.kubeconfig));
  const nodes = findResource('', 'v1', 'nodes')!;
  try {
    let last = '';
    await waitFor(`${config.nodes} node(s) to be Ready`, async () => {
      const list = await client.list<Node>(nodes);
      const ready = list.items.filter((n) => n.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True')).map((n) => n.metadata.name);
      const line = `  nodes Ready: ${ready.length}/${config.nodes}${ready.length ? ` (${ready.join(', ')})` : ''}`;
      if (line !== last) say((last = line));
      return ready.length >= config.nodes;
    }, { timeoutMs: 60_000, intervalMs: 100 });
  } finally {
    client.close();
  }
}

function printNext(paths: DataPaths, say: Say): void {
  say('');
  say('Next:');
  say(`  export KUBECONFIG=${paths.kubeconfig}`);
  say('  kubectl get namespaces');
}

function tail(path: string): string {
  try {
    return readFileSync(path, 'utf8').split('\n').slice(-20).join('\n');
  } catch {
    return '';
  }
}

export async function down(dataDir: string, options: { isPurge: boolean }, say: Say): Promise<void> {
  const paths = dataPaths(dataDir);
  const config = readConfig(paths);
  if (config && config.nodes > 0) await destroyNodes({ dataDir: paths.dir, plan: config.plan, say });
  const running = runningServer(paths);
  if (running) {
    say(`• stopping the API server (pid ${running.pid})`);
    process.kill(running.pid, 'SIGTERM');
    try {
      await waitFor('the API server to stop', () => !isAlive(running.pid), { timeoutMs: 10_000 });
    } catch {
      say('! it did not stop in 10s; killing it');
      process.kill(running.pid, 'SIGKILL');
      await waitFor('the API server to die', () => !isAlive(running.pid), { timeoutMs: 5_000 });
    }
  }
  rmSync(paths.serverPid, { force: true });
  rmSync(paths.serverInfo, { force: true });
  if (options.isPurge) {
    rmSync(paths.dir, { recursive: true, force: true });
    say(`✓ removed ${paths.dir}`);
  }
  say('✓ skiff is down');
}

export function status(dataDir: string, say: Say): boolean {
  const paths = dataPaths(dataDir);
  const running = runningServer(paths);
  const config = readConfig(paths);
  if (!running) {
    say(`skiff server: stopped (data dir ${paths.dir}${config ? '' : ', never started'})`);
    return false;
  }
  say(`skiff server: running (pid ${running.pid}) at ${running.url}`);
  if (config) say(`store: ${config.store}`);
  say(`kubeconfig: ${paths.kubeconfig}`);
  if (config && config.nodes > 0) {
    say(`network: bridge ${config.plan.bridge} ${hostAddress(config.plan)}, pods ${config.plan.clusterCidr}, services ${config.plan.serviceCidr}, LB pool ${config.plan.lbPool}`);
    for (let i = 1; i <= config.nodes; i++) {
      const pid = agentPid(nodeFiles(paths.dir, i));
      say(`  node-${i}: agent ${pid ? `running (pid ${pid})` : 'stopped'}, log ${nodeFiles(paths.dir, i).log}`);
    }
  }
  return true;
}
