import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeCommandRunner } from '../platform/linux/command-fake.ts';
import { defaultPlan } from './network-plan.ts';
import { SandboxError, destroySandbox, sandboxStatus } from './sandbox.ts';

const plan = defaultPlan({ clusterName: 'sbx1', bridge: 'sksbx1', underlayCidr: '198.18.40.0/24', clusterCidr: '198.18.192.0/20', serviceCidr: '198.19.240.0/20', lbPool: '198.18.41.0/24' });
const link = (ifindex: number, ifname: string, kind: string) => ({ ifindex, ifname, flags: ['UP'], mtu: 1500, operstate: 'UP', linkinfo: { info_kind: kind } });

/** A host with this cluster's leftovers next to another cluster's (sbx10, whose names share a prefix) and the host's own. */
function crashedHost(): FakeCommandRunner {
  const f = new FakeCommandRunner();
  f.on('ip -j netns list', { stdout: JSON.stringify(['skiff-sbx1-node-1', 'skiff-sbx1-pod-web-1', 'skiff-sbx10-node-1', 'skiff-other-node-1', 'mine'].map((name) => ({ name }))) });
  let pidLooks = 0;
  f.on('ip netns pids skiff-sbx1-node-1', () => ({ stdout: pidLooks++ === 0 ? '4242\n4243\n' : '' }));
  f.on('ip -j -d link show', { stdout: JSON.stringify([link(1, 'eth0', 'veth'), link(5, 'sksbx1', 'bridge'), link(7, 'sk-sbx1-2', 'veth'), link(8, 'sk-sbx10-1', 'veth'), link(9, 'sksbx10', 'bridge')]) });
  f.on('ip -j route show', {
    stdout: JSON.stringify([
      { dst: 'default', gateway: '192.0.2.1', dev: 'eth0' },
      { dst: '198.18.40.0/24', dev: 'sksbx1', protocol: 'kernel', scope: 'link', prefsrc: '198.18.40.1' },
      { dst: '198.18.193.0/24', gateway: '198.18.40.12', dev: 'sksbx1' },
      { dst: '198.18.50.0/24', dev: 'sksbx10', protocol: 'kernel' },
      { type: 'unreachable', dst: '198.18.192.0/20', metric: 4242 },
    ]),
  });
  f.on('nft -j list ruleset', { stdout: JSON.stringify({ nftables: [{ table: { family: 'inet', name: 'skiff-sbx1-host' } }, { table: { family: 'inet', name: 'skiff-sbx10-host' } }, { table: { family: 'ip', name: 'filter' } }] }) });
  return f;
}

