// The node agent (the kubelet role): registers its Node and heartbeats, runs the pods bound to it in their own
// network namespaces through the CNI plugins, keeps host-gw routes to the other nodes, and serves logs, exec,
// attach and port-forward. Runs inside its node's network namespace.
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import type { Node } from '../api/nodes.ts';
import { findResource } from '../api/resources.ts';
import { isStatusError } from '../api/status.ts';
import type { Service } from '../api/types.ts';
import type { KubeClient } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { Cni } from '../platform/linux/cni.ts';
import { defaultRunner } from '../platform/linux/command.ts';
import type { CommandRunner } from '../platform/linux/command.ts';
import { Ip } from '../platform/linux/ip.ts';
import { BridgeFdb } from '../platform/linux/bridge-fdb.ts';
import type { AgentContext } from './agent-context.ts';
import { AgentStreamingRuntime } from './agent-streaming-runtime.ts';
import { assertNotHostNetns, cleanUpNodeNetwork, prepareRootTemplate } from './agent-setup.ts';
import { Cgroups, detectCgroup2Mount } from './cgroups.ts';
import { CONFLIST_NAME, ensureConflist, parseConflist } from './conflist.ts';
import type { ImageResolver } from './container-launch.ts';
import { ContainerLogs } from './container-logs.ts';
import { ContainerRuntime } from './container-runtime.ts';
import { CrashBackoff, DEFAULT_BACKOFF } from './crash-backoff.ts';
import type { BackoffOptions } from './crash-backoff.ts';
import { desiredHostGwRoutes, syncHostGwRoutes } from './host-gw.ts';
import { resolveImage as catalogResolveImage } from './images/image-catalog.ts';
import { NODES, NodeRegistration, readMachineInfo } from './node-registration.ts';
import { PODS, PodManager } from './pod-manager.ts';
import { PodNetwork } from './pod-network.ts';
import { runProbe } from './prober.ts';
import { createStreamingServer } from './streaming/streaming-server.ts';
import { VTEP_MAC_ANNOTATION, desiredVxlan } from './vxlan.ts';
import type { Overlay } from './vxlan.ts';
import { ensureVxlanDevice, syncVxlan } from './vxlan-overlay.ts';

const SERVICES = findResource('', 'v1', 'services')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const SECRETS = findResource('', 'v1', 'secrets')!;

export interface AgentOptions {
  client: KubeClient;
  /** `node-<i>`: the Node object's name. */
  nodeName: string;
  /** The node's InternalIP (its underlay address); the streaming server listens here. */
  nodeIp: string;
  /** This node's own directory (several agents share a machine: one each). */
  dataDir: string;
  /** Names the cgroups (`skiff/<cluster>/…`) and, by default, the pod netns prefix. */
  clusterName: string;
  /** Default `skiff-<cluster>-pod-`. */
  podNetnsPrefix?: string;
  /** Ranges pods route via their gateway; default the whole RFC 2544 range 198.18.0.0/15. Never a default route. */
  podRoutes?: string[];
  clusterDns?: string;
  clusterDomain?: string;
  /** The streaming server's serving pair and the CA its clients (the API server) present certificates from. */
  tls?: { cert: string; key: string; ca: string };
  /** 10250 by default; 0 picks a free port. */
  streamingPort?: number;
  backoff?: BackoffOptions;
  /** Retry delay for containers that cannot start (unsupported image, missing ConfigMap); 10 s. */
  errorRetryMs?: number;
  leaseIntervalMs?: number;
  nodeStatusIntervalMs?: number;
  runner?: CommandRunner;
  cniPaths?: string[];
  /** Keep routes to other nodes' pod CIDRs (host-gw); default true. */
  hasHostGw?: boolean;
  /** How pods reach other nodes' pods: routes via their InternalIPs (`host-gw`, default) or a VXLAN overlay. */
  overlay?: Overlay;
  /** Allow running in the machine's own netns (a real separate node): off, so a mistake cannot touch the host. */
  isHostNetnsAllowed?: boolean;
  resolveImage?: ImageResolver;
  log?: (message: string) => void;
}

export interface Agent {
  readonly nodeName: string;
  readonly pods: PodManager;
  /** The streaming server's port, if it runs. */
  readonly streamingPort?: number;
  readonly podCidr: string;
  /** A plain stop leaves the pods running for the next agent; `isTeardown` removes them (skiff down). */
  stop(options?: { isTeardown?: boolean }): Promise<void>;
}

