// Support for the pods-* end-to-end tests: a real in-process control plane reachable on a test sandbox's
// underlay, and real node agents running as processes inside the node network namespaces, as `skiff up` runs them.
// Run directly (`node pods-support.ts <config.json>`) it is such an agent process.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect as tlsConnect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Node } from '../../src/api/nodes.ts';
import { findResource } from '../../src/api/resources.ts';
import type { KubeObject } from '../../src/api/types.ts';
import type { KubeClient } from '../../src/client/client.ts';
import { runAgent } from '../../src/cmd/agent.ts';
import type { AgentConfig } from '../../src/cmd/agent.ts';
import { startControllerManager } from '../../src/cmd/controller-manager.ts';
import type { ControllerManager } from '../../src/cmd/controller-manager.ts';
import { renderKubeconfig } from '../../src/lib/kubeconfig.ts';
import { ensurePki, issueCert } from '../../src/lib/pki.ts';
import { waitFor } from '../../src/lib/wait.ts';
import type { NodePod } from '../../src/node/pod-types.ts';
import { addPodCidrRoute, buildSandbox, destroySandbox } from '../../src/sandbox/sandbox.ts';
import type { Sandbox } from '../../src/sandbox/sandbox.ts';
import { hostAddress, podNetnsPrefix } from '../../src/sandbox/network-plan.ts';
import type { NetworkPlan } from '../../src/sandbox/network-plan.ts';
import { startTestCluster } from '../support/in-process.ts';
import { CHANNEL } from '../../src/node/streaming/channel-protocol.ts';
import { WebSocketTestClient } from '../../src/node/streaming/testing.ts';
import { OPCODE } from '../../src/node/streaming/websocket-frame.ts';
import type { TestCluster } from '../support/in-process.ts';

export const PODS = findResource('', 'v1', 'pods')!;
export const NODES = findResource('', 'v1', 'nodes')!;
export const AGNHOST = 'registry.k8s.io/e2e-test-images/agnhost:2.53';
const SELF = fileURLToPath(import.meta.url);

export interface PodTestCluster {
  plan: NetworkPlan;
  dir: string;
  api: TestCluster;
  client: KubeClient;
  sandbox: Sandbox;
  agents: Map<string, AgentProcess>;
  tls: { ca: string; cert: string; key: string };
  startAgent(nodeName: string): Promise<AgentProcess>;
  stop(): Promise<void>;
}

export interface AgentProcess {
  nodeName: string;
  child: ChildProcess;
  /** SIGTERM: a plain stop (pods keep running). SIGUSR2: teardown (skiff down). */
  stop(options?: { isTeardown?: boolean }): Promise<void>;
}

/** The tenth address of the service CIDR, as upstream's cluster DNS convention. */
export function clusterDnsOf(plan: NetworkPlan): string {
  const [a, b, c3, d] = plan.serviceCidr.split('/')[0].split('.').map(Number);
  return [a, b, c3, d + 10].join('.');
}

