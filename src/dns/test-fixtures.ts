// A fixed cluster state (literal Services, EndpointSlices, Pods, Namespaces) and an in-process way to ask
// the handler questions and read answers in zone-file notation. For unit tests only.
import type { EndpointSlice, Pod, Service } from '../api/types.ts';
import { ClusterCache } from './cluster-cache.ts';
import type { PodMode } from './cluster-lookup.ts';
import { RR_TYPE, rcodeName } from './dns-constants.ts';
import type { RrTypeName } from './dns-constants.ts';
import { authoritativeAnswer, zoneSoa } from './fake-upstream.ts';
import { ForwardCache } from './forward-cache.ts';
import { DnsHandler } from './handler.ts';
import type { QueryContext } from './handler.ts';
import { decodeMessage } from './message-decoder.ts';
import { DnsMetrics } from './metrics.ts';
import { encodeQuery } from './query.ts';
import type { QueryOptions } from './query.ts';
import { rrToText } from './records.ts';
import type { Rr } from './records.ts';
import type { UpstreamConfig } from './upstream-config.ts';

export const FIXED_NOW = 1_700_000_000_000;

const svc = (namespace: string, name: string, spec: Service['spec'], extra: Partial<Service['metadata']> = {}): Service => ({ metadata: { namespace, name, ...extra }, spec });
const slice = (namespace: string, service: string, name: string, body: Pick<EndpointSlice, 'addressType' | 'endpoints' | 'ports'>): EndpointSlice => ({
  metadata: { namespace, name, labels: { 'kubernetes.io/service-name': service } },
  ...body,
});
const pod = (namespace: string, name: string, ip: string, phase = 'Running'): Pod => ({ metadata: { namespace, name }, spec: { containers: [] }, status: { phase, podIP: ip, podIPs: [{ ip }] } });

export const NAMESPACES = ['default', 'kube-system', 'ns1', 'ns2'];

