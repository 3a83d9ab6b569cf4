// The proxy as a running component: informers feed the change trackers, a bounded-frequency runner
// syncs, and around it the metrics/healthz listeners, healthCheckNodePort servers and LB announcements.
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Node } from '../api/nodes.ts';
import { findByKind } from '../api/resources.ts';
import type { EndpointSlice, Service } from '../api/types.ts';
import type { KubeClient } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import { defaultRunner } from '../platform/linux/command.ts';
import type { CommandRunner } from '../platform/linux/command.ts';
import { Nft } from '../platform/linux/nft.ts';
import { categorizeEndpoints } from './endpoints.ts';
import { HealthCheckServers, closeServer, listen, proxyHealthAnswer, routesServer } from './health-server.ts';
import type { ServiceHealth } from './health-server.ts';
import { LbAnnouncer, announcedBy } from './lb-announcer.ts';
import { Proxier } from './proxier.ts';
import type { SyncResult } from './proxier.ts';
import { portKey } from './service-port.ts';
import { SyncRunner } from './sync-runner.ts';
import { NetlinkApplier } from '../netfilter/nl-apply.ts';

export interface Listen {
  address: string;
  port: number;
}

export interface ProxyOptions {
  client: KubeClient;
  nodeName: string;
  /** The node's addresses: NodePorts answer on these, healthCheckNodePorts listen on them. */
  nodeIPs: string[];
  clusterCidr: string;
  serviceCidr: string;
  /** `skiff-<cluster>-proxy`. */
  tableName: string;
  runner?: CommandRunner;
  /** Run nft/conntrack/ip inside this netns (when the proxy's process is not in the node's netns). */
  netns?: string;
  metricsListen?: Listen;
  healthzListen?: Listen;
  /** Where healthCheckNodePort servers listen; default `nodeIPs`. */
  healthCheckAddresses?: string[];
  /** Own LoadBalancer IPs this node holds as /32s on this interface (e.g. `eth0`); unset: no announcing. */
  underlayInterface?: string;
  minSyncIntervalMs?: number;
  maxSyncIntervalMs?: number;
  /** The proxy reports unhealthy when no sync succeeded for this long (default 2 × maxSyncInterval). */
  healthTimeoutMs?: number;
  log?: (message: string) => void;
  onSync?: (result: SyncResult) => void;
  /** Write transactions over netlink when the relay can be built (default true); nft -f otherwise. */
  useNetlink?: boolean;
}

export interface ProxyHandle {
  readonly proxier: Proxier;
  /** Resolves after the first sync that wrote the table. */
  readonly firstSync: Promise<void>;
  readonly metricsAddress?: AddressInfo;
  readonly healthzAddress?: AddressInfo;
  /** Stops watching and syncing. The rules stay (traffic keeps flowing) unless `isTeardown`. */
  stop(options?: { isTeardown?: boolean }): Promise<void>;
}

const TABLE_NAME = /^skiff-[a-z0-9]{1,8}-proxy$/;