/** Sandbox + API server (also on the plan's host address) + controllers + one agent per node. */
export async function startPodCluster(plan: NetworkPlan, options: { nodeCount: number; backoffBaseMs?: number }): Promise<PodTestCluster> {
  await destroySandbox(plan); // a crashed earlier run's leftovers
  const dir = mkdtempSync(join(tmpdir(), `skiff-e2e-${plan.clusterName}-`));
  const host = hostAddress(plan);
  const pki = await ensurePki(join(dir, 'pki'), { serverHosts: [], serverIPs: ['127.0.0.1', host] });
  const sandbox = await buildSandbox(plan, { nodeCount: options.nodeCount });
  const api = await startTestCluster({ dir, allocator: { serviceCidr: plan.serviceCidr } });
  const port = api.server.address().port;
  // The agents reach the API server over the underlay, as separate machines would.
  const underlay: Server = createServer((socket) => api.server.server.emit('connection', socket));
  await new Promise<void>((r) => underlay.listen(port, host, r));
  const controllers: ControllerManager = await startControllerManager(api.client, { clusterCidr: plan.clusterCidr, lbPool: plan.lbPool });
  const kubeconfig = join(dir, 'agent.kubeconfig');
  writeFileSync(kubeconfig, renderKubeconfig({ server: `https://${host}:${port}`, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey }));
  const ca = { cert: pki.caCert, key: pki.caKey };
  const agents = new Map<string, AgentProcess>();

  const startAgent = async (nodeName: string): Promise<AgentProcess> => {
    const node = sandbox.nodes.find((n) => n.name === nodeName)!;
    const serving = issueCert(ca, { subject: `/CN=${nodeName}`, usage: 'server', ips: [node.address] });
    const config: AgentConfig = {
      kubeconfig, nodeName, nodeIp: node.address, dataDir: join(dir, 'nodes', nodeName), clusterName: plan.clusterName,
      podNetnsPrefix: podNetnsPrefix(plan), podRoutes: ['198.18.0.0/15'], clusterDns: clusterDnsOf(plan),
      tls: { ...serving, ca: pki.caCert }, backoff: { baseMs: options.backoffBaseMs ?? 400, maxMs: 5_000 }, errorRetryMs: 2_000,
      leaseIntervalMs: 2_000,
    };
    const configPath = join(dir, `${nodeName}.json`);
    writeFileSync(configPath, JSON.stringify(config));
    const child = spawn('nsenter', [`--net=/run/netns/${node.netns}`, '--', process.execPath, SELF, configPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    const prefix = (d: Buffer) => d.toString().split('\n').filter(Boolean).map((l) => `[${nodeName}] ${l}\n`).join('');
    let isStarted = false;
    child.stdout!.on('data', (d: Buffer) => process.stderr.write(prefix(d)));
    child.stderr!.on('data', (d: Buffer) => {
      if (/^started; /m.test(d.toString())) isStarted = true;
      process.stderr.write(prefix(d));
    });
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    const agent: AgentProcess = {
      nodeName,
      child,
      async stop(stopOptions = {}) {
        if (child.exitCode === null && child.signalCode === null) child.kill(stopOptions.isTeardown ? 'SIGUSR2' : 'SIGTERM');
        await exited;
      },
    };
    agents.set(nodeName, agent);
    await waitFor(`${nodeName} to register, get a pod CIDR and be Ready`, async () => {
      if (child.exitCode !== null) throw new Error(`agent ${nodeName} exited with ${child.exitCode}`);
      if (!isStarted) return undefined;
      const n = await api.client.get<Node>(NODES, undefined, nodeName).catch(() => undefined);
      const isReady = n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
      return isReady && n?.spec?.podCIDR && existsSync(join(config.dataDir, 'cni', '10-skiff.conflist')) ? n : undefined;
    }, { timeoutMs: 30_000 });
    const n = await api.client.get<Node>(NODES, undefined, nodeName);
    await addPodCidrRoute(plan, { cidr: n.spec!.podCIDR!, nodeIp: node.address });
    return agent;
  };

  for (const n of sandbox.nodes) await startAgent(n.name);
  return {
    plan, dir, api, client: api.client, sandbox, agents, startAgent,
    tls: { ca: pki.caCert, cert: pki.adminCert, key: pki.adminKey },
    async stop() {
      for (const a of agents.values()) await a.stop({ isTeardown: true });
      controllers.stop();
      underlay.close();
      await api.stop();
      await destroySandbox(plan);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function podSpec(name: string, spec: Partial<NodePod['spec']> & { containers: NodePod['spec']['containers'] }, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels }, spec: { terminationGracePeriodSeconds: 5, ...spec } };
}

export function netexec(name = 'app', args: string[] = []): NodePod['spec']['containers'][number] {
  return { name, image: AGNHOST, args: ['netexec', '--http-port=8080', ...args], ports: [{ containerPort: 8080, protocol: 'TCP' }] };
}

export async function getPod(client: KubeClient, name: string): Promise<NodePod | undefined> {
  return client.get<NodePod>(PODS, 'default', name).catch(() => undefined);
}

export function isReady(pod: NodePod | undefined): boolean {
  return pod?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

export async function waitForPod(client: KubeClient, name: string, what: string, check: (p: NodePod) => boolean, timeoutMs = 30_000): Promise<NodePod> {
  return waitFor(`pod ${name} ${what}`, async () => {
    const p = await getPod(client, name);
    return p && check(p) ? p : undefined;
  }, { timeoutMs });
}

/** GET http://ip:port/path from the host (the host routes pod CIDRs into the sandbox). */
export function httpGet(ip: string, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: ip, port, path, timeout: 5_000, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${ip}:${port}${path} timed out`)));
    req.on('error', reject);
  });
}

/** Names in /run/netns, cgroups and processes that still carry the cluster's name. */
export function leftoversOf(plan: NetworkPlan): string[] {
  const out: string[] = [];
  const prefix = `skiff-${plan.clusterName}-`;
  for (const n of existsSync('/run/netns') ? readdirSync('/run/netns') : []) if (n.startsWith(prefix)) out.push(`netns ${n}`);
  for (const mount of ['/sys/fs/cgroup/unified', '/sys/fs/cgroup']) {
    if (existsSync(join(mount, 'skiff', plan.clusterName))) out.push(`cgroup ${join(mount, 'skiff', plan.clusterName)}`);
  }
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if ((cmd.includes(`skiff-e2e-${plan.clusterName}-`) || cmd.includes(prefix)) && Number(pid) !== process.pid) out.push(`process ${pid}: ${cmd.slice(0, 120)}`);
    } catch {
      // gone
    }
  }
  return out;
}

async function agentMain(configPath: string): Promise<void> {
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as AgentConfig;
  let requested: boolean | undefined;
  let stop = (isTeardown: boolean) => {
    requested ??= isTeardown;
  };
  // Installed first: a stop asked for while the agent still starts waits for the start, never kills it midway.
  process.on('SIGTERM', () => stop(false));
  process.on('SIGUSR2', () => stop(true));
  const agent = await runAgent(config);
  console.error(`started; pod CIDR ${agent.podCidr}, streaming port ${agent.streamingPort}`);
  let isStopping = false;
  stop = (isTeardown: boolean) => {
    if (isStopping) return;
    isStopping = true;
    agent.stop({ isTeardown }).then(() => process.exit(0), (e) => {
      console.error(`stop failed: ${(e as Error).stack}`);
      process.exit(1);
    });
  };
  if (requested !== undefined) stop(requested);
}

if (process.argv[1] === SELF && process.argv[2]) {
  agentMain(process.argv[2]).catch((e) => {
    console.error(`agent failed: ${(e as Error).stack}`);
    process.exit(1);
  });
}

/** GET on a node agent's streaming server (as the API server would, with a client certificate from the cluster CA). */
export function agentGet(c: PodTestCluster, nodeIp: string, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: nodeIp, port: 10250, path, ca: c.tls.ca, cert: c.tls.cert, key: c.tls.key, servername: undefined, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** `kubectl exec` against the agent: a v5.channel.k8s.io WebSocket; resolves with stdout, stderr and the exit code. */
export async function agentExec(c: PodTestCluster, nodeIp: string, target: { pod: string; container: string; command: string[] }): Promise<{ stdout: string; stderr: string; exitCode: number }> {
  const query = new URLSearchParams([...target.command.map((x): [string, string] => ['command', x]), ['stdout', 'true'], ['stderr', 'true']]);
  const socket = await new Promise<TLSSocket>((resolve, reject) => {
    const s = tlsConnect({ host: nodeIp, port: 10250, ca: c.tls.ca, cert: c.tls.cert, key: c.tls.key }, () => {
      s.write(`GET /exec/default/${target.pod}/${target.container}?${query} HTTP/1.1\r\nHost: ${nodeIp}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n` +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n');
      resolve(s);
    });
    s.on('error', reject);
  });
  const client = new WebSocketTestClient(socket);
  const head = await client.response;
  if (!/^HTTP\/1\.1 101/.test(head)) throw new Error(`exec refused: ${head.split('\r\n')[0]}`);
  let stdout = '';
  let stderr = '';
  while (true) {
    const m = await client.messages.next(() => true, 15_000);
    if (m.opcode !== OPCODE.binary) continue;
    const channel = m.payload[0];
    const data = m.payload.subarray(1).toString();
    if (channel === CHANNEL.stdout) stdout += data;
    else if (channel === CHANNEL.stderr) stderr += data;
    else if (channel === CHANNEL.error) {
      socket.destroy();
      const status = JSON.parse(data) as { status: string; details?: { causes?: { reason: string; message: string }[] } };
      const code = status.details?.causes?.find((x) => x.reason === 'ExitCode')?.message;
      return { stdout, stderr, exitCode: status.status === 'Success' ? 0 : Number(code ?? -1) };
    }
  }
}
