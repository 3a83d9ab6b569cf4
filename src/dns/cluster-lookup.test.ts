// The Kubernetes DNS specification 1.1.0, as a table over a fixed cluster state (test-fixtures.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RrTypeName } from './dns-constants.ts';
import { ask, fixtureHandler } from './test-fixtures.ts';

const SOA = 'cluster.local. 5 IN SOA ns.dns.cluster.local. hostmaster.cluster.local. 1700000000 7200 1800 86400 5';

interface Row {
  q: string;
  type: RrTypeName;
  rcode?: string;
  answer?: string[];
  /** Defaults to the zone's SOA when the answer is empty. */
  authority?: string[];
  additional?: string[];
}

const rows: Row[] = [
  // §2.2 schema version
  { q: 'dns-version.cluster.local.', type: 'TXT', answer: ['dns-version.cluster.local. 28800 IN TXT "1.1.0"'] },
  { q: 'dns-version.cluster.local.', type: 'A', answer: [] },
  // §2.3 ClusterIP services: A, AAAA, case, trailing dot
  { q: 'kubernetes.default.svc.cluster.local.', type: 'A', answer: ['kubernetes.default.svc.cluster.local. 5 IN A 198.19.0.1'] },
  { q: 'kubernetes.default.svc.cluster.local', type: 'A', answer: ['kubernetes.default.svc.cluster.local. 5 IN A 198.19.0.1'] },
  { q: 'KUBERNETES.Default.SVC.Cluster.Local.', type: 'A', answer: ['kubernetes.default.svc.cluster.local. 5 IN A 198.19.0.1'] },
  { q: 'web.ns1.svc.cluster.local.', type: 'AAAA', answer: [] },
  { q: 'web.ns1.svc.cluster.local.', type: 'TXT', answer: [] },
  { q: 'web.ns1.svc.cluster.local.', type: 'ANY', answer: ['web.ns1.svc.cluster.local. 5 IN A 198.19.1.1'] },
  { q: 'single.ns1.svc.cluster.local.', type: 'A', answer: ['single.ns1.svc.cluster.local. 5 IN A 198.19.1.2'] },
  { q: 'dual.ns1.svc.cluster.local.', type: 'A', answer: ['dual.ns1.svc.cluster.local. 5 IN A 198.19.1.3'] },
  { q: 'dual.ns1.svc.cluster.local.', type: 'AAAA', answer: ['dual.ns1.svc.cluster.local. 5 IN AAAA fd00:10:96::3'] },
  { q: 'v6only.ns1.svc.cluster.local.', type: 'AAAA', answer: ['v6only.ns1.svc.cluster.local. 5 IN AAAA fd00:10:96::4'] },
  { q: 'v6only.ns1.svc.cluster.local.', type: 'A', answer: [] },
  // SRV for named ports, by protocol; unnamed ports have none; `_proto` is an empty non-terminal
  { q: '_http._tcp.web.ns1.svc.cluster.local.', type: 'SRV', answer: ['_http._tcp.web.ns1.svc.cluster.local. 5 IN SRV 0 100 80 web.ns1.svc.cluster.local.'], additional: ['web.ns1.svc.cluster.local. 5 IN A 198.19.1.1'] },
  { q: '_DNS._UDP.web.ns1.svc.cluster.local.', type: 'SRV', answer: ['_dns._udp.web.ns1.svc.cluster.local. 5 IN SRV 0 100 53 web.ns1.svc.cluster.local.'], additional: ['web.ns1.svc.cluster.local. 5 IN A 198.19.1.1'] },
  { q: '_http._udp.web.ns1.svc.cluster.local.', type: 'SRV', rcode: 'NXDOMAIN' },
  { q: '_ftp._tcp.web.ns1.svc.cluster.local.', type: 'SRV', rcode: 'NXDOMAIN' },
  { q: '_http._tcp.web.ns1.svc.cluster.local.', type: 'A', answer: [] },
  { q: '_tcp.web.ns1.svc.cluster.local.', type: 'A', answer: [] },
  { q: '_sctp.web.ns1.svc.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: '_tcp.single.ns1.svc.cluster.local.', type: 'SRV', rcode: 'NXDOMAIN' },
  { q: 'web.ns1.svc.cluster.local.', type: 'SRV', answer: [] },
  { q: 'pet-0.web.ns1.svc.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  // §2.4 headless: ready endpoints only, per-endpoint names, N×M SRV with endpoint ports
  { q: 'headless.ns1.svc.cluster.local.', type: 'A', answer: ['headless.ns1.svc.cluster.local. 5 IN A 198.18.128.5', 'headless.ns1.svc.cluster.local. 5 IN A 198.18.128.6'] },
  { q: 'headless.ns1.svc.cluster.local.', type: 'AAAA', answer: ['headless.ns1.svc.cluster.local. 5 IN AAAA fd00:128::5'] },
  { q: 'pet-0.headless.ns1.svc.cluster.local.', type: 'A', answer: ['pet-0.headless.ns1.svc.cluster.local. 5 IN A 198.18.128.5'] },
  { q: 'pet-0.headless.ns1.svc.cluster.local.', type: 'AAAA', answer: ['pet-0.headless.ns1.svc.cluster.local. 5 IN AAAA fd00:128::5'] },
  { q: '198-18-128-6.headless.ns1.svc.cluster.local.', type: 'A', answer: ['198-18-128-6.headless.ns1.svc.cluster.local. 5 IN A 198.18.128.6'] },
  { q: '198-18-128-7.headless.ns1.svc.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: 'web-6.headless.ns1.svc.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  {
    q: '_http._tcp.headless.ns1.svc.cluster.local.',
    type: 'SRV',
    answer: ['_http._tcp.headless.ns1.svc.cluster.local. 5 IN SRV 0 50 8080 pet-0.headless.ns1.svc.cluster.local.', '_http._tcp.headless.ns1.svc.cluster.local. 5 IN SRV 0 50 8080 198-18-128-6.headless.ns1.svc.cluster.local.'],
    additional: ['pet-0.headless.ns1.svc.cluster.local. 5 IN A 198.18.128.5', 'pet-0.headless.ns1.svc.cluster.local. 5 IN AAAA fd00:128::5', '198-18-128-6.headless.ns1.svc.cluster.local. 5 IN A 198.18.128.6'],
  },
  { q: '_dns._udp.headless.ns1.svc.cluster.local.', type: 'SRV', answer: ['_dns._udp.headless.ns1.svc.cluster.local. 5 IN SRV 0 50 5353 pet-0.headless.ns1.svc.cluster.local.', '_dns._udp.headless.ns1.svc.cluster.local. 5 IN SRV 0 50 5353 198-18-128-6.headless.ns1.svc.cluster.local.'], additional: ['pet-0.headless.ns1.svc.cluster.local. 5 IN A 198.18.128.5', 'pet-0.headless.ns1.svc.cluster.local. 5 IN AAAA fd00:128::5', '198-18-128-6.headless.ns1.svc.cluster.local. 5 IN A 198.18.128.6'] },
  { q: 'empty-headless.ns1.svc.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: '_http._tcp.empty-headless.ns1.svc.cluster.local.', type: 'SRV', rcode: 'NXDOMAIN' },
  { q: 'publish.ns1.svc.cluster.local.', type: 'A', answer: ['publish.ns1.svc.cluster.local. 5 IN A 198.18.128.9'] },
  { q: 'tolerate.ns1.svc.cluster.local.', type: 'A', answer: ['tolerate.ns1.svc.cluster.local. 5 IN A 198.18.128.10'] },
  // §2.5 ExternalName: CNAME, chased in the cluster or through the upstream
  { q: 'ext.ns1.svc.cluster.local.', type: 'A', answer: ['ext.ns1.svc.cluster.local. 5 IN CNAME www.example.test.', 'www.example.test. 300 IN A 192.0.2.53'], authority: [] },
  { q: 'ext.ns1.svc.cluster.local.', type: 'CNAME', answer: ['ext.ns1.svc.cluster.local. 5 IN CNAME www.example.test.'] },
  { q: 'ext-in.ns1.svc.cluster.local.', type: 'A', answer: ['ext-in.ns1.svc.cluster.local. 5 IN CNAME web.ns1.svc.cluster.local.', 'web.ns1.svc.cluster.local. 5 IN A 198.19.1.1'] },
  { q: 'ext-missing.ns1.svc.cluster.local.', type: 'A', rcode: 'NXDOMAIN', answer: ['ext-missing.ns1.svc.cluster.local. 5 IN CNAME nothing.ns1.svc.cluster.local.'], authority: [SOA] },
  { q: 'ext-ip.ns1.svc.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: '_http._tcp.ext.ns1.svc.cluster.local.', type: 'SRV', rcode: 'NXDOMAIN' },
  // Pods (verified by default): a-b-c-d.<ns>.pod.<zone>
  { q: '198-18-128-20.ns1.pod.cluster.local.', type: 'A', answer: ['198-18-128-20.ns1.pod.cluster.local. 5 IN A 198.18.128.20'] },
  { q: '198-18-128-20.ns1.pod.cluster.local.', type: 'AAAA', answer: [] },
  { q: '198-18-128-20.ns2.pod.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: '198-18-128-99.ns1.pod.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: '198-18-128-21.ns2.pod.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: 'not-an-ip.ns1.pod.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  // Namespaces and empty non-terminals: NODATA when the name exists, NXDOMAIN when not
  { q: 'ns1.svc.cluster.local.', type: 'A', answer: [] },
  { q: 'ns2.svc.cluster.local.', type: 'A', answer: [] },
  { q: 'nope.svc.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: 'web.nope.svc.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: 'missing.ns1.svc.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: 'svc.cluster.local.', type: 'A', answer: [] },
  { q: 'pod.cluster.local.', type: 'A', answer: [] },
  { q: 'ns2.pod.cluster.local.', type: 'A', answer: [] },
  { q: 'nope.pod.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: 'foo.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  { q: 'a.b._http._tcp.web.ns1.svc.cluster.local.', type: 'A', rcode: 'NXDOMAIN' },
  // The apex
  { q: 'cluster.local.', type: 'SOA', answer: [SOA], authority: [] },
  { q: 'cluster.local.', type: 'NS', answer: ['cluster.local. 5 IN NS ns.dns.cluster.local.'], additional: ['ns.dns.cluster.local. 5 IN A 198.19.0.10'] },
  { q: 'cluster.local.', type: 'A', answer: [] },
  { q: 'ns.dns.cluster.local.', type: 'A', answer: ['ns.dns.cluster.local. 5 IN A 198.19.0.10'] },
  // §2.3.3 / §2.4.3 PTR
  { q: '1.0.19.198.in-addr.arpa.', type: 'PTR', answer: ['1.0.19.198.in-addr.arpa. 5 IN PTR kubernetes.default.svc.cluster.local.'] },
  { q: '5.128.18.198.in-addr.arpa.', type: 'PTR', answer: ['5.128.18.198.in-addr.arpa. 5 IN PTR pet-0.headless.ns1.svc.cluster.local.'] },
  { q: '6.128.18.198.IN-ADDR.ARPA.', type: 'PTR', answer: ['6.128.18.198.in-addr.arpa. 5 IN PTR 198-18-128-6.headless.ns1.svc.cluster.local.'] },
  { q: '3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa.', type: 'PTR', answer: ['3.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa. 5 IN PTR dual.ns1.svc.cluster.local.'] },
  { q: '1.0.19.198.in-addr.arpa.', type: 'A', answer: [], authority: ['in-addr.arpa. 5 IN SOA ns.dns.in-addr.arpa. hostmaster.in-addr.arpa. 1700000000 7200 1800 86400 5'] },
];

function sorted(xs: string[]): string[] {
  return [...xs].sort();
}

describe('cluster names answer as the Kubernetes DNS specification 1.1.0 says', () => {
  for (const row of rows) {
    const rcode = row.rcode ?? 'NOERROR';
    it(`${row.q} ${row.type} → ${rcode}${row.answer?.length ? ` (${row.answer.length})` : ''}`, async () => {
      const { handler } = fixtureHandler();
      const got = await ask(handler, row.q, row.type);
      assert.equal(got.rcode, rcode);
      assert.ok(got.flags.includes('aa'), 'cluster answers are authoritative');
      assert.deepEqual(sorted(got.answer), sorted(row.answer ?? []));
      const isNegative = !(row.answer ?? []).some((a) => row.type === 'ANY' || a.split(' ')[3] === row.type) || rcode === 'NXDOMAIN';
      assert.deepEqual(got.authority, row.authority ?? (isNegative ? [SOA] : []));
      assert.deepEqual(sorted(got.additional), sorted(row.additional ?? []));
    });
  }
});

describe('cluster lookups', () => {
  it('answers SERVFAIL, never NXDOMAIN, before the caches are synced', async () => {
    const f = fixtureHandler();
    f.synced.value = false;
    assert.equal((await ask(f.handler, 'web.ns1.svc.cluster.local.', 'A')).rcode, 'SERVFAIL');
    assert.equal((await ask(f.handler, 'nope.svc.cluster.local.', 'A')).rcode, 'SERVFAIL');
    assert.equal((await ask(f.handler, '1.0.19.198.in-addr.arpa.', 'PTR')).rcode, 'SERVFAIL');
    assert.equal((await ask(f.handler, 'www.example.test.', 'A')).rcode, 'NOERROR', 'forwarding does not wait for the cluster');
  });

  it('forwards reverse names of addresses the cluster does not own, including non-headless endpoints', async () => {
    const f = fixtureHandler();
    const got = await ask(f.handler, '30.128.18.198.in-addr.arpa.', 'PTR');
    assert.equal(got.rcode, 'NXDOMAIN');
    assert.equal(got.flags.includes('aa'), false, 'a relayed answer is not authoritative');
    assert.deepEqual(f.resolver.asked, ['12 30.128.18.198.in-addr.arpa']);
  });

  it('answers any pod IP in an existing namespace in "insecure" mode, and none in "disabled" mode', async () => {
    const insecure = fixtureHandler({ podMode: 'insecure' }).handler;
    assert.deepEqual((await ask(insecure, '10-1-2-3.ns1.pod.cluster.local.', 'A')).answer, ['10-1-2-3.ns1.pod.cluster.local. 5 IN A 10.1.2.3']);
    assert.equal((await ask(insecure, '10-1-2-3.nope.pod.cluster.local.', 'A')).rcode, 'NXDOMAIN');
    const disabled = fixtureHandler({ podMode: 'disabled' }).handler;
    assert.equal((await ask(disabled, '198-18-128-20.ns1.pod.cluster.local.', 'A')).rcode, 'NXDOMAIN');
  });

  it('names endpoints after their pod when asked to (CoreDNS endpoint_pod_names)', async () => {
    const { handler } = fixtureHandler({ isNamingEndpointsByPod: true });
    assert.deepEqual((await ask(handler, 'web-6.headless.ns1.svc.cluster.local.', 'A')).answer, ['web-6.headless.ns1.svc.cluster.local. 5 IN A 198.18.128.6']);
    assert.deepEqual((await ask(handler, 'pet-0.headless.ns1.svc.cluster.local.', 'A')).answer, ['pet-0.headless.ns1.svc.cluster.local. 5 IN A 198.18.128.5'], 'an explicit hostname still wins');
  });

  it('reflects a change at once: a headless Service loses its last ready endpoint and becomes NXDOMAIN', async () => {
    const f = fixtureHandler();
    assert.equal((await ask(f.handler, 'publish.ns1.svc.cluster.local.', 'A')).rcode, 'NOERROR');
    f.cache.deleteSlice({ metadata: { namespace: 'ns1', name: 'publish-1' }, addressType: 'IPv4', endpoints: [] });
    assert.equal((await ask(f.handler, 'publish.ns1.svc.cluster.local.', 'A')).rcode, 'NXDOMAIN');
  });
});

describe('the encoded-answer cache', () => {
  it('reuses an answer until the cluster changes, keeping each client\'s ID and spelling', async () => {
    const f = fixtureHandler();
    await ask(f.handler, 'web.ns1.svc.cluster.local.', 'A');
    const again = await ask(f.handler, 'WEB.ns1.svc.cluster.local.', 'A', { id: 77 });
    assert.deepEqual(again.answer, ['web.ns1.svc.cluster.local. 5 IN A 198.19.1.1']);
    assert.equal(f.metrics.cacheHits.value({ cache: 'answer' }), 1);
    f.cache.upsertService({ metadata: { namespace: 'ns1', name: 'web' }, spec: { type: 'ClusterIP', clusterIP: '198.19.1.99', clusterIPs: ['198.19.1.99'] } });
    assert.deepEqual((await ask(f.handler, 'web.ns1.svc.cluster.local.', 'A')).answer, ['web.ns1.svc.cluster.local. 5 IN A 198.19.1.99']);
    assert.equal(f.metrics.cacheHits.value({ cache: 'answer' }), 1);
  });
});