export async function startAgent(options: AgentOptions): Promise<Agent> {
  const log = options.log ?? ((m: string) => console.error(`agent ${options.nodeName}: ${m}`));
  if (!options.isHostNetnsAllowed) assertNotHostNetns();
  const runner = options.runner ?? defaultRunner;
  const ip = new Ip(runner);
  const dirs = { cni: join(options.dataDir, 'cni'), pods: join(options.dataDir, 'pods'), rootfs: join(options.dataDir, 'rootfs') };
  for (const d of Object.values(dirs)) mkdirSync(d, { recursive: true });
  const conflistPath = join(dirs.cni, CONFLIST_NAME);
  const cgroups = new Cgroups({ mount: detectCgroup2Mount(), clusterName: options.clusterName });
  const logs = new ContainerLogs();
  const runtime = new ContainerRuntime({ cgroups, logs });
  const network = new PodNetwork({ ip, cni: new Cni(runner, options.cniPaths ? { paths: options.cniPaths } : {}), netnsPrefix: options.podNetnsPrefix ?? `skiff-${options.clusterName}-pod-`, cacheDir: join(dirs.cni, 'results') });
  // One cheap line per new sandbox, so the network's share of pod start can be read from the log (bench/pods.ts).
  const setUpNetwork = network.setUp.bind(network);
  network.setUp = async (pod, conflist) => {
    const started = performance.now();
    const attachment = await setUpNetwork(pod, conflist);
    if (!attachment.isAdopted) log(`pod ${pod.metadata.namespace}/${pod.metadata.name}: network ready in ${(performance.now() - started).toFixed(1)} ms (netns + CNI ADD, with any wait for an ADD slot)`);
    return attachment;
  };
  network.onCheckFailed = (pod, e) => log(`pod ${pod.metadata.namespace}/${pod.metadata.name}: CNI CHECK failed (${(e as Error).message}); attaching it anew`);
  const root = prepareRootTemplate(dirs.rootfs);
  const machine = readMachineInfo(options.dataDir);

  const services = new Informer<Service>(options.client, SERVICES).start();
  const nodes = new Informer<Node>(options.client, NODES).start();
  const ctx: AgentContext = {
    nodeName: options.nodeName,
    nodeIp: options.nodeIp,
    podsDir: dirs.pods,
    runtime,
    network,
    cgroups,
    backoff: new CrashBackoff(options.backoff ?? DEFAULT_BACKOFF),
    dns: { clusterDns: options.clusterDns ?? '198.19.0.10', clusterDomain: options.clusterDomain ?? 'cluster.local', hostResolvConf: readOr('/etc/resolv.conf') },
    root,
    allocatable: { cpu: String(machine.cpus), memory: `${Math.floor(machine.memoryBytes / 1024)}Ki` },
    conflist: () => parseConflist(readFileSync(conflistPath, 'utf8')),
    services: () => services.list(),
    readConfig: (kind, ref) => readConfig(options.client, { kind, ...ref }),
    resolveImage: options.resolveImage ?? catalogResolveImage,
    runProbe,
    writeStatus: async (pod, status) => {
      await options.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, { status }, { subresource: 'status' });
    },
    deletePod: async (pod) => {
      try {
        await options.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
      } catch (e) {
        if (!isStatusError(e) || (e.code !== 404 && e.code !== 409)) throw e;
      }
    },
    errorRetryMs: options.errorRetryMs ?? 10_000,
    log,
  };
  const pods = new PodManager(options.client, ctx);

  let streaming: ReturnType<typeof createStreamingServer> | undefined;
  let streamingPort: number | undefined;
  let registration: NodeRegistration | undefined;
  const closeStreaming = async () => {
    if (!streaming?.listening) return;
    streaming.closeAllConnections();
    await new Promise<void>((r) => streaming!.close(() => r()));
  };
  let podCidr: string;
  let routeSync = Promise.resolve();
  try {
    if (options.tls) {
      streaming = createStreamingServer({ runtime: new AgentStreamingRuntime({ pods, runtime }), tls: options.tls });
      await new Promise<void>((resolve, reject) => {
        streaming!.once('error', reject);
        streaming!.listen(options.streamingPort ?? 10250, options.nodeIp, () => resolve());
      });
      streamingPort = (streaming.address() as AddressInfo).port;
    }

    registration = new NodeRegistration(options.client, { identity: { name: options.nodeName, ip: options.nodeIp, streamingPort: streamingPort ?? 0 }, machine, log });
    await registration.register();
    registration.start({ leaseMs: options.leaseIntervalMs ?? 10_000, statusMs: options.nodeStatusIntervalMs ?? 60_000 });

    await nodes.synced;
    podCidr = await waitForPodCidr(nodes, options.nodeName);
    const { isWritten } = ensureConflist(conflistPath, { podCidr, networkName: `skiff-${options.clusterName}-pods`, routes: options.podRoutes ?? ['198.18.0.0/15'], ipamDataDir: join(dirs.cni, 'ipam') });
    log(`pod CIDR ${podCidr}; CNI config ${conflistPath}${isWritten ? ' written' : ' kept'}`);

    const isVxlan = options.overlay === 'vxlan';
    if (isVxlan) {
      const mac = await ensureVxlanDevice({ ip, fdb: new BridgeFdb(runner) }, { nodeIp: options.nodeIp, podCidr });
      await options.client.patch(NODES, undefined, options.nodeName, { metadata: { annotations: { [VTEP_MAC_ANNOTATION]: mac } } });
      log(`vxlan overlay: VTEP MAC ${mac}`);
    }
    const syncRoutes = () => {
      if (options.hasHostGw === false) return;
      const sync = isVxlan
        ? () => syncVxlan({ ip, fdb: new BridgeFdb(runner) }, desiredVxlan(nodes.list(), options.nodeName))
        : () => syncHostGwRoutes(ip, desiredHostGwRoutes(nodes.list(), options.nodeName));
      routeSync = routeSync.then(() => sync().then(() => undefined)).catch((e) => log(`${isVxlan ? 'vxlan' : 'host-gw'} routes: ${(e as Error).message}`));
    };
    nodes.addHandlers({ onAdd: syncRoutes, onUpdate: syncRoutes, onDelete: syncRoutes });
    await services.synced;
    await pods.start();
  } catch (e) {
    registration?.stop();
    nodes.stop();
    services.stop();
    pods.stop();
    await closeStreaming();
    throw e;
  }

  return {
    nodeName: options.nodeName,
    pods,
    streamingPort,
    podCidr,
    async stop(stopOptions = {}) {
      registration?.stop();
      nodes.stop();
      services.stop();
      await routeSync;
      if (stopOptions.isTeardown) {
        await pods.destroy();
        await cleanUpNodeNetwork(ip, { cniDir: dirs.cni });
        cgroups.removeBaseIfEmpty();
        rmSync(dirs.rootfs, { recursive: true, force: true });
      } else {
        pods.stop();
        runtime.release();
      }
      await closeStreaming();
    },
  };
}

