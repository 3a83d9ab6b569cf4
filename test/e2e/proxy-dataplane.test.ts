// The service proxy on the real kernel: two node namespaces, hand-made pods, literal Services and
// EndpointSlices in an in-process API server, one proxy per node (run here, applying nft in the node netns).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { findByKind } from '../../src/api/resources.ts';
import type { EndpointSlice, Service } from '../../src/api/types.ts';
import { defaultRunner } from '../../src/platform/linux/command.ts';
import { spawnInNetns } from '../../src/platform/linux/process.ts';
import { nodeAddress, nodeNetns } from '../../src/sandbox/network-plan.ts';
import { destroySandbox } from '../../src/sandbox/sandbox.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { describeRules } from '../../src/proxy/describe-rules.ts';
import { startProxy } from '../../src/proxy/start-proxy.ts';
import type { ProxyHandle } from '../../src/proxy/start-proxy.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';
import { assertStaysLocal, buildNetwork, ip, killChildren, makePod, plan, request, serveHostname, stopServer, tally } from './proxy-support.ts';
import type { Pod } from './proxy-support.ts';

const isRoot = process.getuid?.() === 0;
const SERVICES = findByKind('v1', 'Service')!;
const SLICES = findByKind('discovery.k8s.io/v1', 'EndpointSlice')!;
const NODES = findByKind('v1', 'Node')!;
const TABLE = 'skiff-prx1-proxy';
const BUDGET_MS = 3000;

let cluster: TestCluster;
const proxies: ProxyHandle[] = [];
const pods: Record<string, Pod> = {};
let client: Pod;

async function start(i: number): Promise<ProxyHandle> {
  const p = await startProxy({
    client: cluster.client, nodeName: `node-${i}`, nodeIPs: [nodeAddress(plan, i)], clusterCidr: plan.clusterCidr, serviceCidr: plan.serviceCidr, tableName: TABLE,
    netns: nodeNetns(plan, i), underlayInterface: 'eth0', healthCheckAddresses: [], metricsListen: i === 1 ? { address: '127.0.0.1', port: 0 } : undefined, log: () => {},
  });
  proxies[i - 1] = p;
  return p;
}

async function service(name: string, spec: Partial<Service['spec']>): Promise<Service> {
  return cluster.client.create<Service>(SERVICES, { metadata: { namespace: 'default', name }, spec: { ports: [{ name: 'p', port: 80, protocol: 'TCP' }], ...spec } });
}

/** Creates or replaces the Service's one EndpointSlice: these pods, ready, on `port`. */
async function endpoints(name: string, list: Pod[], port = 9376, protocol: 'TCP' | 'UDP' = 'TCP'): Promise<void> {
  const body: EndpointSlice = {
    metadata: { namespace: 'default', name: `${name}-1`, labels: { 'kubernetes.io/service-name': name }, annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': new Date().toISOString() } },
    addressType: 'IPv4',
    ports: [{ name: 'p', port, protocol }],
    endpoints: list.map((p) => ({ addresses: [p.ip], conditions: { ready: true, serving: true, terminating: false }, nodeName: `node-${p.node}` })),
  };
  const old = await cluster.client.get<EndpointSlice>(SLICES, 'default', `${name}-1`).catch(() => undefined);
  if (old) await cluster.client.update(SLICES, { ...body, metadata: { ...body.metadata, resourceVersion: old.metadata.resourceVersion } });
  else await cluster.client.create(SLICES, body);
}

async function pod(name: string, node: number, podIp: string): Promise<Pod> {
  pods[name] = await makePod(name, node, podIp);
  await serveHostname(pods[name]);
  return pods[name];
}

/** One TCP connection from the host, after checking the route stays on the sandbox bridge. */
async function fromHost(address: string, port: number): Promise<string> {
  await assertStaysLocal(address);
  return new Promise((resolve) => {
    const s = connect({ host: address, port, timeout: 3000 });
    let d = '';
    s.on('data', (x) => (d += x));
    s.on('end', () => resolve(d));
    s.on('timeout', () => (s.destroy(), resolve('TIMEOUT')));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`ERR ${e.code}`));
  });
}

