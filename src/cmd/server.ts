// `skiff server`: wires the store, the API server and (later) controllers, DNS and ingress into one process.
import { mkdirSync, writeFileSync, rmSync, renameSync } from 'node:fs';
import { ensurePki } from '../lib/pki.ts';
import { renderKubeconfig } from '../lib/kubeconfig.ts';
import { ApiServer } from '../apiserver/server.ts';
import { ensureKubernetesService, ensureSystemNamespaces } from '../apiserver/bootstrap.ts';
import { ServiceAllocator } from '../apiserver/allocators/service-allocator.ts';
import { findResource } from '../api/resources.ts';
import type { Store } from '../storage/store.ts';
import { SqliteStore } from '../storage/sqlite-store.ts';
import { EtcdStore } from '../storage/etcd-store.ts';
import { dataPaths } from './data-dir.ts';
import { KubeClient } from '../client/client.ts';
import { startControllerManager } from './controller-manager.ts';
import type { ControllerManager } from './controller-manager.ts';
import type { NetworkPlan } from '../sandbox/network-plan.ts';
import { startHostRouteSync } from './host-routes.ts';
import { createAgentPodConnector } from '../apiserver/pod-proxy/agent-pod-connector.ts';
import { ensureKubeDnsService } from '../apiserver/bootstrap.ts';
import { startClusterDns } from '../dns/cluster-dns.ts';
import type { ClusterDns } from '../dns/cluster-dns.ts';

export interface ServerConfig {
  dataDir: string;
  /** "sqlite" (default, in the data dir) or "etcd://host:port[,host:port]". */
  store: string;
  port: number;
  bindAddress: string;
  /** Extra names/IPs for the serving certificate. */
  advertiseAddresses: string[];
  serviceCidr?: string;
  nodePortRange?: { min: number; max: number };
  clusterCidr?: string;
  lbPool?: string;
  /** Run the controllers in this process (default true). */
  hasControllers?: boolean;
  /** The one-machine network plan; with `hasSandbox`, the server also keeps host routes to pod CIDRs. */
  plan?: NetworkPlan;
  hasSandbox?: boolean;
  /** Cluster DNS: where it answers (default: the control-plane address :53 with a sandbox, else nowhere). */
  dnsListen?: { address: string; port: number }[];
  /** `IP[:port]` upstreams for names outside the cluster; default the host's /etc/resolv.conf; [] forwards nothing. */
  dnsUpstreams?: string[];
}

/** Repair: the allocator learns every ClusterIP and NodePort the stored Services hold before any write is admitted. */
export async function repairAllocations(allocator: ServiceAllocator, server: ApiServer): Promise<void> {
  const services = await server.registry.list(findResource('', 'v1', 'services')!, undefined);
  for (const problem of allocator.rebuild(services.items)) console.warn(`allocation repair: ${problem}`);
}

export async function openStore(spec: string, database: string): Promise<Store> {
  if (spec === 'sqlite' || spec === '') return SqliteStore.open(database);
  if (spec.startsWith('etcd://')) {
    const endpoint = `http://${spec.slice('etcd://'.length).split(',')[0]}`;
    return EtcdStore.connect(endpoint);
  }
  throw new Error(`unknown --store ${JSON.stringify(spec)}: use "sqlite" or "etcd://host:port"`);
}

function writeAtomic(path: string, text: string, mode = 0o600): void {
  writeFileSync(`${path}.tmp`, text, { mode });
  renameSync(`${path}.tmp`, path);
}

export async function runServer(config: ServerConfig): Promise<{ server: ApiServer; stop: () => Promise<void> }> {
  const paths = dataPaths(config.dataDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  const ips = [config.bindAddress, ...config.advertiseAddresses].filter((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a) && a !== '0.0.0.0');
  const hosts = config.advertiseAddresses.filter((a) => !/^\d+\.\d+\.\d+\.\d+$/.test(a));
  const pki = await ensurePki(paths.pki, { serverHosts: hosts, serverIPs: ips });
  const store = await openStore(config.store, paths.database);
  let isReady = false;
  const allocator = new ServiceAllocator({ serviceCidr: config.serviceCidr ?? config.plan?.serviceCidr, nodePortRange: config.nodePortRange });
  const nodes = findResource('', 'v1', 'nodes')!;
  let registry: ApiServer['registry'] | undefined;
  const server = new ApiServer({
    store,
    credentials: { ca: pki.caCert, cert: pki.serverCert, key: pki.serverKey, tokens: new Map([[pki.adminToken, 'skiff-admin']]) },
    admission: [allocator],
    isReady: () => isReady,
    podConnector: createAgentPodConnector({
      lookupNode: (name) => registry!.get(nodes, undefined, name).catch(() => undefined),
      clientCert: pki.agentClientCert,
      clientKey: pki.agentClientKey,
      ca: pki.caCert,
    }),
  });
  registry = server.registry;
  await repairAllocations(allocator, server);
  await server.listen(config.port, config.bindAddress);
  const { port } = server.address();
  // the control-plane address on the underlay, where agents in node namespaces reach the server
  for (const a of config.advertiseAddresses) if (/^\d+\.\d+\.\d+\.\d+$/.test(a) && a !== config.bindAddress && config.bindAddress !== '0.0.0.0') await server.listen(port, a);
  await ensureSystemNamespaces(server.registry);
  await ensureKubernetesService(server.registry, { clusterIP: allocator.addressAt(1), address: config.advertiseAddresses.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a)) ?? config.bindAddress, port });
  const host = config.bindAddress === '0.0.0.0' ? '127.0.0.1' : config.bindAddress;
  const url = `https://${host}:${port}`;
  writeAtomic(paths.kubeconfig, renderKubeconfig({ server: url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey }));
  writeAtomic(paths.serverInfo, JSON.stringify({ pid: process.pid, url, port, store: config.store }) + '\n', 0o644);
  let controllers: ControllerManager | undefined;
  let client: KubeClient | undefined;
  if (config.hasControllers !== false) {
    client = new KubeClient({ server: url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
    client.userAgent = 'skiff-controller-manager';
    controllers = await startControllerManager(client, { clusterCidr: config.clusterCidr ?? config.plan?.clusterCidr, lbPool: config.lbPool ?? config.plan?.lbPool });
  }
  const hostRoutes = config.hasSandbox && config.plan && client ? startHostRouteSync(client, config.plan) : undefined;
  const controlPlaneAddress = config.advertiseAddresses.find((a) => /^\d+\.\d+\.\d+\.\d+$/.test(a));
  const dnsListen = config.dnsListen ?? (config.hasSandbox && controlPlaneAddress ? [{ address: controlPlaneAddress, port: 53 }] : []);
  let dns: ClusterDns | undefined;
  let dnsClient: KubeClient | undefined;
  if (dnsListen.length) {
    await ensureKubeDnsService(server.registry, { clusterIP: allocator.addressAt(10), address: dnsListen[0].address });
    dnsClient = new KubeClient({ server: url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey });
    dnsClient.userAgent = 'skiff-dns';
    dns = await startClusterDns({
      client: dnsClient,
      listen: dnsListen,
      upstreams: config.dnsUpstreams,
      configMap: { namespace: 'kube-system', name: 'coredns' },
      metricsListen: { address: dnsListen[0].address, port: 9153 },
    });
  }
  isReady = true;
  const stop = async () => {
    isReady = false;
    await dns?.stop();
    dnsClient?.close();
    hostRoutes?.stop();
    controllers?.stop();
    client?.close();
    await server.close();
    await store.close();
    rmSync(paths.serverInfo, { force: true });
  };
  return { server, stop };
}
