import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../api/nodes.ts';
import { BridgeFdb } from '../platform/linux/bridge-fdb.ts';
import { FakeCommandRunner } from '../platform/linux/command-fake.ts';
import { Ip } from '../platform/linux/ip.ts';
import { VTEP_MAC_ANNOTATION, desiredVxlan, diffVxlan, isOverlay, vtepAddress } from './vxlan.ts';
import { ensureVxlanDevice, syncVxlan } from './vxlan-overlay.ts';

function node(name: string, options: { ip?: string; cidr?: string; mac?: string }): Node {
  return {
    metadata: { name, annotations: options.mac ? { [VTEP_MAC_ANNOTATION]: options.mac } : {} },
    spec: options.cidr ? { podCIDR: options.cidr, podCIDRs: [options.cidr] } : {},
    status: { addresses: options.ip ? [{ type: 'InternalIP', address: options.ip }] : [] },
  };
}

const nodes = [
  node('node-2', { ip: '198.18.84.12', cidr: '198.18.113.0/24', mac: '0A:00:00:00:00:02' }),
  node('node-1', { ip: '198.18.84.11', cidr: '198.18.112.0/24', mac: '0a:00:00:00:00:01' }),
  node('node-3', { ip: '198.18.84.13', cidr: '198.18.114.0/24' }),
  node('node-4', { cidr: '198.18.115.0/24', mac: '0a:00:00:00:00:04' }),
];

describe('vxlan planning', () => {
  it('uses the network address of the pod CIDR as the VTEP address', () => {
    assert.equal(vtepAddress('198.18.113.0/24'), '198.18.113.0');
    assert.equal(vtepAddress('198.18.113.77/24'), '198.18.113.0');
    assert.equal(vtepAddress('198.18.112.0/20'), '198.18.112.0');
  });

  it('knows the two overlays', () => {
    assert.ok(isOverlay('vxlan') && isOverlay('host-gw'));
    assert.ok(!isOverlay('geneve'));
  });

  it('programs route, neighbor and fdb entry for every other node that published a VTEP MAC', () => {
    assert.deepEqual(desiredVxlan(nodes, 'node-1'), {
      routes: [{ dst: '198.18.113.0/24', via: '198.18.113.0', dev: 'skiff-vxlan', isOnlink: true, protocol: '78' }],
      neighbors: [{ ip: '198.18.113.0', mac: '0a:00:00:00:00:02' }],
      fdb: [{ mac: '0a:00:00:00:00:02', dst: '198.18.84.12' }],
    });
  });

  it('removes the entries of a node that went away, and keeps what is already right', () => {
    const desired = desiredVxlan(nodes.filter((n) => n.metadata.name !== 'node-2'), 'node-1');
    const actual = {
      routes: [
        { dst: '198.18.113.0/24', gateway: '198.18.113.0', dev: 'skiff-vxlan', type: 'unicast', protocol: '78' },
        { dst: '198.18.84.0/24', dev: 'eth0', type: 'unicast', protocol: 'kernel' },
      ],
      neighbors: [{ ip: '198.18.113.0', mac: '0a:00:00:00:00:02' }],
      fdb: [{ mac: '0a:00:00:00:00:02', dst: '198.18.84.12' }],
    };
    assert.deepEqual(diffVxlan(desired, actual), {
      replace: { routes: [], neighbors: [], fdb: [] },
      remove: { routes: [{ dst: '198.18.113.0/24', protocol: '78' }], neighbors: actual.neighbors, fdb: actual.fdb },
    });
    assert.deepEqual(diffVxlan(desiredVxlan(nodes, 'node-1'), actual), { replace: { routes: [], neighbors: [], fdb: [] }, remove: { routes: [], neighbors: [], fdb: [] } });
  });

  it('re-points the fdb entry when a node moves to another underlay address', () => {
    const actual = { routes: [], neighbors: [{ ip: '198.18.113.0', mac: '0a:00:00:00:00:02' }], fdb: [{ mac: '0a:00:00:00:00:02', dst: '198.18.84.99' }] };
    const { replace, remove } = diffVxlan(desiredVxlan(nodes, 'node-1'), actual);
    assert.deepEqual(replace.fdb, [{ mac: '0a:00:00:00:00:02', dst: '198.18.84.12' }]);
    assert.deepEqual(remove.fdb, [{ mac: '0a:00:00:00:00:02', dst: '198.18.84.99' }]);
    assert.equal(replace.routes.length, 1);
  });
});

describe('vxlan overlay side effects', () => {
  it('creates the device once, gives it the VTEP address and returns its MAC', async () => {
    const f = new FakeCommandRunner();
    let created = false;
    f.on('ip link add', () => ((created = true), {}));
    f.on('ip -j -d link show', () => ({ stdout: created ? '[{"ifindex":4,"ifname":"skiff-vxlan","flags":["UP"],"mtu":1450,"operstate":"UNKNOWN","address":"E6:55:2A:68:E0:22","linkinfo":{"info_kind":"vxlan"}}]' : '[]' }));
    const mac = await ensureVxlanDevice({ ip: new Ip(f), fdb: new BridgeFdb(f) }, { nodeIp: '198.18.84.11', podCidr: '198.18.112.0/24' });
    assert.equal(mac, 'e6:55:2a:68:e0:22');
    assert.deepEqual(f.lines().filter((l) => !l.includes('link show')), [
      'ip link add skiff-vxlan type vxlan id 1 dstport 4789 local 198.18.84.11 dev eth0 nolearning',
      'ip addr replace 198.18.112.0/32 dev skiff-vxlan',
      'ip link set dev skiff-vxlan up',
    ]);
  });

  it('removes stale entries before programming the wanted ones', async () => {
    const f = new FakeCommandRunner();
    f.on('ip -j route show', { stdout: JSON.stringify([{ dst: '198.18.120.0/24', gateway: '198.18.120.0', dev: 'skiff-vxlan', protocol: '78' }]) });
    f.on('ip -j neigh show', { stdout: '[{"dst":"198.18.120.0","lladdr":"0a:00:00:00:00:09","state":["PERMANENT"]}]' });
    f.on('bridge -j fdb show', { stdout: '[{"mac":"0a:00:00:00:00:09","dst":"198.18.84.19","state":"permanent"}]' });
    const counts = await syncVxlan({ ip: new Ip(f), fdb: new BridgeFdb(f) }, desiredVxlan(nodes, 'node-1'));
    assert.deepEqual(counts, { replaced: 3, removed: 3 });
    assert.deepEqual(f.lines().slice(3), [
      'ip route delete 198.18.120.0/24 proto 78',
      'ip neigh del 198.18.120.0 dev skiff-vxlan',
      'bridge fdb del 0a:00:00:00:00:09 dev skiff-vxlan dst 198.18.84.19 self',
      'bridge fdb replace 0a:00:00:00:00:02 dev skiff-vxlan dst 198.18.84.12 self permanent',
      'ip neigh replace 198.18.113.0 lladdr 0a:00:00:00:00:02 dev skiff-vxlan nud permanent',
      'ip route replace 198.18.113.0/24 via 198.18.113.0 dev skiff-vxlan proto 78 onlink',
    ]);
  });
});
