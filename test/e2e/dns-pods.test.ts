// Cluster DNS from inside real pods: resolution the way applications do it (getent through the pod's
// resolv.conf and search path), dig +search for SRV, ExternalName, headless scaling, hostname+subdomain and a
// stub domain changed at run time. The DNS server listens on the sandbox's host address; pods name it directly
// (dnsPolicy None with the ClusterFirst search path) because reaching the kube-dns ClusterIP needs the service
// proxy in the node, which `skiff up` wires. Upstreams are tiny DNS servers on 127.0.0.1: nothing leaves the machine.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../src/api/resources.ts';
import type { Service } from '../../src/api/types.ts';
import { startClusterDns } from '../../src/dns/cluster-dns.ts';
import type { ClusterDns } from '../../src/dns/cluster-dns.ts';
import { startFakeUpstream } from '../../src/dns/fake-upstream.ts';
import type { FakeUpstream } from '../../src/dns/fake-upstream.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { defaultPlan, hostAddress } from '../../src/sandbox/network-plan.ts';
import { PODS, agentExec, isReady, leftoversOf, netexec, podSpec, startPodCluster, waitForPod } from './pods-support.ts';
import type { PodTestCluster } from './pods-support.ts';

const plan = defaultPlan({ clusterName: 'dns1', bridge: 'skdns1', underlayCidr: '198.18.68.0/24', clusterCidr: '198.18.144.0/20', serviceCidr: '198.19.80.0/20', lbPool: '198.18.69.0/24' });
const isRoot = process.getuid?.() === 0;
const R = { svc: findResource('', 'v1', 'services')!, ns: findResource('', 'v1', 'namespaces')!, cm: findResource('', 'v1', 'configmaps')! };

