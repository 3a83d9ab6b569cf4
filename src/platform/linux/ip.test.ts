import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCommandRunner } from './command-fake.ts';
import { Ip, IpError, classify, routeArgs } from './ip.ts';

function setup(): { ip: Ip; f: FakeCommandRunner } {
  const f = new FakeCommandRunner();
  return { ip: new Ip(f), f };
}

const isCode = (code: string) => (e: unknown) => e instanceof IpError && e.code === code;

describe('Ip: namespaces', () => {
  it('adds a netns and reports an existing one as not created', async () => {
    const { ip, f } = setup();
    assert.equal(await ip.addNetns('skiff-a-node-1'), true);
    f.on('ip netns add', { exitCode: 1, stderr: 'Cannot create namespace file "/run/netns/skiff-a-node-1": File exists' });
    assert.equal(await ip.addNetns('skiff-a-node-1'), false);
    assert.deepEqual(f.lines(), ['ip netns add skiff-a-node-1', 'ip netns add skiff-a-node-1']);
  });

  it('deletes a netns, tolerating one that is already gone', async () => {
    const { ip, f } = setup();
    f.on('ip netns delete', { exitCode: 1, stderr: 'Cannot remove namespace file "/run/netns/x": No such file or directory' });
    assert.equal(await ip.deleteNetns('x'), false);
  });

  it('lists namespaces from the JSON listing, sorted', async () => {
    const { ip, f } = setup();
    f.on('ip -j netns list', { stdout: '[{"name":"b","id":1},{"name":"a"}]\n' });
    assert.deepEqual(await ip.listNetns(), ['a', 'b']);
    assert.equal(await ip.hasNetns('a'), true);
    assert.equal(await ip.hasNetns('c'), false);
  });

  it('lists no namespaces when ip prints nothing', async () => {
    assert.deepEqual(await setup().ip.listNetns(), []);
  });

  it('reads the pids inside a netns', async () => {
    const { ip, f } = setup();
    f.on('ip netns pids', { stdout: '123\n4567\n' });
    assert.deepEqual(await ip.netnsPids('n'), [123, 4567]);
  });
});

