// The cluster DNS server against the in-process API server, asked with the real `dig` over UDP and TCP on
// 127.0.0.1. Upstream and stub-domain servers are tiny DNS servers on other loopback ports: no query leaves
// the machine.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import net from 'node:net';
import { promisify } from 'node:util';
import { findResource } from '../../src/api/resources.ts';
import type { EndpointSlice, Service } from '../../src/api/types.ts';
import { KubeClient } from '../../src/client/client.ts';
import { startClusterDns } from '../../src/dns/cluster-dns.ts';
import type { ClusterDns } from '../../src/dns/cluster-dns.ts';
import { startFakeUpstream } from '../../src/dns/fake-upstream.ts';
import type { FakeUpstream } from '../../src/dns/fake-upstream.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

const run = promisify(execFile);
const R = {
  ns: findResource('', 'v1', 'namespaces')!,
  svc: findResource('', 'v1', 'services')!,
  slice: findResource('discovery.k8s.io', 'v1', 'endpointslices')!,
  cm: findResource('', 'v1', 'configmaps')!,
};

interface Dug {
  status: string;
  flags: string[];
  answer: string[];
}

async function dig(port: number, args: string[]): Promise<Dug> {
  const { stdout } = await run('dig', ['@127.0.0.1', '-p', String(port), '+time=2', '+tries=1', ...args]);
  const status = /status: (\w+)/.exec(stdout)?.[1] ?? 'NONE';
  const flags = (/;; flags: ([^;]*);/.exec(stdout)?.[1] ?? '').trim().split(/\s+/);
  const section = /;; ANSWER SECTION:\n([\s\S]*?)\n\n/.exec(stdout)?.[1] ?? '';
  const answer = section.split('\n').filter(Boolean).map((l) => l.split(/\s+/).join(' '));
  return { status, flags, answer };
}

const addresses = (d: Dug) => d.answer.map((l) => l.split(' ').at(-1)!).sort();

function headlessSlice(name: string, service: string, ips: string[], trigger?: string): EndpointSlice {
  return {
    metadata: { name, namespace: 'dns-it', labels: { 'kubernetes.io/service-name': service }, annotations: trigger ? { 'endpoints.kubernetes.io/last-change-trigger-time': trigger } : {} },
    addressType: 'IPv4',
    endpoints: ips.map((ip, i) => ({ addresses: [ip], hostname: i === 0 ? 'first' : undefined, conditions: { ready: true } })),
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  };
}

let c: TestCluster;
let upstream: FakeUpstream;
let stubA: FakeUpstream;
let stubB: FakeUpstream;
let dns: ClusterDns;
let port: number;
const logLines: string[] = [];

before(async () => {
  c = await startTestCluster();
  upstream = await startFakeUpstream({ zone: 'example.test', records: [{ name: 'www.example.test', ttl: 60, type: 'A', address: '192.0.2.53' }] });
  stubA = await startFakeUpstream({ zone: 'corp.test', records: [{ name: 'host.corp.test', ttl: 60, type: 'A', address: '10.20.30.40' }] });
  stubB = await startFakeUpstream({ zone: 'corp.test', records: [{ name: 'host.corp.test', ttl: 60, type: 'A', address: '10.20.30.41' }] });
  await c.client.create(R.ns, { metadata: { name: 'dns-it' } });
  await c.client.create(R.svc, { metadata: { name: 'web', namespace: 'dns-it' }, spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] } });
  await c.client.create(R.svc, { metadata: { name: 'ext', namespace: 'dns-it' }, spec: { type: 'ExternalName', externalName: 'www.example.test' } });
  await c.client.create(R.svc, { metadata: { name: 'db', namespace: 'dns-it' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'http', port: 80 }] } });
  await c.client.create(R.slice, headlessSlice('db-1', 'db', ['198.18.128.11', '198.18.128.12']));
  dns = await startClusterDns({
    client: c.client,
    listen: [{ address: '127.0.0.1', port: 0 }],
    upstreams: [upstream.server],
    configMap: { namespace: 'kube-system', name: 'coredns' },
    metricsListen: { address: '127.0.0.1', port: 0 },
    log: (line) => logLines.push(line),
  });
  port = dns.addresses[0].port;
  await dns.synced;
});

after(async () => {
  await dns?.stop();
  await Promise.all([upstream?.close(), stubA?.close(), stubB?.close()]);
  await c?.stop();
});