export const SERVICES: Service[] = [
  svc('default', 'kubernetes', { type: 'ClusterIP', clusterIP: '198.19.0.1', clusterIPs: ['198.19.0.1'], ports: [{ name: 'https', port: 443, protocol: 'TCP' }] }),
  svc('kube-system', 'kube-dns', { type: 'ClusterIP', clusterIP: '198.19.0.10', clusterIPs: ['198.19.0.10'], ports: [{ name: 'dns', port: 53, protocol: 'UDP' }, { name: 'dns-tcp', port: 53, protocol: 'TCP' }] }),
  svc('ns1', 'web', { type: 'ClusterIP', clusterIP: '198.19.1.1', clusterIPs: ['198.19.1.1'], ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
  svc('ns1', 'single', { type: 'NodePort', clusterIP: '198.19.1.2', clusterIPs: ['198.19.1.2'], ports: [{ port: 8080, protocol: 'TCP' }] }),
  svc('ns1', 'dual', { type: 'ClusterIP', clusterIP: '198.19.1.3', clusterIPs: ['198.19.1.3', 'fd00:10:96::3'], ports: [{ name: 'http', port: 80 }] }),
  svc('ns1', 'v6only', { type: 'ClusterIP', clusterIP: 'fd00:10:96::4', clusterIPs: ['fd00:10:96::4'], ports: [{ name: 'http', port: 80 }] }),
  svc('ns1', 'headless', { clusterIP: 'None', clusterIPs: ['None'], selector: { app: 'h' }, ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
  svc('ns1', 'empty-headless', { clusterIP: 'None', selector: { app: 'none' }, ports: [{ name: 'http', port: 80 }] }),
  svc('ns1', 'publish', { clusterIP: 'None', selector: { app: 'p' }, publishNotReadyAddresses: true, ports: [{ name: 'http', port: 80 }] }),
  svc('ns1', 'tolerate', { clusterIP: 'None', selector: { app: 't' }, ports: [{ name: 'http', port: 80 }] }, { annotations: { 'service.alpha.kubernetes.io/tolerate-unready-endpoints': 'true' } }),
  svc('ns1', 'ext', { type: 'ExternalName', externalName: 'www.example.test' }),
  svc('ns1', 'ext-in', { type: 'ExternalName', externalName: 'web.ns1.svc.cluster.local' }),
  svc('ns1', 'ext-missing', { type: 'ExternalName', externalName: 'nothing.ns1.svc.cluster.local' }),
  svc('ns1', 'ext-ip', { type: 'ExternalName', externalName: '1.2.3.4' }),
];

export const SLICES: EndpointSlice[] = [
  slice('ns1', 'headless', 'headless-v4', {
    addressType: 'IPv4',
    endpoints: [
      { addresses: ['198.18.128.5'], hostname: 'pet-0', conditions: { ready: true } },
      { addresses: ['198.18.128.6'], conditions: { ready: true }, targetRef: { kind: 'Pod', namespace: 'ns1', name: 'web-6' } },
      { addresses: ['198.18.128.7'], conditions: { ready: false } },
    ],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }],
  }),
  slice('ns1', 'headless', 'headless-v6', {
    addressType: 'IPv6',
    endpoints: [{ addresses: ['fd00:128::5'], hostname: 'pet-0', conditions: {} }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP' }],
  }),
  slice('ns1', 'empty-headless', 'empty-headless-1', { addressType: 'IPv4', endpoints: [{ addresses: ['198.18.128.8'], conditions: { ready: false } }], ports: [{ name: 'http', port: 80 }] }),
  slice('ns1', 'publish', 'publish-1', { addressType: 'IPv4', endpoints: [{ addresses: ['198.18.128.9'], conditions: { ready: false } }], ports: [{ name: 'http', port: 80 }] }),
  slice('ns1', 'tolerate', 'tolerate-1', { addressType: 'IPv4', endpoints: [{ addresses: ['198.18.128.10'], conditions: { ready: false } }], ports: [{ name: 'http', port: 80 }] }),
  slice('ns1', 'web', 'web-1', { addressType: 'IPv4', endpoints: [{ addresses: ['198.18.128.30'], conditions: { ready: true } }], ports: [{ name: 'http', port: 8080 }] }),
];

export const PODS: Pod[] = [pod('ns1', 'web-6', '198.18.128.6'), pod('ns1', 'client', '198.18.128.20'), pod('ns2', 'done', '198.18.128.21', 'Succeeded')];

/** Names outside the cluster, as the fake upstream serves them. */
export const UPSTREAM_RECORDS: Rr[] = [
  { name: 'www.example.test', ttl: 300, type: 'A', address: '192.0.2.53' },
  { name: 'alias.example.test', ttl: 300, type: 'CNAME', target: 'www.example.test' },
];

export function fixtureCache(options: { isNamingEndpointsByPod?: boolean } = {}): ClusterCache {
  const cache = new ClusterCache({ ...options, now: () => FIXED_NOW });
  for (const ns of NAMESPACES) cache.setNamespace(ns, true);
  for (const s of SERVICES) cache.upsertService(s);
  for (const s of SLICES) cache.upsertSlice(s);
  for (const p of PODS) cache.upsertPod(p);
  return cache;
}

/** Resolves from UPSTREAM_RECORDS without sockets, counting questions. */
export function fakeResolver(records: readonly Rr[] = UPSTREAM_RECORDS): { resolve(servers: unknown, q: { name: string; type: number }): Promise<Buffer>; asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    resolve: async (_servers, q) => {
      asked.push(`${q.type} ${q.name}`);
      return authoritativeAnswer(encodeQuery(q.name, q.type, { udpSize: 1232 }), { records, soa: zoneSoa('example.test'), limit: 1232 });
    },
  };
}

export interface Fixture {
  handler: DnsHandler;
  cache: ClusterCache;
  metrics: DnsMetrics;
  resolver: ReturnType<typeof fakeResolver>;
  synced: { value: boolean };
}

export function fixtureHandler(options: { podMode?: PodMode; isNamingEndpointsByPod?: boolean; upstreams?: UpstreamConfig; now?: () => number } = {}): Fixture {
  const cache = fixtureCache(options);
  const metrics = new DnsMetrics();
  const resolver = fakeResolver();
  const synced = { value: true };
  const handler = new DnsHandler({
    cache,
    isSynced: () => synced.value,
    podMode: options.podMode,
    forwarder: resolver,
    forwardCache: new ForwardCache({ now: options.now }),
    upstreams: () => options.upstreams ?? { upstreams: [{ address: '127.0.0.1', port: 53 }], stubDomains: [] },
    metrics,
  });
  return { handler, cache, metrics, resolver, synced };
}

export interface TextAnswer {
  rcode: string;
  flags: string[];
  answer: string[];
  authority: string[];
  additional: string[];
  size: number;
}

/** Asks the handler in-process and renders the answer as zone-file lines. */
export async function ask(handler: DnsHandler, name: string, type: RrTypeName | number, options: QueryOptions & Partial<QueryContext> = {}): Promise<TextAnswer> {
  const code = typeof type === 'number' ? type : RR_TYPE[type];
  const query = encodeQuery(name, code, { id: 4242, ...options });
  const reply = await handler.handle(query, { proto: options.proto ?? 'udp' });
  if (!reply) throw new Error('no reply');
  if (reply.readUInt16BE(0) !== query.readUInt16BE(0)) throw new Error('reply carries another ID');
  const m = decodeMessage(reply);
  const flagNames = (['QR', 'AA', 'TC', 'RD', 'RA'] as const).filter((f, i) => m.flags & [0x8000, 0x400, 0x200, 0x100, 0x80][i]);
  return { rcode: rcodeName(m.rcode), flags: flagNames.map((f) => f.toLowerCase()), answer: m.answer.map(rrToText), authority: m.authority.map(rrToText), additional: m.additional.map(rrToText), size: reply.length };
}