function waitForPodCidr(nodes: Informer<Node>, name: string): Promise<string> {
  const current = nodes.get(name)?.spec?.podCIDR;
  if (current) return Promise.resolve(current);
  return new Promise((resolve) => {
    nodes.addHandlers({
      onUpdate: (n) => {
        if (n.metadata.name === name && n.spec?.podCIDR) resolve(n.spec.podCIDR);
      },
      onAdd: (n) => {
        if (n.metadata.name === name && n.spec?.podCIDR) resolve(n.spec.podCIDR);
      },
    });
  });
}

async function readConfig(client: KubeClient, ref: { kind: 'configmap' | 'secret'; namespace: string; name: string }): Promise<Record<string, string> | undefined> {
  const { kind, namespace, name } = ref;
  try {
      const obj = await client.get(kind === 'configmap' ? CONFIGMAPS : SECRETS, namespace, name);
      const data = (obj.data ?? {}) as Record<string, string>;
      if (kind === 'configmap') return data;
      return Object.fromEntries(Object.entries(data).map(([k, v]) => [k, Buffer.from(v, 'base64').toString('utf8')]));
  } catch (e) {
    if (isStatusError(e) && e.code === 404) return undefined;
    throw e;
  }
}

function readOr(path: string): string {
  try {
      return readFileSync(path, 'utf8');
    } catch {
      return '';
    }
  }