describe('cluster DNS with dig', () => {
  it('answers a ClusterIP Service over UDP and TCP, authoritatively, with or without recursion desired', async () => {
    const svc = await c.client.get<Service>(R.svc, 'dns-it', 'web');
    for (const extra of [[], ['+tcp'], ['+norec']]) {
      const d = await dig(port, [...extra, 'web.dns-it.svc.cluster.local', 'A']);
      assert.equal(d.status, 'NOERROR');
      assert.ok(d.flags.includes('aa'));
      assert.equal(d.flags.includes('rd'), !extra.includes('+norec'));
      assert.deepEqual(d.answer, [`web.dns-it.svc.cluster.local. 5 IN A ${svc.spec.clusterIP}`]);
    }
    const ptr = await dig(port, ['-x', svc.spec.clusterIP!]);
    assert.deepEqual(ptr.answer.map((l) => l.split(' ').at(-1)), ['web.dns-it.svc.cluster.local.']);
    const srv = await dig(port, ['+tcp', '_http._tcp.web.dns-it.svc.cluster.local', 'SRV']);
    assert.deepEqual(srv.answer, ['_http._tcp.web.dns-it.svc.cluster.local. 5 IN SRV 0 100 80 web.dns-it.svc.cluster.local.']);
  });

  it('keeps NXDOMAIN and NODATA apart', async () => {
    assert.equal((await dig(port, ['nope.dns-it.svc.cluster.local', 'A'])).status, 'NXDOMAIN');
    const nodata = await dig(port, ['web.dns-it.svc.cluster.local', 'AAAA']);
    assert.equal(nodata.status, 'NOERROR');
    assert.deepEqual(nodata.answer, []);
    assert.equal((await dig(port, ['web.no-such-ns.svc.cluster.local', 'A'])).status, 'NXDOMAIN');
  });

  it('sets TC for a big answer over 512-octet UDP, and dig gets all of it over TCP', async () => {
    const ips = Array.from({ length: 60 }, (_, i) => `198.18.129.${i + 1}`);
    await c.client.create(R.svc, { metadata: { name: 'big', namespace: 'dns-it' }, spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80 }] } });
    await c.client.create(R.slice, headlessSlice('big-1', 'big', ips));
    const full = await waitFor('60 addresses', async () => {
      const d = await dig(port, ['big.dns-it.svc.cluster.local', 'A']);
      return d.answer.length === 60 && d;
    });
    assert.deepEqual(addresses(full), [...ips].sort());
    const cut = await dig(port, ['+noedns', '+ignore', 'big.dns-it.svc.cluster.local', 'A']);
    assert.ok(cut.flags.includes('tc'), `flags ${cut.flags}`);
    assert.deepEqual(cut.answer, []);
    const fits = await dig(port, ['+bufsize=4096', '+ignore', 'big.dns-it.svc.cluster.local', 'A']);
    assert.ok(!fits.flags.includes('tc'));
    assert.equal(fits.answer.length, 60);
  });

  it('reflects an endpoint change within a second, and records its programming latency', async () => {
    assert.deepEqual(addresses(await dig(port, ['db.dns-it.svc.cluster.local', 'A'])), ['198.18.128.11', '198.18.128.12']);
    const cur = await c.client.get<EndpointSlice>(R.slice, 'dns-it', 'db-1');
    const started = Date.now();
    const next = headlessSlice('db-1', 'db', ['198.18.128.13'], new Date().toISOString());
    next.metadata.resourceVersion = cur.metadata.resourceVersion;
    await c.client.update(R.slice, next);
    await waitFor('the new endpoint', async () => addresses(await dig(port, ['+tcp', 'db.dns-it.svc.cluster.local', 'A'])).join() === '198.18.128.13', { timeoutMs: 1000, intervalMs: 10 });
    assert.ok(Date.now() - started < 1000);
    assert.deepEqual((await dig(port, ['first.db.dns-it.svc.cluster.local', 'A'])).answer, ['first.db.dns-it.svc.cluster.local. 5 IN A 198.18.128.13']);
    assert.equal(dns.metrics.programming.count({ service_kind: 'headless_with_selector' }), 1);
  });

  it('reflects a Service deletion within a second', async () => {
    await c.client.create(R.svc, { metadata: { name: 'short-lived', namespace: 'dns-it' }, spec: { type: 'ClusterIP', ports: [{ port: 80 }] } });
    await waitFor('the new Service', async () => (await dig(port, ['short-lived.dns-it.svc.cluster.local', 'A'])).status === 'NOERROR', { timeoutMs: 1000, intervalMs: 10 });
    await c.client.delete(R.svc, 'dns-it', 'short-lived');
    await waitFor('NXDOMAIN', async () => (await dig(port, ['short-lived.dns-it.svc.cluster.local', 'A'])).status === 'NXDOMAIN', { timeoutMs: 1000, intervalMs: 10 });
  });

  it('forwards outside names to the upstream and chases an ExternalName through it', async () => {
    assert.deepEqual((await dig(port, ['www.example.test', 'A'])).answer, ['www.example.test. 60 IN A 192.0.2.53']);
    const ext = await dig(port, ['ext.dns-it.svc.cluster.local', 'A']);
    assert.equal(ext.answer[0], 'ext.dns-it.svc.cluster.local. 5 IN CNAME www.example.test.');
    assert.match(ext.answer[1], /^www\.example\.test\. \d+ IN A 192\.0\.2\.53$/);
  });

  it('applies stub domains and the query log from the ConfigMap at run time, without a restart', async () => {
    assert.equal((await dig(port, ['host.corp.test', 'A'])).status, 'NXDOMAIN', 'the default upstream knows no corp.test');
    const corefile = (stub: FakeUpstream) => `.:53 {\n  kubernetes cluster.local\n  forward . ${upstream.server}\n  log\n}\ncorp.test:53 {\n  forward . ${stub.server}\n}\n`;
    await c.client.create(R.cm, { metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: corefile(stubA) } });
    await waitFor('stub A', async () => addresses(await dig(port, ['host.corp.test', 'A'])).join() === '10.20.30.40');
    await c.client.patch(R.cm, 'kube-system', 'coredns', { data: { Corefile: corefile(stubB) } });
    await waitFor('stub B', async () => addresses(await dig(port, ['host.corp.test', 'A'])).join() === '10.20.30.41');
    assert.ok(logLines.some((l) => l.includes('"A IN host.corp.test. udp')), 'the query log is on');
    await c.client.patch(R.cm, 'kube-system', 'coredns', { data: { Corefile: 'this is { not valid' } });
    await waitFor('the rejection', () => dns.metrics.configReloads.value({ result: 'rejected' }) > 0);
    assert.deepEqual(addresses(await dig(port, ['host.corp.test', 'A'])), ['10.20.30.41'], 'a broken ConfigMap keeps the last good configuration');
    await c.client.delete(R.cm, 'kube-system', 'coredns');
    await waitFor('back to defaults', async () => (await dig(port, ['host.corp.test', 'A'])).status === 'NXDOMAIN');
  });

  it('serves health, readiness and Prometheus metrics', async () => {
    const base = `http://127.0.0.1:${dns.metricsAddress!.port}`;
    assert.equal((await fetch(`${base}/health`)).status, 200);
    assert.equal((await fetch(`${base}/ready`)).status, 200);
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /^skiff_dns_requests_total\{proto="udp",type="A"\} \d+$/m);
    assert.match(text, /^skiff_dns_responses_total\{rcode="NXDOMAIN"\} \d+$/m);
    assert.match(text, /^skiff_dns_request_duration_seconds_bucket\{source="cluster",le="0.001"\} \d+$/m);
    assert.match(text, /^skiff_dns_cache_hits_total\{cache="forward"\} \d+$/m);
    assert.match(text, /^skiff_dns_programming_duration_seconds_count\{service_kind="headless_with_selector"\} 1$/m);
  });
});

