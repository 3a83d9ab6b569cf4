// Counters and histograms in Prometheus text format (version 0.0.4), with no dependency.

type Labels = Record<string, string>;

function labelText(labels: Labels): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${v.replaceAll('\\', '\\\\').replaceAll('"', '\\"').replaceAll('\n', '\\n')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

interface Metric {
  render(): string[];
}

/** One labelled series, looked up once and kept: the hot path then only adds. */
export interface CounterChild {
  inc(by?: number): void;
}

export class Counter implements Metric {
  #name: string;
  #help: string;
  #kind: 'counter' | 'gauge';
  #values = new Map<string, number>();
  #children = new Map<string, CounterChild>();

  constructor(name: string, help: string, kind: 'counter' | 'gauge' = 'counter') {
    this.#name = name;
    this.#help = help;
    this.#kind = kind;
  }

  inc(labels: Labels = {}, by = 1): void {
    const key = labelText(labels);
    this.#values.set(key, (this.#values.get(key) ?? 0) + by);
  }

  /** The series for `labels`, cached under `id` (a cheap string the caller builds). */
  child(id: string, labels: () => Labels): CounterChild {
    let c = this.#children.get(id);
    if (!c) {
      const key = labelText(labels());
      if (!this.#values.has(key)) this.#values.set(key, 0);
      c = { inc: (by = 1) => void this.#values.set(key, this.#values.get(key)! + by) };
      this.#children.set(id, c);
    }
    return c;
  }

  set(labels: Labels, value: number): void {
    this.#values.set(labelText(labels), value);
  }

  value(labels: Labels = {}): number {
    return this.#values.get(labelText(labels)) ?? 0;
  }

  render(): string[] {
    const out = [`# HELP ${this.#name} ${this.#help}`, `# TYPE ${this.#name} ${this.#kind}`];
    for (const [k, v] of this.#values) out.push(`${this.#name}${k} ${v}`);
    return out;
  }
}

export class Histogram implements Metric {
  #name: string;
  #help: string;
  #bounds: number[];
  #series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  constructor(name: string, help: string, bounds: number[]) {
    this.#name = name;
    this.#help = help;
    this.#bounds = bounds;
  }

  #byId = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();

  observe(value: number, labels: Labels = {}, id?: string): void {
    let s = id === undefined ? undefined : this.#byId.get(id);
    if (!s) {
      const key = labelText(labels);
      s = this.#series.get(key);
      if (!s) this.#series.set(key, (s = { labels, counts: new Array(this.#bounds.length).fill(0), sum: 0, count: 0 }));
      if (id !== undefined) this.#byId.set(id, s);
    }
    // Buckets are cumulative: count into the first bound that holds the value, and sum up on render.
    let i = 0;
    while (i < this.#bounds.length && value > this.#bounds[i]) i++;
    if (i < this.#bounds.length) s.counts[i]++;
    s.sum += value;
    s.count++;
  }

  count(labels: Labels = {}): number {
    return this.#series.get(labelText(labels))?.count ?? 0;
  }

  render(): string[] {
    const out = [`# HELP ${this.#name} ${this.#help}`, `# TYPE ${this.#name} histogram`];
    for (const s of this.#series.values()) {
      let cumulative = 0;
      this.#bounds.forEach((b, i) => out.push(`${this.#name}_bucket${labelText({ ...s.labels, le: String(b) })} ${(cumulative += s.counts[i])}`));
      out.push(`${this.#name}_bucket${labelText({ ...s.labels, le: '+Inf' })} ${s.count}`);
      out.push(`${this.#name}_sum${labelText(s.labels)} ${s.sum}`, `${this.#name}_count${labelText(s.labels)} ${s.count}`);
    }
    return out;
  }
}

const LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192];
const PROGRAMMING_BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384, 32.768, 65.536];

export class DnsMetrics {
  readonly requests = new Counter('skiff_dns_requests_total', 'DNS queries received, by transport and query type.');
  readonly responses = new Counter('skiff_dns_responses_total', 'DNS responses sent (or dropped), by rcode.');
  readonly duration = new Histogram('skiff_dns_request_duration_seconds', 'Time from a query arriving to its answer being ready, by source (cluster, cache, upstream).', LATENCY_BUCKETS);
  readonly cacheHits = new Counter('skiff_dns_cache_hits_total', 'Answers served from a cache: "forward" (upstream answers) or "answer" (encoded cluster answers).');
  readonly cacheMisses = new Counter('skiff_dns_cache_misses_total', 'Questions a cache could not answer, by cache.');
  readonly cacheEntries = new Counter('skiff_dns_cache_entries', 'Entries in the forward cache.', 'gauge');
  readonly upstreamErrors = new Counter('skiff_dns_upstream_errors_total', 'Forwarded questions that failed, by error code.');
  readonly programming = new Histogram('skiff_dns_programming_duration_seconds', 'Time from an endpoint change (endpoints.kubernetes.io/last-change-trigger-time) to DNS answering with it, by service kind.', PROGRAMMING_BUCKETS);
  readonly synced = new Counter('skiff_dns_cluster_synced', '1 once Services, EndpointSlices, Namespaces (and Pods) have been listed.', 'gauge');
  readonly objects = new Counter('skiff_dns_cluster_objects', 'Objects in the slim cluster cache, by kind.', 'gauge');
  readonly configReloads = new Counter('skiff_dns_config_reloads_total', 'Upstream configuration changes from the ConfigMap, by result.');

  render(): string {
    const all: Metric[] = [this.requests, this.responses, this.duration, this.cacheHits, this.cacheMisses, this.cacheEntries, this.upstreamErrors, this.programming, this.synced, this.objects, this.configReloads];
    return all.flatMap((m) => m.render()).join('\n') + '\n';
  }
}
