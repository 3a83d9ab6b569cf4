import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCommandRunner } from '../platform/linux/command-fake.ts';
import type { RecordedCall } from '../platform/linux/command-fake.ts';
import { PlanError, defaultPlan } from './network-plan.ts';
import { SandboxError, addPodCidrRoute, buildSandbox, conflictingRoutes, removePodCidrRoute } from './sandbox.ts';

const plan = defaultPlan({ clusterName: 'sbx1', bridge: 'sksbx1', underlayCidr: '198.18.40.0/24', clusterCidr: '198.18.192.0/20', serviceCidr: '198.19.240.0/20', lbPool: '198.18.41.0/24' });

function nodeLines(i: number): string[] {
  const ns = `skiff-sbx1-node-${i}`;
  return [
    `ip netns add ${ns}`,
    `ip -n ${ns} link set dev lo up`,
    'ip -j -d link show',
    `ip -n ${ns} -j -d link show`,
    `ip link add sk-sbx1-${i} type veth peer name eth0 netns ${ns}`,
    `ip link set dev sk-sbx1-${i} master sksbx1`,
    `ip link set dev sk-sbx1-${i} up`,
    `ip -n ${ns} addr replace 198.18.40.${10 + i}/24 dev eth0`,
    `ip -n ${ns} link set dev eth0 up`,
    `[netns ${ns}] sysctl -w net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=2`,
  ];
}

/** The promises every command list must keep: host ip_forward untouched, no default route anywhere. */
function assertSafe(calls: readonly RecordedCall[]): void {
  for (const c of calls) {
    const text = [c.cmd, ...c.args].join(' ');
    if (/forward/.test(text)) assert.ok(c.netns !== undefined && c.cmd === 'sysctl', `host forwarding touched: ${text}`);
    assert.doesNotMatch(text, /\bdefault\b|0\.0\.0\.0\/0/, `default route: ${text}`);
    assert.doesNotMatch(text, /\/proc\/sys/, `raw /proc/sys write: ${text}`);
  }
}

const link = (ifindex: number, ifname: string, kind: string, peer?: number) => ({ ifindex, ifname, flags: ['UP'], mtu: 1500, operstate: 'UP', linkinfo: { info_kind: kind }, ...(peer ? { link_index: peer, link_netnsid: 0 } : {}) });

describe('buildSandbox', () => {
  it('builds bridge, nodes and host routes with exactly these commands on an empty host', async () => {
    const f = new FakeCommandRunner();
    const progress: string[] = [];
    const sb = await buildSandbox(plan, { nodeCount: 2, runner: f, onProgress: (m) => progress.push(m) });
    assert.deepEqual(f.lines(), [
      'ip -j route show',
      'ip -j -d link show',
      'ip link add sksbx1 type bridge',
      'ip addr replace 198.18.40.1/24 dev sksbx1',
      'ip link set dev sksbx1 up',
      ...nodeLines(1),
      ...nodeLines(2),
      'ip route replace 198.19.240.0/20 via 198.18.40.11 dev sksbx1',
      'ip route replace 198.18.41.0/24 dev sksbx1 scope link',
      'ip route replace unreachable 198.18.40.0/24 metric 4242',
      'ip route replace unreachable 198.18.192.0/20 metric 4242',
      'ip route replace unreachable 198.19.240.0/20 metric 4242',
      'ip route replace unreachable 198.18.41.0/24 metric 4242',
    ]);
    assertSafe(f.calls);
    assert.deepEqual(sb, {
      bridge: 'sksbx1',
      hostAddress: '198.18.40.1',
      nodes: [
        { index: 1, name: 'node-1', netns: 'skiff-sbx1-node-1', address: '198.18.40.11', hostVeth: 'sk-sbx1-1' },
        { index: 2, name: 'node-2', netns: 'skiff-sbx1-node-2', address: '198.18.40.12', hostVeth: 'sk-sbx1-2' },
      ],
    });
    assert.equal(progress.length, 4);
  });

  it('leaves an intact node alone when run again', async () => {
    const f = new FakeCommandRunner();
    f.on('ip -j -d link show', { stdout: JSON.stringify([link(5, 'sksbx1', 'bridge'), link(7, 'sk-sbx1-1', 'veth', 2)]) });
    f.on('ip -n skiff-sbx1-node-1 -j -d link show', { stdout: JSON.stringify([link(1, 'lo', 'loopback'), link(2, 'eth0', 'veth', 7)]) });
    f.on('ip netns add', { exitCode: 1, stderr: 'Cannot create namespace file "/run/netns/skiff-sbx1-node-1": File exists' });
    await buildSandbox(plan, { nodeCount: 1, runner: f });
    const lines = f.lines();
    assert.equal(lines.filter((l) => l.includes('link add') || l.includes('link delete')).length, 0, lines.join('\n'));
    assert.ok(lines.includes('ip -n skiff-sbx1-node-1 addr replace 198.18.40.11/24 dev eth0'));
    assertSafe(f.calls);
  });

  it('repairs a node whose veth was left half made by a crash', async () => {
    const f = new FakeCommandRunner();
    // host side exists, but the node netns has no eth0 paired with it
    f.on('ip -j -d link show', { stdout: JSON.stringify([link(5, 'sksbx1', 'bridge'), link(7, 'sk-sbx1-1', 'veth', 3)]) });
    f.on('ip -n skiff-sbx1-node-1 -j -d link show', { stdout: JSON.stringify([link(1, 'lo', 'loopback')]) });
    await buildSandbox(plan, { nodeCount: 1, runner: f });
    const lines = f.lines();
    const del = lines.indexOf('ip link delete dev sk-sbx1-1');
    assert.ok(del > 0 && lines.indexOf('ip link add sk-sbx1-1 type veth peer name eth0 netns skiff-sbx1-node-1') > del);
  });

  it('refuses to take over a non-bridge device of the bridge\'s name', async () => {
    const f = new FakeCommandRunner().on('ip -j -d link show', { stdout: JSON.stringify([link(5, 'sksbx1', 'veth')]) });
    await assert.rejects(buildSandbox(plan, { nodeCount: 1, runner: f }), (e: unknown) => e instanceof SandboxError && e.code === 'NameInUse');
  });

  it('refuses to build over a range the host already routes elsewhere', async () => {
    const f = new FakeCommandRunner().on('ip -j route show', { stdout: JSON.stringify([{ dst: '198.18.192.0/24', gateway: '198.18.99.1', dev: 'skother' }]) });
    await assert.rejects(buildSandbox(plan, { nodeCount: 1, runner: f }), (e: unknown) => e instanceof SandboxError && e.code === 'RangeInUse' && /198.18.192.0\/24 via 198.18.99.1 dev skother/.test(e.message));
    assert.deepEqual(f.lines(), ['ip -j route show']);
  });

  it('refuses a bad plan or node count before running anything', async () => {
    const f = new FakeCommandRunner();
    await assert.rejects(buildSandbox({ ...plan, serviceCidr: '10.96.0.0/12' }, { nodeCount: 1, runner: f }), PlanError);
    await assert.rejects(buildSandbox(plan, { nodeCount: 0, runner: f }), (e: unknown) => e instanceof SandboxError && e.code === 'InvalidArgument');
    assert.deepEqual(f.calls, []);
  });
});

