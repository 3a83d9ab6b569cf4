// startClusterDns: the cluster DNS server, wired from its parts (informers, caches, forwarder, listeners).
import { readFileSync } from 'node:fs';
import type { KubeClient } from '../client/client.ts';
import { ClusterCache } from './cluster-cache.ts';
import type { PodMode } from './cluster-lookup.ts';
import { watchCluster, watchConfigMap } from './cluster-watch.ts';
import { listenDns } from './dns-server.ts';
import type { ListenAddress } from './dns-server.ts';
import { ForwardCache } from './forward-cache.ts';
import { Forwarder } from './forwarder.ts';
import { DnsHandler } from './handler.ts';
import { DnsMetrics } from './metrics.ts';
import { listenMetrics } from './metrics-server.ts';
import { configFromConfigMap, parseResolvConf, parseServer } from './upstream-config.ts';
import type { UpstreamConfig, UpstreamServer } from './upstream-config.ts';

export interface ClusterDnsOptions {
  client: KubeClient;
  /** UDP and TCP on each. */
  listen: ListenAddress[];
  zone?: string;
  /** TTL of cluster answers and the SOA minimum (default 5 s, as CoreDNS's kubernetes plugin). */
  ttl?: number;
  /** `IP[:port]` upstreams for names outside the zone (default: the nameservers of `resolvConfPath`). */
  upstreams?: string[];
  resolvConfPath?: string;
  /** A ConfigMap whose `Corefile` (or kube-dns `upstreamNameservers`/`stubDomains`) keys are applied at run time. */
  configMap?: { namespace: string; name: string };
  queryLog?: boolean;
  log?: (line: string) => void;
  metricsListen?: ListenAddress;
  /** `a-b-c-d.<ns>.pod.<zone>`: answered only for an existing pod with that IP (default), for any IP, or never. */
  podMode?: PodMode;
  /** Endpoints without `hostname` are named after their pod instead of their dashed IP. */
  endpointPodNames?: boolean;
  forwardTimeoutMs?: number;
  maxConcurrent?: number;
}

export interface ClusterDns {
  readonly addresses: ListenAddress[];
  readonly metricsAddress?: ListenAddress;
  /** Resolves once the cluster caches (and the ConfigMap, when given) have been listed. */
  readonly synced: Promise<void>;
  readonly isReady: boolean;
  readonly metrics: DnsMetrics;
  readonly upstreamConfig: UpstreamConfig;
  stop(): Promise<void>;
}

export async function startClusterDns(options: ClusterDnsOptions): Promise<ClusterDns> {
  const log = options.log ?? ((line: string) => console.log(`[dns] ${line}`));
  const resolvConf = options.resolvConfPath ?? '/etc/resolv.conf';
  const readFile = (path: string) => readFileSync(path, 'utf8');
  const baseUpstreams = options.upstreams ? options.upstreams.map(parseServer) : parseResolvConf(safeRead(readFile, resolvConf));
  const defaults: UpstreamConfig = { upstreams: baseUpstreams, stubDomains: [], isQueryLogEnabled: options.queryLog ?? false, maxConcurrent: options.maxConcurrent };
  let config = defaults;
  let boundAddresses: ListenAddress[] = [];
  const metrics = new DnsMetrics();
  const cache = new ClusterCache({ isNamingEndpointsByPod: options.endpointPodNames });
  const forwarder = new Forwarder({ timeoutMs: options.forwardTimeoutMs, maxConcurrent: options.maxConcurrent });
  const onError = (e: unknown) => log(`watch: ${e instanceof Error ? e.message : String(e)}`);
  const podMode = options.podMode ?? 'verified';
  const watch = watchCluster(options.client, cache, { podMode, metrics, onError });
  const handler = new DnsHandler({
    cache,
    isSynced: () => watch.hasSynced,
    zone: options.zone,
    ttl: options.ttl,
    podMode,
    forwarder,
    forwardCache: new ForwardCache(),
    upstreams: () => config,
    metrics,
    log,
  });
  // Never forward to ourselves: a resolv.conf naming this server would loop every query (CoreDNS's `loop`).
  const withoutSelf = (c: UpstreamConfig): UpstreamConfig => {
    const isSelf = (s: UpstreamServer) => boundAddresses.some((b) => b.port === s.port && (b.address === s.address || b.address === '0.0.0.0' || b.address === '::'));
    return { ...c, upstreams: c.upstreams.filter((s) => !isSelf(s)), stubDomains: c.stubDomains.map((d) => ({ ...d, servers: d.servers.filter((s) => !isSelf(s)) })) };
  };
  const apply = (next: UpstreamConfig) => {
    config = withoutSelf(next);
    handler.isQueryLogEnabled = Boolean(config.isQueryLogEnabled);
    forwarder.maxConcurrent = config.maxConcurrent ?? options.maxConcurrent ?? 1000;
    handler.clearForwardCache();
  };
  const cm = options.configMap
    ? watchConfigMap(options.client, options.configMap, (data) => {
        try {
          apply(configFromConfigMap(data, defaults, { readFile }));
          metrics.configReloads.inc({ result: 'applied' });
        } catch (e) {
          metrics.configReloads.inc({ result: 'rejected' });
          log(`ConfigMap ${options.configMap!.namespace}/${options.configMap!.name} rejected, keeping the previous configuration: ${e instanceof Error ? e.message : String(e)}`);
        }
      }, onError)
    : undefined;
  const synced = Promise.all([watch.synced, cm?.synced]).then(() => undefined);
  let isReady = false;
  void synced.then(() => (isReady = true));
  let listener;
  let metricsServer;
  try {
    listener = await listenDns((q, ctx) => handler.handle(q, ctx), { listen: options.listen });
    boundAddresses = listener.addresses;
    apply(config);
    if (options.metricsListen) metricsServer = await listenMetrics(options.metricsListen, { isReady: () => isReady, render: () => metrics.render() });
  } catch (e) {
    await listener?.close();
    watch.stop();
    cm?.stop();
    forwarder.close();
    throw e;
  }
  const dnsListener = listener;
  const httpServer = metricsServer;
  return {
    addresses: dnsListener.addresses,
    metricsAddress: httpServer?.address,
    synced,
    get isReady() {
      return isReady;
    },
    metrics,
    get upstreamConfig() {
      return config;
    },
    async stop() {
      watch.stop();
      cm?.stop();
      await dnsListener.close();
      await httpServer?.close();
      forwarder.close();
    },
  };
}

function safeRead(read: (p: string) => string, path: string): string {
  try {
    return read(path);
  } catch {
    return '';
  }
}