describe('destroySandbox', () => {
  it('removes exactly what is named for the cluster, killing processes before deleting their netns', async () => {
    const f = crashedHost();
    const cniDir = mkdtempSync(join(tmpdir(), 'skiff-cni-'));
    for (const d of ['skiff-sbx1-node-1', 'skiff-sbx10-node-1', 'other']) mkdirSync(join(cniDir, d));
    try {
      const report = await destroySandbox(plan, { runner: f, cniDataDir: cniDir });
      const lines = f.lines();
      const mutations = lines.filter((l) => !/ -j | netns pids |^ip -j/.test(l));
      assert.deepEqual(mutations, [
        'kill -KILL 4242 4243',
        'ip netns delete skiff-sbx1-node-1',
        'ip netns delete skiff-sbx1-pod-web-1',
        'ip link delete dev sk-sbx1-2',
        'ip route delete 198.18.40.0/24 dev sksbx1',
        'ip route delete 198.18.193.0/24 dev sksbx1',
        'ip route delete unreachable 198.18.192.0/20 metric 4242',
        'ip link delete dev sksbx1',
        'nft delete table inet skiff-sbx1-host',
      ]);
      assert.ok(lines.indexOf('kill -KILL 4242 4243') < lines.indexOf('ip netns delete skiff-sbx1-node-1'));
      assert.deepEqual(report.killedPids, [4242, 4243]);
      assert.deepEqual(report.netns, ['skiff-sbx1-node-1', 'skiff-sbx1-pod-web-1']);
      assert.deepEqual(report.cniDirs, ['skiff-sbx1-node-1']);
      assert.equal(existsSync(join(cniDir, 'skiff-sbx10-node-1')), true);
      assert.equal(existsSync(join(cniDir, 'other')), true);
    } finally {
      rmSync(cniDir, { recursive: true, force: true });
    }
  });

  it('is a no-op on a clean host', async () => {
    const f = new FakeCommandRunner();
    const report = await destroySandbox(plan, { runner: f, cniDataDir: '/nonexistent' });
    assert.deepEqual(report, { netns: [], killedPids: [], links: [], routes: [], nftTables: [], cniDirs: [] });
    assert.ok(f.lines().every((l) => / -j |^ip -j/.test(l)), f.lines().join('\n'));
  });

  it('refuses to delete a device of the bridge\'s name that is not a bridge', async () => {
    const f = new FakeCommandRunner().on('ip -j -d link show', { stdout: JSON.stringify([link(5, 'sksbx1', 'dummy')]) });
    await assert.rejects(destroySandbox(plan, { runner: f, cniDataDir: '/nonexistent' }), (e: unknown) => e instanceof SandboxError && e.code === 'NameInUse');
    assert.ok(!f.lines().includes('ip link delete dev sksbx1'));
  });

  it('says which processes survived SIGKILL, after cleaning up everything else', async () => {
    const f = new FakeCommandRunner();
    f.on('ip -j netns list', { stdout: '[{"name":"skiff-sbx1-node-1"}]' });
    f.on('ip netns pids', { stdout: '77\n' });
    f.on('ip -j route show', { stdout: '[{"type":"unreachable","dst":"198.18.41.0/24","metric":4242}]' });
    await assert.rejects(destroySandbox(plan, { runner: f, cniDataDir: '/nonexistent', killTimeoutMs: 50 }), (e: unknown) => e instanceof SandboxError && e.code === 'ProcessesRemain' && /77/.test(e.message));
    assert.ok(f.lines().includes('ip route delete unreachable 198.18.41.0/24 metric 4242'));
  });
});

describe('sandboxStatus', () => {
  it('lists what exists for the cluster and nothing of others', async () => {
    const f = crashedHost();
    f.on('ip -n skiff-sbx1-node-1 -j addr show dev eth0', { stdout: JSON.stringify([{ ifname: 'eth0', addr_info: [{ family: 'inet', local: '198.18.40.11', prefixlen: 24 }] }]) });
    f.on('ip -j addr show dev sksbx1', { stdout: JSON.stringify([{ ifname: 'sksbx1', addr_info: [{ family: 'inet', local: '198.18.40.1', prefixlen: 24 }] }]) });
    const s = await sandboxStatus(plan, { runner: f });
    assert.equal(s.bridge?.name, 'sksbx1');
    assert.deepEqual(s.bridgeAddresses, ['198.18.40.1/24']);
    assert.deepEqual(s.nodes.map((n) => [n.index, n.netns, n.addresses, n.hostVeth?.name]), [[1, 'skiff-sbx1-node-1', ['198.18.40.11/24'], undefined]]);
    assert.deepEqual(s.podNetns, ['skiff-sbx1-pod-web-1']);
    assert.deepEqual(s.strayLinks, ['sk-sbx1-2']);
    assert.deepEqual(s.routes.map((r) => r.dst), ['198.18.40.0/24', '198.18.193.0/24']);
    assert.deepEqual(s.unreachableRoutes.map((r) => r.dst), ['198.18.192.0/20']);
    assert.deepEqual(s.nftTables, [{ family: 'inet', name: 'skiff-sbx1-host' }]);
    assert.equal(s.isEmpty, false);
  });

  it('reports an empty sandbox on a clean host', async () => {
    assert.equal((await sandboxStatus(plan, { runner: new FakeCommandRunner() })).isEmpty, true);
  });
});