/** True once the proxy's last successful sync wrote an element for `label` (`ns/name:port`). */
const isProgrammed = (p: ProxyHandle, label: string, map = 'service-ips') => (p.proxier.applied().elements.get(map) ?? []).some((e) => e.comment === label);
const nftTables = async (netns: string) => (await defaultRunner.run('nft', ['list', 'tables'], { netns })).stdout;

describe('service proxy on the real kernel', { skip: isRoot ? false : 'needs root' }, () => {
  let web: Service;
  before(async () => {
    await buildNetwork();
    cluster = await startTestCluster({ allocator: { serviceCidr: plan.serviceCidr } });
    for (const i of [1, 2]) {
      const node = await cluster.client.create(NODES, { metadata: { name: `node-${i}` } });
      await cluster.client.updateStatus(NODES, { ...node, status: { conditions: [{ type: 'Ready', status: 'True' }], addresses: [{ type: 'InternalIP', address: nodeAddress(plan, i) }] } });
    }
    client = await makePod('client', 1, '198.18.240.200');
    await Promise.all([pod('web-a', 1, '198.18.240.10'), pod('web-b', 1, '198.18.240.11'), pod('web-c', 2, '198.18.241.10')]);
    await Promise.all([start(1), start(2)]);
    await Promise.all(proxies.map((p) => p.firstSync));
    web = await service('web', {});
    await endpoints('web', [pods['web-a'], pods['web-b'], pods['web-c']]);
  });

  after(async () => {
    for (const p of proxies) await p?.stop({ isTeardown: true }).catch(() => {});
    killChildren();
    await cluster?.stop();
    await destroySandbox(plan);
    assert.deepEqual((await ip.listNetns()).filter((n) => n.startsWith('skiff-prx1-')), []);
  });

  it('spreads 60 connections from a client pod over 3 pods behind a ClusterIP, 20 each', async () => {
    await waitFor('the web Service', async () => (await request(client.netns, { host: web.spec.clusterIP!, port: 80 }))[0].startsWith('web-'), { timeoutMs: BUDGET_MS });
    assert.deepEqual(tally(await request(client.netns, { host: web.spec.clusterIP!, port: 80, count: 60 })), { 'web-a': 20, 'web-b': 20, 'web-c': 20 });
  });

  it('reaches all 5 pods within the propagation budget after scaling from 3 to 5', async () => {
    await Promise.all([pod('web-d', 1, '198.18.240.12'), pod('web-e', 2, '198.18.241.11')]);
    const started = Date.now();
    await endpoints('web', ['web-a', 'web-b', 'web-c', 'web-d', 'web-e'].map((n) => pods[n]));
    const seen = new Set<string>();
    await waitFor('all 5 pods', async () => {
      for (const r of await request(client.netns, { host: web.spec.clusterIP!, port: 80, count: 5 })) seen.add(r);
      return seen.size === 5;
    }, { timeoutMs: BUDGET_MS, intervalMs: 10 });
    console.log(`# scale 3 → 5: every pod reached ${Date.now() - started} ms after the EndpointSlice update`);
  });

  it('lets a pod reach itself through its Service (hairpin, masqueraded)', async () => {
    const replies = await request(pods['web-a'].netns, { host: web.spec.clusterIP!, port: 80, count: 5 });
    assert.deepEqual(Object.keys(tally(replies)).sort(), ['web-a', 'web-b', 'web-c', 'web-d', 'web-e'], replies.join(','));
  });

  it('refuses at once (ECONNREFUSED, not a timeout) when the Service has no endpoints', async () => {
    const empty = await service('empty', {});
    // Until the proxy knows the new ClusterIP it is an unallocated service address, and dropped.
    await waitFor('the empty Service programmed', () => isProgrammed(proxies[0], 'default/empty:p', 'no-endpoint-services'), { timeoutMs: BUDGET_MS });
    const started = Date.now();
    assert.deepEqual(await request(client.netns, { host: empty.spec.clusterIP!, port: 80, count: 3 }), Array(3).fill('ERR ECONNREFUSED'));
    assert.ok(Date.now() - started < 2000, 'refused, not timed out');
    assert.deepEqual(await request(client.netns, { host: web.spec.clusterIP!, port: 81 }), ['ERR ECONNREFUSED'], 'an undefined port of a ClusterIP is rejected too');
  });

  it('serves NodePorts (policy Cluster from the host and another node, policy Local per node) and a ClusterIP from the host', async () => {
    await service('np', { type: 'NodePort', ports: [{ name: 'p', port: 80, protocol: 'TCP', nodePort: 30080 }] });
    await endpoints('np', [pods['web-a'], pods['web-c']]);
    await waitFor('the NodePort from the host', async () => /^web-[ac]$/.test(await fromHost(nodeAddress(plan, 1), 30080)), { timeoutMs: BUDGET_MS });
    assert.match(await fromHost(nodeAddress(plan, 2), 30080), /^web-[ac]$/);
    assert.deepEqual(Object.keys(tally(await request(nodeNetns(plan, 2), { host: nodeAddress(plan, 1), port: 30080, count: 4 }))).sort(), ['web-a', 'web-c']);
    const fromHostToClusterIp = await Promise.all([0, 1, 2, 3, 4].map(() => fromHost(web.spec.clusterIP!, 80)));
    assert.ok(fromHostToClusterIp.every((r) => /^web-[a-e]$/.test(r)), fromHostToClusterIp.join(','));

    await service('np-local', { type: 'NodePort', externalTrafficPolicy: 'Local', ports: [{ name: 'p', port: 80, protocol: 'TCP', nodePort: 30081 }] });
    await endpoints('np-local', [pods['web-a'], pods['web-c']]);
    await waitFor('the Local NodePort', async () => (await fromHost(nodeAddress(plan, 1), 30081)) === 'web-a', { timeoutMs: BUDGET_MS });
    for (let k = 0; k < 4; k++) {
      assert.equal(await fromHost(nodeAddress(plan, 1), 30081), 'web-a', 'externalTrafficPolicy Local: node-1 serves its own pod only');
      assert.equal(await fromHost(nodeAddress(plan, 2), 30081), 'web-c', 'and node-2 its own');
    }
  });

  it('serves a LoadBalancer IP from the host, held as a /32 by exactly one node', async () => {
    const lb = await service('lb', { type: 'LoadBalancer' });
    await cluster.client.updateStatus(SERVICES, { ...lb, status: { loadBalancer: { ingress: [{ ip: '198.18.61.10' }] } } });
    await endpoints('lb', [pods['web-b']]);
    await waitFor('the LoadBalancer IP', async () => (await fromHost('198.18.61.10', 80)) === 'web-b', { timeoutMs: BUDGET_MS });
    const holders = await waitFor('one holder', async () => {
      const has = await Promise.all([1, 2].map(async (i) => (await ip.listAddresses({ netns: nodeNetns(plan, i), dev: 'eth0' })).some((a) => a.local === '198.18.61.10' && a.prefixLength === 32)));
      return has.filter(Boolean).length === 1 ? has : undefined;
    }, { timeoutMs: BUDGET_MS });
    console.log(`# LoadBalancer IP 198.18.61.10 held by node-${holders.indexOf(true) + 1}`);
  });

  it('keeps a client on one pod with sessionAffinity ClientIP', async () => {
    const sticky = await service('sticky', { sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
    await endpoints('sticky', [pods['web-a'], pods['web-b'], pods['web-c']]);
    await waitFor('the sticky Service', async () => (await request(client.netns, { host: sticky.spec.clusterIP!, port: 80 }))[0].startsWith('web-'), { timeoutMs: BUDGET_MS });
    assert.equal(Object.keys(tally(await request(client.netns, { host: sticky.spec.clusterIP!, port: 80, count: 12 }))).length, 1);
  });

  it('moves a UDP flow to the replacement pod at once: stale conntrack entries are flushed', async () => {
    const dns = await service('dns', { ports: [{ name: 'p', port: 53, protocol: 'UDP' }] });
    const udpA = await pod('udp-a', 1, '198.18.240.30');
    await endpoints('dns', [udpA], 9376, 'UDP');
    const ask = async () => (await request(client.netns, { proto: 'udp', host: dns.spec.clusterIP!, port: 53, sport: 40053 }))[0];
    await waitFor('the UDP Service', async () => (await ask()) === 'udp-a', { timeoutMs: BUDGET_MS });
    const udpB = await pod('udp-b', 2, '198.18.241.30');
    await endpoints('dns', [udpB], 9376, 'UDP');
    stopServer(udpA);
    const started = Date.now();
    await waitFor('the same flow answered by udp-b', async () => (await ask()) === 'udp-b', { timeoutMs: BUDGET_MS, intervalMs: 10 });
    console.log(`# UDP endpoint replacement: same 5-tuple answered by the new pod after ${Date.now() - started} ms`);
  });

  it('serves Prometheus metrics for full and partial syncs, programming latency and failures', async () => {
    const text = await (await fetch(`http://127.0.0.1:${proxies[0].metricsAddress!.port}/metrics`)).text();
    assert.match(text, /^kubeproxy_sync_full_proxy_rules_duration_seconds_count 1$/m);
    assert.match(text, /^kubeproxy_sync_partial_proxy_rules_duration_seconds_count [1-9]\d*$/m);
    assert.match(text, /^kubeproxy_network_programming_duration_seconds_count [1-9]\d*$/m);
    assert.match(text, /^kubeproxy_sync_proxy_rules_nftables_sync_failures_total 0$/m);
    assert.match(text, /^kubeproxy_sync_proxy_rules_nftables_rules [1-9]\d*$/m);
  });

  it('keeps forwarding without a proxy, and a restarted proxy keeps established connections', async () => {
    const echo = await service('echo', { ports: [{ name: 'p', port: 7000, protocol: 'TCP' }] });
    const ECHO = "require('node:net').createServer((c) => c.pipe(c)).listen(7000, () => console.log('ready'))";
    const server = spawnInNetns(pods['web-c'].netns, [process.execPath, '-e', ECHO], { stdio: ['ignore', 'pipe', 'inherit'] });
    let ready = '';
    server.stdout!.on('data', (d) => (ready += d));
    await endpoints('echo', [pods['web-c']], 7000);
    await waitFor('the echo server and its Service', () => ready.includes('ready') && isProgrammed(proxies[0], 'default/echo:p'), { timeoutMs: BUDGET_MS });
    const CHAT = `const c = require('node:net').connect(7000, process.argv[1]); process.stdin.pipe(c); c.pipe(process.stdout); c.on('error', (e) => console.log('ERR ' + e.code));`;
    const chat = spawnInNetns(client.netns, [process.execPath, '-e', CHAT, echo.spec.clusterIP!], { stdio: ['pipe', 'pipe', 'inherit'] });
    let heard = '';
    chat.stdout!.on('data', (d) => (heard += d));
    chat.stdin!.write('one\n');
    await waitFor('an echo', () => heard.includes('one'), { timeoutMs: BUDGET_MS });

    await proxies[0].stop();
    assert.match(await nftTables(nodeNetns(plan, 1)), new RegExp(`table ip ${TABLE}`), 'a plain stop leaves the rules');
    assert.match((await request(client.netns, { host: web.spec.clusterIP!, port: 80 }))[0], /^web-/, 'forwarding goes on without a proxy');
    const restarted = await start(1);
    await restarted.firstSync;
    chat.stdin!.write('two\n');
    await waitFor('the old connection to echo again', () => heard.includes('two'), { timeoutMs: BUDGET_MS });
    assert.doesNotMatch(heard, /ERR/);
    chat.kill();
    server.kill();
  });

  it('leaves ExternalName Services out and describes the table by Service', async () => {
    await service('outside', { type: 'ExternalName', externalName: 'example.com', ports: undefined });
    await service('last', {});
    await waitFor('the last Service programmed', () => isProgrammed(proxies[0], 'default/last:p', 'no-endpoint-services'), { timeoutMs: BUDGET_MS });
    const listing = (await defaultRunner.run('nft', ['list', 'table', 'ip', TABLE], { netns: nodeNetns(plan, 1) })).stdout;
    const text = describeRules(listing);
    assert.match(text, /# Service default\/web\n/);
    assert.doesNotMatch(text, /default\/outside/);
  });

  it('deletes its table and LB addresses on teardown', async () => {
    for (const p of proxies) await p.stop({ isTeardown: true });
    for (const i of [1, 2]) {
      assert.doesNotMatch(await nftTables(nodeNetns(plan, i)), new RegExp(TABLE));
      assert.ok(!(await ip.listAddresses({ netns: nodeNetns(plan, i), dev: 'eth0' })).some((a) => a.local === '198.18.61.10'));
    }
    proxies.length = 0;
  });
});