describe('cluster DNS before it has synced', () => {
  it('answers SERVFAIL for cluster names and is not ready, then answers once the API server is reachable', async () => {
    // A gate in front of the API server that holds connections until opened.
    const held: net.Socket[] = [];
    let isOpen = false;
    const apiPort = Number(new URL(c.url).port);
    const pipe = (s: net.Socket) => {
      const up = net.connect(apiPort, '127.0.0.1');
      s.pipe(up).pipe(s);
      s.on('error', () => up.destroy());
      up.on('error', () => s.destroy());
    };
    const gate = net.createServer((s) => (isOpen ? pipe(s) : held.push(s)));
    await new Promise<void>((r) => gate.listen(0, '127.0.0.1', r));
    const client = new KubeClient({ ...c.credentials, server: `https://127.0.0.1:${(gate.address() as net.AddressInfo).port}` });
    const early = await startClusterDns({ client, listen: [{ address: '127.0.0.1', port: 0 }], upstreams: [upstream.server], metricsListen: { address: '127.0.0.1', port: 0 }, log: () => {} });
    try {
      const p = early.addresses[0].port;
      assert.equal((await dig(p, ['web.dns-it.svc.cluster.local', 'A'])).status, 'SERVFAIL');
      assert.equal((await dig(p, ['+tcp', 'nothing.dns-it.svc.cluster.local', 'A'])).status, 'SERVFAIL', 'never a false NXDOMAIN');
      assert.equal((await dig(p, ['www.example.test', 'A'])).status, 'NOERROR', 'forwarding works meanwhile');
      assert.equal((await fetch(`http://127.0.0.1:${early.metricsAddress!.port}/ready`)).status, 503);
      isOpen = true;
      for (const s of held.splice(0)) pipe(s);
      await early.synced;
      assert.equal((await dig(p, ['web.dns-it.svc.cluster.local', 'A'])).status, 'NOERROR');
      assert.equal((await fetch(`http://127.0.0.1:${early.metricsAddress!.port}/ready`)).status, 200);
    } finally {
      await early.stop();
      client.close();
      gate.close();
    }
  });
});
