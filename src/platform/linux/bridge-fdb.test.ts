import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BridgeFdb } from './bridge-fdb.ts';
import { FakeCommandRunner } from './command-fake.ts';
import { IpError } from './ip-model.ts';

function setup(): { fdb: BridgeFdb; f: FakeCommandRunner } {
  const f = new FakeCommandRunner();
  return { fdb: new BridgeFdb(f), f };
}

describe('BridgeFdb', () => {
  it('creates a vxlan link without learning, bound to the underlay device and address', async () => {
    const { fdb, f } = setup();
    await fdb.addVxlan('skiff-vxlan', { vni: 1, port: 4789, local: '198.18.84.11', dev: 'eth0' });
    await fdb.addVxlan('skiff-vxlan', { vni: 1, port: 4789, local: '198.18.84.11', dev: 'eth0', netns: 'skiff-a-node-1' });
    assert.deepEqual(f.lines(), [
      'ip link add skiff-vxlan type vxlan id 1 dstport 4789 local 198.18.84.11 dev eth0 nolearning',
      '[netns skiff-a-node-1] ip link add skiff-vxlan type vxlan id 1 dstport 4789 local 198.18.84.11 dev eth0 nolearning',
    ]);
  });

  it('programs permanent neighbor and fdb entries with replace, so repeating is harmless', async () => {
    const { fdb, f } = setup();
    await fdb.replaceNeighbor('skiff-vxlan', { ip: '198.18.113.0', mac: '0a:00:00:00:00:02' });
    await fdb.replaceFdb('skiff-vxlan', { mac: '0a:00:00:00:00:02', dst: '198.18.84.12' });
    assert.deepEqual(f.lines(), [
      'ip neigh replace 198.18.113.0 lladdr 0a:00:00:00:00:02 dev skiff-vxlan nud permanent',
      'bridge fdb replace 0a:00:00:00:00:02 dev skiff-vxlan dst 198.18.84.12 self permanent',
    ]);
  });

  it('lists only permanent neighbors and only fdb entries with a remote destination', async () => {
    const { fdb, f } = setup();
    f.on('ip -j neigh show', { stdout: '[{"dst":"198.18.113.0","lladdr":"0A:00:00:00:00:02","state":["PERMANENT"]},{"dst":"198.18.114.0","state":["FAILED"]}]' });
    f.on('bridge -j fdb show', { stdout: '[{"mac":"0a:00:00:00:00:02","dst":"198.18.84.12","flags":["self"],"state":"permanent"},{"mac":"33:33:00:00:00:01","flags":["self"],"state":"permanent"}]' });
    assert.deepEqual(await fdb.listNeighbors('skiff-vxlan'), [{ ip: '198.18.113.0', mac: '0a:00:00:00:00:02' }]);
    assert.deepEqual(await fdb.listFdb('skiff-vxlan', { netns: 'n1' }), [{ mac: '0a:00:00:00:00:02', dst: '198.18.84.12' }]);
    assert.equal(f.lines()[1], '[netns n1] bridge -j fdb show dev skiff-vxlan');
  });

  it('deletes entries, answering false when they are already gone', async () => {
    const { fdb, f } = setup();
    assert.equal(await fdb.deleteFdb('skiff-vxlan', { mac: '0a:00:00:00:00:02', dst: '198.18.84.12' }), true);
    f.on('ip neigh del', { exitCode: 2, stderr: 'RTNETLINK answers: No such file or directory' });
    assert.equal(await fdb.deleteNeighbor('skiff-vxlan', { ip: '198.18.113.0' }), false);
    assert.deepEqual(f.lines(), ['bridge fdb del 0a:00:00:00:00:02 dev skiff-vxlan dst 198.18.84.12 self', 'ip neigh del 198.18.113.0 dev skiff-vxlan']);
  });

  it('refuses malformed addresses before running anything', async () => {
    const { fdb, f } = setup();
    await assert.rejects(fdb.replaceFdb('skiff-vxlan', { mac: 'zz', dst: '198.18.84.12' }), (e) => e instanceof IpError && e.code === 'InvalidArgument');
    await assert.rejects(fdb.replaceNeighbor('skiff-vxlan', { ip: '198.18.113.0; reboot', mac: '0a:00:00:00:00:02' }), (e) => e instanceof IpError && e.code === 'InvalidArgument');
    assert.deepEqual(f.lines(), []);
  });

  it('reports other failures as IpError with the tool stderr', async () => {
    const { fdb, f } = setup();
    f.on('ip link add', { exitCode: 2, stderr: 'RTNETLINK answers: File exists' });
    await assert.rejects(fdb.addVxlan('skiff-vxlan', { vni: 1, port: 4789, local: '198.18.84.11', dev: 'eth0' }), (e) => e instanceof IpError && e.code === 'Exists' && /File exists/.test(e.stderr));
  });
});
