// `skiff up --nodes 2` as a user runs it: real node namespaces, agents, pods through the CNI plugins, a
// Deployment that heals itself, and `skiff down` leaving nothing behind. Uses a test-only address plan.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { SkiffCluster } from '../support/skiff-cli.ts';
import { getOnce } from '../support/http.ts';
import { waitFor } from '../../src/lib/wait.ts';

const PLAN = ['--dns-upstream', 'none', '--cluster-name', 'upn1', '--bridge', 'skupn1', '--underlay-cidr', '198.18.80.0/24', '--cluster-cidr', '198.18.160.0/20', '--service-cidr', '198.19.160.0/20', '--lb-pool', '198.18.81.0/24'];

interface PodView {
  metadata: { name: string; deletionTimestamp?: string };
  spec: { nodeName?: string };
  status: { phase?: string; podIP?: string; conditions?: { type: string; status: string }[] };
}

const isReady = (p: PodView) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;

/** Connects from the host only if the kernel routes the address into the test bridge (never via the uplink). */
function assertRoutedToSandbox(ip: string): void {
  const route = execFileSync('ip', ['route', 'get', ip], { encoding: 'utf8' });
  assert.match(route, /dev skupn1/, `refusing to send to ${ip}: ${route}`);
}

describe('skiff up --nodes 2', () => {
  const c = new SkiffCluster();
  const pods = async (selector: string): Promise<PodView[]> => JSON.parse(await c.kubectl('get', 'pods', '-l', selector, '-o', 'json')).items;

  before(async () => {
    const r = await c.skiff('up', '--port', '0', '--nodes', '2', ...PLAN);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /nodes Ready: 2\/2/);
  });
  after(async () => c.destroy());

  it('registers two Ready nodes with pod CIDRs from the cluster CIDR', async () => {
    const nodes = JSON.parse(await c.kubectl('get', 'nodes', '-o', 'json')).items as { metadata: { name: string }; spec: { podCIDR: string } }[];
    assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), ['node-1', 'node-2']);
    for (const n of nodes) assert.match(n.spec.podCIDR, /^198\.18\.1(6\d|7[0-5])\.0\/24$/);
    assert.notEqual(nodes[0].spec.podCIDR, nodes[1].spec.podCIDR);
  });

  it('runs a Deployment of 3 agnhost replicas to Running/Ready with unique pod IPs inside their node ranges', async () => {
    await c.kubectl('create', 'deployment', 'web', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--replicas=3', '--', '/agnhost', 'netexec', '--http-port=8080');
    const ready = await waitFor('3 Ready pods', async () => {
      const list = (await pods('app=web')).filter((p) => !p.metadata.deletionTimestamp);
      return list.length === 3 && list.every(isReady) ? list : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    const ips = ready.map((p) => p.status.podIP!);
    assert.equal(new Set(ips).size, 3);
    const nodes = JSON.parse(await c.kubectl('get', 'nodes', '-o', 'json')).items as { metadata: { name: string }; spec: { podCIDR: string } }[];
    for (const p of ready) {
      const cidr = nodes.find((n) => n.metadata.name === p.spec.nodeName)!.spec.podCIDR;
      assert.equal(p.status.podIP!.split('.').slice(0, 3).join('.'), cidr.split('.').slice(0, 3).join('.'), `${p.metadata.name} on ${p.spec.nodeName}`);
    }
    // the host reaches each pod directly, and the pod sees the host's own address (no NAT)
    for (const ip of ips) {
      assertRoutedToSandbox(ip);
      // Ready without a readiness probe means "started": the server may still be binding its port
      const body = await waitFor(`${ip} to answer`, async () => (await fetch(`http://${ip}:8080/clientip`, { signal: AbortSignal.timeout(2000) })).text(), { timeoutMs: 15_000, intervalMs: 100 });
      assert.match(body, /^198\.18\.80\.1:\d+$/);
    }
  });

  it('reaches a pod on the other node from inside a pod, by pod IP', async () => {
    const list = await pods('app=web');
    const a = list[0];
    const b = list.find((p) => p.spec.nodeName !== a.spec.nodeName) ?? list[1];
    const out = await c.kubectl('exec', a.metadata.name, '--', '/agnhost', 'connect', `${b.status.podIP}:8080`, '--timeout=5s');
    assert.equal(out.trim(), '');
    // and the server sees the client pod's own IP: no NAT between pods
    const clientIp = await c.kubectl('exec', a.metadata.name, '--', 'curl', '-s', '-m', '5', `http://${b.status.podIP}:8080/clientip`);
    assert.equal(clientIp.split(':')[0], a.status.podIP);
  });

  it('answers cluster DNS on the control-plane address, and forwards nothing with --dns-upstream none', async () => {
    const dig = (...a: string[]) => execFileSync('dig', ['@198.18.80.1', '+time=2', '+tries=1', ...a], { encoding: 'utf8' });
    await c.kubectl('expose', 'deployment', 'web', '--port=80', '--target-port=8080');
    const ip = (await c.kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    assert.match(ip, /^198\.19\.1[67]\d\.\d+$/);
    assert.equal(dig('+short', 'web.default.svc.cluster.local').trim(), ip);
    assert.equal(dig('+short', 'kube-dns.kube-system.svc.cluster.local').trim(), '198.19.160.10');
    assert.match(dig('nope.default.svc.cluster.local'), /status: NXDOMAIN/);
    assert.match(dig('example.com'), /status: SERVFAIL/);
  });

  it('load-balances a ClusterIP, a NodePort and a LoadBalancer IP across the pods, from the host and from a pod by name', async () => {
    const ip = (await c.kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    assertRoutedToSandbox(ip);
    const names = (await pods('app=web')).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name).sort();
    // one new connection per request: the proxy balances connections, and fetch would keep one alive
    const hostnames = async (url: string, n: number) => {
      const seen: string[] = [];
      for (let i = 0; i < n; i++) seen.push(await getOnce(url));
      return seen;
    };
    // the proxy programs the Service within its propagation budget; then round robin reaches every pod
    await waitFor('every pod behind the ClusterIP', async () => new Set(await hostnames(`http://${ip}/hostname`, 6)).size === names.length, { timeoutMs: 20_000, intervalMs: 100 });
    const seen = await hostnames(`http://${ip}/hostname`, 30);
    assert.deepEqual([...new Set(seen)].sort(), names);
    for (const n of names) assert.equal(seen.filter((h) => h === n).length, 10, `round robin: ${JSON.stringify(seen)}`);
    const [p] = names;
    assert.match(await c.kubectl('exec', p, '--', 'curl', '-s', '-m', '5', 'http://web/hostname'), /^web-/);
    assert.match(await c.kubectl('exec', p, '--', 'getent', 'hosts', 'web.default'), new RegExp(`^${ip.replace(/\./g, '\\.')}\\s`));
    await c.kubectl('expose', 'deployment', 'web', '--name=web-np', '--type=NodePort', '--port=80', '--target-port=8080');
    const nodePort = (await c.kubectl('get', 'svc', 'web-np', '-o', 'jsonpath={.spec.ports[0].nodePort}')).trim();
    for (const node of ['198.18.80.11', '198.18.80.12']) {
      assertRoutedToSandbox(node);
      const got = await waitFor(`NodePort ${node}:${nodePort}`, async () => (await fetch(`http://${node}:${nodePort}/hostname`, { signal: AbortSignal.timeout(2000) })).text(), { timeoutMs: 15_000, intervalMs: 100 });
      assert.ok(names.includes(got), got);
    }
    await c.kubectl('expose', 'deployment', 'web', '--name=web-lb', '--type=LoadBalancer', '--port=80', '--target-port=8080');
    const lbIp = await waitFor('a LoadBalancer IP', async () => (await c.kubectl('get', 'svc', 'web-lb', '-o', 'jsonpath={.status.loadBalancer.ingress[0].ip}')).trim() || undefined, { timeoutMs: 15_000, intervalMs: 100 });
    assert.match(lbIp, /^198\.18\.81\.\d+$/);
    assertRoutedToSandbox(lbIp);
    const viaLb = await waitFor(`the LoadBalancer IP ${lbIp}`, async () => (await fetch(`http://${lbIp}/hostname`, { signal: AbortSignal.timeout(2000) })).text(), { timeoutMs: 15_000, intervalMs: 100 });
    assert.ok(names.includes(viaLb), viaLb);
    // what the proxy programmed, readable per Service
    const rules = await c.skiff('proxy', 'rules', '--node', 'node-2');
    assert.equal(rules.code, 0, rules.stderr);
    assert.match(rules.stdout, /# node-2 \(netns skiff-upn1-node-2\): table ip skiff-upn1-proxy/);
    assert.match(rules.stdout, /default\/web/);
    assert.match(rules.stdout, new RegExp(lbIp.replace(/\./g, '\\.')));
  });

  it('replaces a deleted pod with a new one with a new IP', async () => {
    const before = await pods('app=web');
    const victim = before[0];
    await c.kubectl('delete', 'pod', victim.metadata.name, '--wait=true', '--timeout=60s');
    const after = await waitFor('a replacement pod', async () => {
      const list = (await pods('app=web')).filter((p) => !p.metadata.deletionTimestamp);
      return list.length === 3 && list.every(isReady) && !list.some((p) => p.metadata.name === victim.metadata.name) ? list : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    const fresh = after.find((p) => !before.some((b) => b.metadata.name === p.metadata.name))!;
    assert.ok(fresh.status.podIP);
    const others = after.filter((p) => p !== fresh).map((p) => p.status.podIP);
    assert.ok(!others.includes(fresh.status.podIP), 'the replacement has an IP of its own');
  });

  it('serves logs and exec through the API server from the node agent', async () => {
    const [p] = await pods('app=web');
    await waitFor('the pod to log its start', async () => /Started HTTP server on port 8080/.test(await c.kubectl('logs', p.metadata.name)), { timeoutMs: 15_000, intervalMs: 200 });
    assert.equal((await c.kubectl('exec', p.metadata.name, '--', 'hostname')).trim(), p.metadata.name);
    const r = await c.kubectlResult(['exec', p.metadata.name, '--', 'sh', '-c', 'exit 3']);
    assert.equal(r.code, 3);
  });

  it('scales and rolls the Deployment with the real kubectl, pods replaced on real nodes', async () => {
    await c.kubectl('scale', 'deploy/web', '--replicas=4');
    await c.kubectl('rollout', 'status', 'deploy/web', '--timeout=60s');
    const before = (await pods('app=web')).filter((p) => !p.metadata.deletionTimestamp).map((p) => p.metadata.name);
    assert.equal(before.length, 4);
    await c.kubectl('rollout', 'restart', 'deploy/web');
    await c.kubectl('rollout', 'status', 'deploy/web', '--timeout=90s');
    const after = await waitFor('the old pods to be gone', async () => {
      const list = (await pods('app=web')).filter((p) => !p.metadata.deletionTimestamp);
      return list.length === 4 && list.every(isReady) && list.every((p) => !before.includes(p.metadata.name)) ? list : undefined;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    assert.equal(after.length, 4);
    assert.match(await c.kubectl('rollout', 'history', 'deploy/web'), /^2\s/m);
  });

  it('leaves no namespace, link, route, cgroup or process behind after skiff down', async () => {
    const r = await c.skiff('down');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('skiff-upn1-')), []);
    assert.doesNotMatch(execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' }), /skupn1|sk-upn1/);
    assert.doesNotMatch(execFileSync('ip', ['route'], { encoding: 'utf8' }), /skupn1|198\.18\.8[01]\.0|198\.18\.160\.0\/20|198\.19\.160\.0\/20/);
    const cg = ['/sys/fs/cgroup/unified/skiff/upn1', '/sys/fs/cgroup/skiff/upn1'];
    for (const dir of cg) assert.ok(!existsSync(dir) || readdirSync(dir).every((e) => !e.match(/^[0-9a-f-]{36}$/)), `${dir} still holds pods`);
    assert.doesNotMatch(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }), new RegExp(`${c.dataDir}.*agent|skiff-upn1`));
  });
});
