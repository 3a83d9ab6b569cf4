// The proxy's Prometheus metrics, named as kube-proxy names them, and their text exposition format.

const DEFAULT_BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];

export class Histogram {
  readonly name: string;
  readonly help: string;
  readonly buckets: readonly number[];
  #counts: number[];
  #sum = 0;
  #count = 0;

  constructor(name: string, help: string, buckets: readonly number[] = DEFAULT_BUCKETS) {
    this.name = name;
    this.help = help;
    this.buckets = buckets;
    this.#counts = buckets.map(() => 0);
  }

  observe(seconds: number): void {
    this.#sum += seconds;
    this.#count++;
    for (let i = 0; i < this.buckets.length; i++) if (seconds <= this.buckets[i]) this.#counts[i]++;
  }

  get count(): number {
    return this.#count;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.#counts[i]}`));
    lines.push(`${this.name}_bucket{le="+Inf"} ${this.#count}`, `${this.name}_sum ${this.#sum}`, `${this.name}_count ${this.#count}`);
    return lines.join('\n');
  }
}

export class Scalar {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'gauge';
  value = 0;

  constructor(name: string, help: string, type: 'counter' | 'gauge') {
    this.name = name;
    this.help = help;
    this.type = type;
  }

  render(): string {
    return [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`, `${this.name} ${this.value}`].join('\n');
  }
}

export class ProxyMetrics {
  readonly syncDuration = new Histogram('kubeproxy_sync_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds');
  readonly fullSyncDuration = new Histogram('kubeproxy_sync_full_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for full resyncs');
  readonly partialSyncDuration = new Histogram('kubeproxy_sync_partial_proxy_rules_duration_seconds', 'SyncProxyRules latency in seconds for partial resyncs');
  readonly networkProgramming = new Histogram(
    'kubeproxy_network_programming_duration_seconds',
    'In Cluster Network Programming Latency in seconds',
    [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32, 64, 128, 256],
  );
  readonly syncFailures = new Scalar('kubeproxy_sync_proxy_rules_nftables_sync_failures_total', 'Number of nftables transactions that failed', 'counter');
  readonly conntrackFailures = new Scalar('kubeproxy_sync_proxy_rules_conntrack_cleanup_failures_total', 'Number of conntrack cleanups that failed', 'counter');
  readonly lastSync = new Scalar('kubeproxy_sync_proxy_rules_last_timestamp_seconds', 'The last time proxy rules were successfully synced', 'gauge');
  readonly rules = new Scalar('kubeproxy_sync_proxy_rules_nftables_rules', 'Number of rules in the proxy table after the last sync', 'gauge');
  readonly chains = new Scalar('kubeproxy_sync_proxy_rules_nftables_chains', 'Number of chains in the proxy table after the last sync', 'gauge');
  readonly netlinkTransactions = new Scalar('skiff_proxy_netlink_transactions_total', 'Transactions written straight over netlink (the rest go through nft -f)', 'counter');
  readonly nftTransactions = new Scalar('skiff_proxy_nft_transactions_total', 'Transactions written with nft -f', 'counter');
  readonly elements = new Scalar('kubeproxy_sync_proxy_rules_nftables_elements', 'Number of set and map elements in the proxy table after the last sync', 'gauge');

  render(): string {
    const all = [this.syncDuration, this.fullSyncDuration, this.partialSyncDuration, this.networkProgramming, this.syncFailures, this.conntrackFailures, this.lastSync, this.rules, this.chains, this.elements, this.netlinkTransactions, this.nftTransactions];
    return all.map((m) => m.render()).join('\n') + '\n';
  }
}