describe('cluster DNS from inside pods', { skip: isRoot ? false : 'needs root', timeout: 300_000 }, () => {
  let c: PodTestCluster;
  let dns: ClusterDns;
  let upstream: FakeUpstream;
  let stub: FakeUpstream;
  const logLines: string[] = [];
  const host = hostAddress(plan);
  const node = () => c.sandbox.nodes[0].address;
  const sh = (pod: string, command: string[]) => agentExec(c, node(), { pod, container: 'app', command });
  const getent = async (pod: string, name: string, db = 'hosts') => {
    const r = await sh(pod, ['getent', db, name]);
    return r.exitCode === 0 ? [...new Set(r.stdout.split('\n').filter(Boolean).map((l) => l.split(/\s+/)[0]))].sort() : [];
  };
  const dnsPod = (name: string, extra: Record<string, unknown> = {}, labels: Record<string, string> = {}) =>
    podSpec(name, { nodeName: 'node-1', containers: [netexec()], dnsPolicy: 'None', dnsConfig: { nameservers: [host], searches: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'], options: [{ name: 'ndots', value: '5' }] }, ...extra }, labels);

  before(async () => {
    c = await startPodCluster(plan, { nodeCount: 1 });
    upstream = await startFakeUpstream({ zone: 'example.test', records: [{ name: 'www.example.test', ttl: 60, type: 'A', address: '192.0.2.53' }] });
    stub = await startFakeUpstream({ zone: 'corp.test', records: [{ name: 'host.corp.test', ttl: 60, type: 'A', address: '10.20.30.40' }] });
    dns = await startClusterDns({ client: c.client, listen: [{ address: host, port: 53 }], upstreams: [upstream.server], configMap: { namespace: 'kube-system', name: 'coredns' }, queryLog: true, log: (l) => logLines.push(l) });
    await dns.synced;
    await c.client.create(R.ns, { metadata: { name: 'other' } });
    await c.client.create(R.svc, { metadata: { name: 'web', namespace: 'default' }, spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
    await c.client.create(R.svc, { metadata: { name: 'web', namespace: 'other' }, spec: { ports: [{ name: 'http', port: 80 }] } });
    await c.client.create(R.svc, { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'www.example.test' } });
    await c.client.create(R.svc, { metadata: { name: 'db', namespace: 'default' }, spec: { clusterIP: 'None', selector: { app: 'db' }, ports: [{ name: 'http', port: 8080 }] } });
    await c.client.create(PODS, dnsPod('client'));
    await waitForPod(c.client, 'client', 'Running and Ready', (p) => p.status?.phase === 'Running' && isReady(p));
    // The pod must read our resolv.conf: otherwise its lookups would go to the host's resolver.
    const conf = await sh('client', ['cat', '/etc/resolv.conf']);
    assert.match(conf.stdout, new RegExp(`^nameserver ${host.replaceAll('.', '\\.')}$`, 'm'), conf.stdout);
    assert.doesNotMatch(conf.stdout.replace(`nameserver ${host}`, ''), /nameserver/);
  });

  after(async () => {
    await dns?.stop();
    await upstream?.close();
    await stub?.close();
    await c?.stop();
    assert.deepEqual(leftoversOf(plan), []);
  });

  it('resolves a Service by short name, name.namespace and FQDN through the search path', async () => {
    const web = await c.client.get<Service>(R.svc, 'default', 'web');
    const other = await c.client.get<Service>(R.svc, 'other', 'web');
    assert.deepEqual(await getent('client', 'web'), [web.spec.clusterIP]);
    assert.deepEqual(await getent('client', 'web.other'), [other.spec.clusterIP]);
    assert.deepEqual(await getent('client', 'web.default.svc.cluster.local'), [web.spec.clusterIP]);
    assert.deepEqual(await getent('client', 'nope'), []);
    const client = await waitForPod(c.client, 'client', 'its IP', (p) => Boolean(p.status?.podIP));
    assert.ok(logLines.some((l) => l.startsWith(`${client.status!.podIP}:`) && l.includes('"A IN web.other.svc.cluster.local. udp')), 'the pod asked our server itself');
  });

  it('answers SRV with dig +search, and ExternalName as a CNAME', async () => {
    const srv = await sh('client', ['dig', '+search', '+short', '_http._tcp.web', 'SRV']);
    assert.equal(srv.stdout.trim(), '0 100 80 web.default.svc.cluster.local.');
    const cname = await sh('client', ['dig', '+short', 'ext.default.svc.cluster.local', 'CNAME']);
    assert.equal(cname.stdout.trim(), 'www.example.test.');
    assert.deepEqual(await getent('client', 'ext'), ['192.0.2.53']);
  });

  it('follows a headless Service as it scales up and down, and names a pod with hostname and subdomain', async () => {
    await c.client.create(PODS, dnsPod('db-0', { hostname: 'db-0', subdomain: 'db' }, { app: 'db' }));
    await c.client.create(PODS, dnsPod('db-1', {}, { app: 'db' }));
    const p0 = await waitForPod(c.client, 'db-0', 'Ready', (p) => isReady(p));
    const p1 = await waitForPod(c.client, 'db-1', 'Ready', (p) => isReady(p));
    const both = [p0.status!.podIP!, p1.status!.podIP!].sort();
    await waitFor('two db addresses', async () => (await getent('client', 'db', 'ahostsv4')).join() === both.join(), { timeoutMs: 15_000, intervalMs: 200 });
    assert.deepEqual(await getent('client', 'db-0.db.default.svc.cluster.local'), [p0.status!.podIP!]);
    await c.client.delete(PODS, 'default', 'db-1', { gracePeriodSeconds: 0 });
    await waitFor('one db address', async () => (await getent('client', 'db', 'ahostsv4')).join() === p0.status!.podIP!, { timeoutMs: 15_000, intervalMs: 200 });
  });

  it('resolves a stub domain once the ConfigMap names its server, without a restart', async () => {
    assert.deepEqual(await getent('client', 'host.corp.test'), []);
    await c.client.create(R.cm, { metadata: { name: 'coredns', namespace: 'kube-system' }, data: { Corefile: `. {\n  forward . ${upstream.server}\n}\ncorp.test {\n  forward . ${stub.server}\n}\n` } });
    await waitFor('the stub domain', async () => (await getent('client', 'host.corp.test')).join() === '10.20.30.40', { timeoutMs: 10_000, intervalMs: 200 });
  });
});