describe('Ip: links and addresses', () => {
  it('builds the exact commands, with -n for a netns', async () => {
    const { ip, f } = setup();
    await ip.addBridge('skiff0');
    await ip.addVeth('sk-a-1', { peer: 'eth0', peerNetns: 'skiff-a-node-1' });
    await ip.setMaster('sk-a-1', { master: 'skiff0' });
    await ip.setLinkUp('eth0', { netns: 'skiff-a-node-1' });
    await ip.setLinkDown('eth0', { netns: 'skiff-a-node-1' });
    await ip.renameLink('veth1', { to: 'eth0', netns: 'n' });
    await ip.moveLink('veth1', { to: 'n' });
    await ip.addAddress('eth0', { cidr: '198.18.0.11/24', netns: 'skiff-a-node-1' });
    await ip.deleteAddress('skiff0', { cidr: '198.18.0.1/24' });
    assert.deepEqual(f.lines(), [
      'ip link add skiff0 type bridge',
      'ip link add sk-a-1 type veth peer name eth0 netns skiff-a-node-1',
      'ip link set dev sk-a-1 master skiff0',
      'ip -n skiff-a-node-1 link set dev eth0 up',
      'ip -n skiff-a-node-1 link set dev eth0 down',
      'ip -n n link set dev veth1 name eth0',
      'ip link set dev veth1 netns n',
      'ip -n skiff-a-node-1 addr replace 198.18.0.11/24 dev eth0',
      'ip addr delete 198.18.0.1/24 dev skiff0',
    ]);
  });

  it('says Exists when a link name is taken', async () => {
    const { ip, f } = setup();
    f.on('ip link add', { exitCode: 2, stderr: 'RTNETLINK answers: File exists' });
    await assert.rejects(ip.addBridge('skiff0'), isCode('Exists'));
  });

  it('deletes a link, tolerating a missing link or a missing netns', async () => {
    const { ip, f } = setup();
    f.on('ip link delete', { exitCode: 1, stderr: 'Cannot find device "sk-a-1"' });
    assert.equal(await ip.deleteLink('sk-a-1'), false);
    f.on('ip -n gone', { exitCode: 1, stderr: 'Cannot open network namespace "gone": No such file or directory' });
    assert.equal(await ip.deleteLink('eth0', { netns: 'gone' }), false);
  });

  it('does not hide other failures of a delete', async () => {
    const { ip, f } = setup();
    f.on('ip link delete', { exitCode: 2, stderr: 'RTNETLINK answers: Operation not permitted' });
    await assert.rejects(ip.deleteLink('x'), (e: unknown) => isCode('Failed')(e) && (e as IpError).stderr.includes('not permitted'));
  });

  it('parses links, filtering by name prefix', async () => {
    const { ip, f } = setup();
    f.on('ip -j -d link show', {
      stdout: JSON.stringify([
        { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP'], mtu: 65536, operstate: 'UNKNOWN', address: '00:00:00:00:00:00' },
        { ifindex: 7, link_index: 2, ifname: 'sk-a-1', flags: ['BROADCAST', 'UP', 'LOWER_UP'], mtu: 1500, operstate: 'UP', master: 'skiff0', link_netnsid: 0, address: '76:35:24:8d:b5:83', linkinfo: { info_kind: 'veth' } },
        { ifindex: 8, ifname: 'skiff0', flags: ['BROADCAST'], mtu: 1500, operstate: 'DOWN', linkinfo: { info_kind: 'bridge' } },
      ]),
    });
    assert.deepEqual(await ip.listLinks({ prefix: 'sk-a-' }), [
      { name: 'sk-a-1', index: 7, kind: 'veth', isUp: true, operstate: 'UP', master: 'skiff0', mac: '76:35:24:8d:b5:83', mtu: 1500, linkNetnsId: 0, peerIndex: 2 },
    ]);
    assert.equal((await ip.getLink('skiff0'))?.isUp, false);
    assert.equal((await ip.getLink('lo'))?.kind, undefined);
    assert.equal(await ip.getLink('nope'), undefined);
  });

  it('parses IPv4 and IPv6 addresses per device', async () => {
    const { ip, f } = setup();
    f.on('ip -n n -j addr show dev eth0', {
      stdout: JSON.stringify([{ ifindex: 2, ifname: 'eth0', addr_info: [{ family: 'inet', local: '198.18.0.11', prefixlen: 24 }, { family: 'inet6', local: 'fe80::1', prefixlen: 64 }] }]),
    });
    assert.deepEqual(await ip.listAddresses({ netns: 'n', dev: 'eth0' }), [
      { dev: 'eth0', family: 'inet', local: '198.18.0.11', prefixLength: 24, cidr: '198.18.0.11/24' },
      { dev: 'eth0', family: 'inet6', local: 'fe80::1', prefixLength: 64, cidr: 'fe80::1/64' },
    ]);
  });
});

describe('Ip: routes', () => {
  it('builds route commands with type, via, dev and metric', async () => {
    const { ip, f } = setup();
    await ip.replaceRoute({ dst: '198.19.0.0/16', via: '198.18.0.11', dev: 'skiff0' });
    await ip.addRoute({ dst: '198.18.128.0/17', type: 'unreachable', metric: 4242 }, { netns: 'n' });
    await ip.deleteRoute({ dst: '198.18.128.0/17', type: 'unreachable', metric: 4242 });
    await ip.addRoute({ dst: '198.18.130.0/24', dev: 'eth0', src: '198.18.0.12', scope: 'link', protocol: 'static', isOnlink: true });
    assert.deepEqual(f.lines(), [
      'ip route replace 198.19.0.0/16 via 198.18.0.11 dev skiff0',
      'ip -n n route add unreachable 198.18.128.0/17 metric 4242',
      'ip route delete unreachable 198.18.128.0/17 metric 4242',
      'ip route add 198.18.130.0/24 dev eth0 src 198.18.0.12 scope link proto static onlink',
    ]);
  });

  it('refuses every default route, on the host and in a netns, without running ip', async () => {
    const { ip, f } = setup();
    for (const dst of ['default', '0.0.0.0/0', 'DEFAULT', '0.0.0.0/1', '128.0.0.0/1', '::/0']) {
      await assert.rejects(ip.addRoute({ dst, via: '198.18.0.1' }), isCode('DefaultRouteRefused'), dst);
      await assert.rejects(ip.replaceRoute({ dst, dev: 'eth0' }, { netns: 'n' }), isCode('DefaultRouteRefused'), dst);
    }
    assert.deepEqual(f.calls, []);
  });

  it('allows a wide unreachable route: it keeps packets in, it sends none out', () => {
    assert.deepEqual(routeArgs({ dst: '198.18.0.0/15', type: 'unreachable', metric: 9 }), ['unreachable', '198.18.0.0/15', 'metric', '9']);
  });

  it('tolerates deleting a route that is not there', async () => {
    const { ip, f } = setup();
    f.on('ip route delete', { exitCode: 2, stderr: 'RTNETLINK answers: No such process' });
    assert.equal(await ip.deleteRoute({ dst: '198.18.5.0/24', dev: 'skiff0' }), false);
  });

  it('parses routes and filters them by device', async () => {
    const { ip, f } = setup();
    f.on('ip -j route show', {
      stdout: JSON.stringify([
        { dst: 'default', gateway: '192.0.2.1', dev: 'eth0', flags: [] },
        { dst: '198.18.0.0/24', dev: 'skiff0', protocol: 'kernel', scope: 'link', prefsrc: '198.18.0.1', flags: [] },
        { type: 'unreachable', dst: '198.18.128.0/17', metric: 4242, flags: [] },
      ]),
    });
    assert.deepEqual(await ip.listRoutes({ dev: 'skiff0' }), [{ dst: '198.18.0.0/24', type: 'unicast', dev: 'skiff0', protocol: 'kernel', scope: 'link', prefsrc: '198.18.0.1' }]);
    assert.deepEqual((await ip.listRoutes())[2], { dst: '198.18.128.0/17', type: 'unreachable', metric: 4242 });
  });
});

describe('Ip: sysctl', () => {
  it('writes sysctls only inside the named netns', async () => {
    const { ip, f } = setup();
    await ip.setSysctl('skiff-a-node-1', { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': '2' });
    assert.deepEqual(f.lines(), ['[netns skiff-a-node-1] sysctl -w net.ipv4.ip_forward=1 net.ipv4.conf.all.rp_filter=2']);
  });

  it('has no way to write a host sysctl', async () => {
    const { ip, f } = setup();
    await assert.rejects(ip.setSysctl('', { 'net.ipv4.ip_forward': 1 }));
    await assert.rejects(ip.setSysctl(undefined as unknown as string, { 'net.ipv4.ip_forward': 1 }));
    assert.deepEqual(f.calls, []);
  });

  it('reads a sysctl on the host or in a netns', async () => {
    const { ip, f } = setup();
    f.on('sysctl -n', { stdout: '0\n' });
    assert.equal(await ip.readSysctl('net.ipv4.ip_forward'), '0');
    await ip.readSysctl('net.ipv4.ip_forward', { netns: 'n' });
    assert.deepEqual(f.lines(), ['sysctl -n net.ipv4.ip_forward', '[netns n] sysctl -n net.ipv4.ip_forward']);
  });

  it('refuses a sysctl key that could smuggle an assignment', async () => {
    await assert.rejects(setup().ip.setSysctl('n', { 'net.ipv4.ip_forward=1 x': 1 }), isCode('InvalidArgument'));
  });
});

describe('classify', () => {
  it('maps iproute2 messages to stable codes', () => {
    assert.equal(classify('RTNETLINK answers: File exists'), 'Exists');
    assert.equal(classify('Cannot find device "x"'), 'NotFound');
    assert.equal(classify('RTNETLINK answers: No such process'), 'NotFound');
    assert.equal(classify('Cannot open network namespace "x": No such file or directory'), 'NetnsNotFound');
    assert.equal(classify('RTNETLINK answers: Invalid argument'), 'Failed');
  });
});