export async function startProxy(options: ProxyOptions): Promise<ProxyHandle> {
  if (!TABLE_NAME.test(options.tableName)) throw new Error(`proxy table name ${JSON.stringify(options.tableName)} must be skiff-<cluster>-proxy`);
  const runner = options.runner ?? defaultRunner;
  const log = options.log ?? ((m: string) => console.error(m));
  const at = options.netns === undefined ? {} : { netns: options.netns };
  const netlink = options.useNetlink === false ? undefined : await openNetlink(options.netns, log);
  const proxier = new Proxier({ ...options, runner, log, ...(netlink ? { netlink } : {}) });
  const maxInterval = options.maxSyncIntervalMs ?? 30_000;
  const healthTimeout = options.healthTimeoutMs ?? 2 * maxInterval;
  const isHealthy = () => proxier.lastSuccessAt !== undefined && Date.now() - proxier.lastSuccessAt <= healthTimeout;
  const healthChecks = new HealthCheckServers({ addresses: options.healthCheckAddresses ?? options.nodeIPs, isProxyHealthy: isHealthy, log });
  const announcer = options.underlayInterface ? new LbAnnouncer({ runner, device: options.underlayInterface, ...at }) : undefined;

  // Listeners first: a port in use fails the start before anything watches or writes.
  const servers: Server[] = [];
  let metricsAddress: AddressInfo | undefined;
  let healthzAddress: AddressInfo | undefined;
  const text = (body: string) => ({ status: 200, headers: { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' }, body });
  const health = () => proxyHealthAnswer(proxier.lastSuccessAt, Date.now(), isHealthy());
  try {
    if (options.metricsListen) {
      const s = routesServer({ '/metrics': () => text(proxier.metrics.render()), '/healthz': health, '/livez': health });
      servers.push(s);
      metricsAddress = await listen(s, options.metricsListen.address, options.metricsListen.port);
    }
    if (options.healthzListen) {
      const s = routesServer({ '/healthz': health, '/livez': health });
      servers.push(s);
      healthzAddress = await listen(s, options.healthzListen.address, options.healthzListen.port);
    }
  } catch (e) {
    await Promise.all(servers.map((s) => (s.listening ? closeServer(s) : undefined)));
    throw e;
  }

  const services = new Informer<Service>(options.client, findByKind('v1', 'Service')!);
  const slices = new Informer<EndpointSlice>(options.client, findByKind('discovery.k8s.io/v1', 'EndpointSlice')!);
  const nodes = new Informer<Node>(options.client, findByKind('v1', 'Node')!);

  let resolveFirst!: () => void;
  const firstSync = new Promise<void>((r) => (resolveFirst = r));
  const syncRunner = new SyncRunner(
    async () => {
      const result = await proxier.sync();
      if (result.kind === 'skipped') return;
      resolveFirst();
      options.onSync?.(result);
      await afterSync().catch((e: unknown) => log(`proxy: ${e instanceof Error ? e.message : String(e)}`));
      const deleteAt = proxier.nextDeleteAt();
      if (deleteAt !== undefined) syncRunner.requestAt(deleteAt);
    },
    { minIntervalMs: options.minSyncIntervalMs ?? 50, maxIntervalMs: maxInterval, onError: (e, n) => log(`proxy: sync failed (${n} in a row): ${e instanceof Error ? e.message : String(e)}`) },
  );

  async function afterSync(): Promise<void> {
    await healthChecks.sync(healthCheckPorts(proxier, options.nodeName));
    if (announcer && nodes.hasSynced) await announcer.reconcile(announcedBy(proxier.state(), nodes.list(), options.nodeName));
  }

  services.addHandlers({
    onAdd: (s) => (proxier.services.update(undefined, s), syncRunner.request()),
    onUpdate: (s, old) => (proxier.services.update(old, s), syncRunner.request()),
    onDelete: (s) => (proxier.services.update(s, undefined), syncRunner.request()),
  });
  slices.addHandlers({
    onAdd: (s) => (proxier.endpointSlices.update(undefined, s), syncRunner.request()),
    onUpdate: (s, old) => (proxier.endpointSlices.update(old, s), syncRunner.request()),
    onDelete: (s) => (proxier.endpointSlices.update(s, undefined), syncRunner.request()),
  });
  const nodeSignature = (n: Node) => JSON.stringify([n.status?.conditions?.find((c) => c.type === 'Ready')?.status, n.metadata.labels]);
  nodes.addHandlers({ onAdd: () => syncRunner.request(), onUpdate: (n, old) => nodeSignature(n) !== nodeSignature(old) && syncRunner.request(), onDelete: () => syncRunner.request() });
  for (const inf of [services, slices, nodes]) inf.start();
  void services.synced.then(() => {
    proxier.isServicesSynced = true;
    syncRunner.request();
  });
  void slices.synced.then(() => {
    proxier.isEndpointSlicesSynced = true;
    syncRunner.request();
  });
  void nodes.synced.then(() => syncRunner.request());

  return {
    proxier,
    firstSync,
    metricsAddress,
    healthzAddress,
    async stop(stopOptions = {}) {
      for (const inf of [services, slices, nodes]) inf.stop();
      await syncRunner.stop();
      await healthChecks.close();
      await Promise.all(servers.map(closeServer));
      await netlink?.close();
      if (stopOptions.isTeardown) {
        await new Nft(runner).deleteTable({ family: 'ip', name: options.tableName }, at);
        await announcer?.reconcile([]);
      }
    },
  };
}

async function openNetlink(netns: string | undefined, log: (message: string) => void): Promise<NetlinkApplier | undefined> {
  try {
    const applier = await NetlinkApplier.open(netns === undefined ? {} : { netns });
    if (applier instanceof NetlinkApplier) return applier;
    log(`proxy: writing rules with nft -f only: ${applier.reason}`);
  } catch (e) {
    log(`proxy: writing rules with nft -f only: ${(e as Error).message}`);
  }
  return undefined;
}

/** healthCheckNodePort → the Service and how many ready endpoints it has on this node. */
export function healthCheckPorts(proxier: Proxier, nodeName: string): Map<number, ServiceHealth> {
  const out = new Map<number, ServiceHealth>();
  const state = proxier.state();
  for (const [key, ports] of state.services) {
    for (const sp of ports) {
      if (sp.healthCheckNodePort === undefined || out.has(sp.healthCheckNodePort)) continue;
      const locals = new Set<string>();
      for (const p of ports) for (const e of categorizeEndpoints(p, state.endpoints.get(key)?.get(portKey(p)) ?? [], nodeName).local) if (e.isReady) locals.add(e.ip);
      out.set(sp.healthCheckNodePort, { namespace: sp.namespace, name: sp.name, localEndpoints: locals.size });
    }
  }
  return out;
}
