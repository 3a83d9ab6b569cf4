// `skiff up --nodes 2 --overlay vxlan`: pods on two nodes talk by pod IP through the VXLAN overlay (no host-gw
// routes), the server sees the client pod's own IP, and `skiff down` leaves nothing. Test-only address plan.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { SkiffCluster } from '../support/skiff-cli.ts';
import { waitFor } from '../../src/lib/wait.ts';

const PLAN = ['--cluster-name', 'vxl1', '--bridge', 'skvxl1', '--underlay-cidr', '198.18.84.0/24', '--cluster-cidr', '198.18.112.0/20', '--service-cidr', '198.19.96.0/20', '--lb-pool', '198.18.85.0/24', '--dns-upstream', 'none'];
const NODE_IP: Record<string, string> = { 'node-1': '198.18.84.11', 'node-2': '198.18.84.12' };

interface PodView {
  metadata: { name: string };
  spec: { nodeName?: string };
  status: { podIP?: string; conditions?: { type: string; status: string }[] };
}

interface NodeView {
  metadata: { name: string; annotations?: Record<string, string> };
  spec: { podCIDR: string };
}

const isReady = (p: PodView) => p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
const inNode = (i: number, ...args: string[]) => execFileSync('ip', ['-n', `skiff-vxl1-node-${i}`, ...args], { encoding: 'utf8' });

function podManifest(name: string, node: string): string {
  return JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'vx' } },
    spec: { nodeName: node, containers: [{ name: 'web', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['netexec', '--http-port=8080'] }] },
  });
}

describe('skiff up --nodes 2 --overlay vxlan', () => {
  const c = new SkiffCluster();

  before(async () => {
    const r = await c.skiff('up', '--port', '0', '--nodes', '2', '--overlay', 'vxlan', ...PLAN);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /overlay vxlan/);
    assert.match(r.stdout, /nodes Ready: 2\/2/);
  });
  after(async () => c.destroy());

  it('persists the overlay in the cluster config', () => {
    const config = JSON.parse(readFileSync(`${c.dataDir}/config.json`, 'utf8'));
    assert.equal(config.overlay, 'vxlan');
  });

  it('gives each node a vxlan device, publishes its MAC, and programs the other node flannel-style', async () => {
    const nodes = await waitFor('both VTEP MACs published', async () => {
      const items = JSON.parse(await c.kubectl('get', 'nodes', '-o', 'json')).items as NodeView[];
      return items.length === 2 && items.every((n) => n.metadata.annotations?.['skiff.dev/vtep-mac']) ? items : undefined;
    }, { timeoutMs: 20_000, intervalMs: 200 });
    for (const [i, self] of [[1, 'node-1'], [2, 'node-2']] as const) {
      const other = nodes.find((n) => n.metadata.name !== self)!;
      const mine = nodes.find((n) => n.metadata.name === self)!;
      const mac = other.metadata.annotations!['skiff.dev/vtep-mac'];
      const vtep = other.spec.podCIDR.replace(/\/\d+$/, '');
      const link = inNode(i, '-d', 'link', 'show', 'skiff-vxlan');
      assert.match(link, /vxlan id 1 local 198\.18\.84\.1[12] dev eth0/);
      assert.match(link, /dstport 4789/);
      assert.match(link, /nolearning/);
      assert.match(link, new RegExp(`link/ether ${mine.metadata.annotations!['skiff.dev/vtep-mac']}`));
      const routes = await waitFor(`node-${i} to route ${other.spec.podCIDR} over the overlay`, () => {
        const r = inNode(i, 'route', 'show');
        return r.includes(`${other.spec.podCIDR} via ${vtep} dev skiff-vxlan proto 78 onlink`) ? r : undefined;
      }, { timeoutMs: 20_000, intervalMs: 100 });
      assert.doesNotMatch(routes, new RegExp(`via ${NODE_IP[other.metadata.name].replaceAll('.', '\\.')}`), 'no host-gw route via the other node');
      assert.match(inNode(i, 'neigh', 'show', 'dev', 'skiff-vxlan'), new RegExp(`${vtep.replaceAll('.', '\\.')} lladdr ${mac} PERMANENT`));
      const fdb = execFileSync('nsenter', [`--net=/run/netns/skiff-vxl1-node-${i}`, '--', 'bridge', 'fdb', 'show', 'dev', 'skiff-vxlan'], { encoding: 'utf8' });
      assert.match(fdb, new RegExp(`${mac} dst ${NODE_IP[other.metadata.name].replaceAll('.', '\\.')} self permanent`));
    }
  });

  it('lets pods on the two nodes reach each other by pod IP, and the server sees the client pod IP', async () => {
    for (const [name, node] of [['vx-a', 'node-1'], ['vx-b', 'node-2']]) {
      const r = await c.kubectlResult(['apply', '-f', '-'], podManifest(name, node));
      assert.equal(r.code, 0, r.stderr);
    }
    const [a, b] = await waitFor('both pods Ready', async () => {
      const items = (JSON.parse(await c.kubectl('get', 'pods', '-l', 'app=vx', '-o', 'json')).items as PodView[]).sort((x, y) => x.metadata.name.localeCompare(y.metadata.name));
      return items.length === 2 && items.every(isReady) ? items : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    assert.equal(a.spec.nodeName, 'node-1');
    assert.equal(b.spec.nodeName, 'node-2');
    for (const [client, server] of [[a, b], [b, a]]) {
      // Ready without a readiness probe means "started": the server may still be binding its port
      const body = await waitFor(`${client.metadata.name} → ${server.status.podIP}`, async () => {
        const out = await c.kubectl('exec', client.metadata.name, '--', 'curl', '-s', '-m', '3', `http://${server.status.podIP}:8080/clientip`);
        return out.trim() || undefined;
      }, { timeoutMs: 20_000, intervalMs: 200 });
      assert.equal(body.split(':')[0], client.status.podIP, 'no NAT between pods');
    }
    // the packets really go through the overlay: the device counted them
    const stats = JSON.parse(inNode(1, '-j', '-s', 'link', 'show', 'skiff-vxlan'))[0].stats64;
    assert.ok(stats.tx.packets > 0 && stats.rx.packets > 0, JSON.stringify(stats));
  });

  it('leaves no namespace, link, route or process behind after skiff down', async () => {
    const r = await c.skiff('down');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('skiff-vxl1-')), []);
    assert.doesNotMatch(execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' }), /skvxl1|sk-vxl1/);
    assert.doesNotMatch(execFileSync('ip', ['route'], { encoding: 'utf8' }), /skvxl1|198\.18\.8[45]\.0|198\.18\.112\.0\/20|198\.19\.96\.0\/20/);
    assert.doesNotMatch(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }), new RegExp(`${c.dataDir}.*agent|skiff-vxl1`));
  });
});