describe('host routes', () => {
  it('routes a pod range via its node and removes it again', async () => {
    const f = new FakeCommandRunner();
    await addPodCidrRoute(plan, { cidr: '198.18.193.0/24', nodeIp: '198.18.40.12', runner: f });
    assert.equal(await removePodCidrRoute(plan, { cidr: '198.18.193.0/24', runner: f }), true);
    assert.deepEqual(f.lines(), ['ip route replace 198.18.193.0/24 via 198.18.40.12 dev sksbx1', 'ip route delete 198.18.193.0/24 dev sksbx1']);
  });

  it('refuses pod ranges outside the cluster CIDR and next hops off the underlay', async () => {
    const f = new FakeCommandRunner();
    await assert.rejects(addPodCidrRoute(plan, { cidr: '0.0.0.0/0', nodeIp: '198.18.40.12', runner: f }), SandboxError);
    await assert.rejects(addPodCidrRoute(plan, { cidr: '198.18.193.0/24', nodeIp: '192.0.2.1', runner: f }), SandboxError);
    await assert.rejects(removePodCidrRoute(plan, { cidr: '192.0.2.0/24', runner: f }), SandboxError);
    assert.deepEqual(f.calls, []);
  });

  it('counts only routes that are not the sandbox\'s own as conflicts', () => {
    const routes = [
      { dst: 'default', type: 'unicast', gateway: '192.0.2.1', dev: 'eth0' },
      { dst: '192.0.2.0/24', type: 'unicast', dev: 'eth0' },
      { dst: '198.18.40.0/24', type: 'unicast', dev: 'sksbx1' },
      { dst: '198.18.192.0/20', type: 'unreachable', metric: 4242 },
      { dst: '198.18.0.0/15', type: 'unreachable', metric: 100 },
      { dst: '198.18.0.0/15', type: 'unicast', dev: 'skother' },
      { dst: '198.18.192.0/20', type: 'unreachable', metric: 100 },
      { dst: '198.18.41.128/25', type: 'blackhole' },
      { dst: '198.19.240.7', type: 'unicast', dev: 'eth0' },
    ];
    // a wider reject route is a harmless safety net; the same or a narrower one would swallow our traffic
    assert.deepEqual(conflictingRoutes(plan, routes).map((r) => `${r.type} ${r.dst}`), ['unicast 198.18.0.0/15', 'unreachable 198.18.192.0/20', 'blackhole 198.18.41.128/25', 'unicast 198.19.240.7']);
  });
});
