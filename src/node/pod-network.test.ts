import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fakeCni } from '../platform/linux/cni-fake.ts';
import { Ip } from '../platform/linux/ip.ts';
import { renderConflist } from './conflist.ts';
import { PodNetwork, portMappings } from './pod-network.ts';
import type { NodePod } from './pod-types.ts';

const conflist = renderConflist({ podCidr: '198.18.130.0/24', routes: ['198.18.0.0/15'], ipamDataDir: '/x/ipam' });

function pod(uid = 'uid-1'): NodePod {
  return { metadata: { name: 'web', namespace: 'default', uid }, spec: { containers: [{ name: 'app', ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }, { containerPort: 53, protocol: 'UDP' }] }] } };
}

function setup() {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-podnet-'));
  const { cni, plugins, runner } = fakeCni();
  const netns = new Set<string>();
  runner.on('ip netns add', (call) => (netns.has(call.args[2]) ? { exitCode: 1, stderr: 'Cannot create namespace file "/run/netns/x": File exists' } : (netns.add(call.args[2]), {})));
  runner.on('ip netns delete', (call) => (netns.delete(call.args[2]), {}));
  runner.on('ip -j netns list', () => ({ stdout: JSON.stringify([...netns].map((name) => ({ name }))) }));
  const net = new PodNetwork({ ip: new Ip(runner), cni, netnsPrefix: 'skiff-t-pod-', cacheDir: join(dir, 'results') });
  return { dir, net, plugins, netns };
}

describe('PodNetwork', () => {
  it('creates the netns, runs loopback then the conflist with the pod uid, eth0, CNI_ARGS and hostPort mappings', async () => {
    const { dir, net, plugins, netns } = setup();
    try {
      const a = await net.setUp(pod(), conflist);
      assert.deepEqual(a, { netns: 'skiff-t-pod-uid-1', ips: ['198.18.130.2'], isAdopted: false });
      assert.ok(netns.has('skiff-t-pod-uid-1'));
      assert.deepEqual(plugins.calls.map((c) => `${c.command} ${c.plugin} ${c.containerId} ${c.ifName} ${c.netns}`), [
        'ADD loopback uid-1 lo /run/netns/skiff-t-pod-uid-1',
        'ADD bridge uid-1 eth0 /run/netns/skiff-t-pod-uid-1',
        'ADD portmap uid-1 eth0 /run/netns/skiff-t-pod-uid-1',
      ]);
      assert.deepEqual(plugins.calls[2].config.runtimeConfig, { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }] });
      assert.ok(plugins.calls[2].config.prevResult, 'portmap gets the bridge result');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('adopts an attachment a previous agent made, and tears it down with DEL in reverse order with the cached result', async () => {
    const { dir, net, plugins, netns } = setup();
    try {
      await net.setUp(pod(), conflist);
      plugins.calls.length = 0;
      assert.deepEqual(await net.setUp(pod(), conflist), { netns: 'skiff-t-pod-uid-1', ips: ['198.18.130.2'], isAdopted: true });
      // adoption verifies the attachment with CNI CHECK against the cached result, and changes nothing
      assert.deepEqual(plugins.calls.map((c) => `${c.command} ${c.plugin}`), ['CHECK bridge', 'CHECK portmap']);
      assert.ok(plugins.calls.every((c) => c.config.prevResult));
      plugins.calls.length = 0;
      await net.tearDown('uid-1', undefined);
      assert.deepEqual(plugins.calls.map((c) => `${c.command} ${c.plugin}`), ['DEL portmap', 'DEL bridge']);
      assert.ok(plugins.calls.every((c) => c.config.prevResult));
      assert.equal(netns.size, 0);
      assert.equal(plugins.allocations.size, 0);
      plugins.calls.length = 0;
      await net.tearDown('uid-1', conflist);
      assert.equal(plugins.calls.length, 0, 'nothing left to delete');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('attaches a pod anew when CNI CHECK finds its adopted attachment broken', async () => {
    const { dir, net, plugins } = setup();
    try {
      await net.setUp(pod('uid-3'), conflist);
      plugins.calls.length = 0;
      plugins.failNext('bridge', 'CHECK', { code: 7, msg: 'veth is gone' });
      const failed: string[] = [];
      net.onCheckFailed = (p, e) => failed.push(`${p.metadata.uid}: ${(e as Error).message}`);
      const again = await net.setUp(pod('uid-3'), conflist);
      assert.equal(again.isAdopted, false);
      assert.equal(failed.length, 1);
      assert.match(failed[0], /^uid-3: .*veth is gone/);
      assert.deepEqual(plugins.calls.map((c) => `${c.command} ${c.plugin}`), ['CHECK bridge', 'DEL portmap', 'DEL bridge', 'ADD loopback', 'ADD bridge', 'ADD portmap']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('starts over when the netns exists but no result was cached (a crash mid-ADD)', async () => {
    const { dir, net, plugins, netns } = setup();
    try {
      netns.add('skiff-t-pod-uid-2');
      await net.setUp(pod('uid-2'), conflist);
      assert.deepEqual(plugins.calls.map((c) => `${c.command} ${c.plugin}`), ['DEL portmap', 'DEL bridge', 'ADD loopback', 'ADD bridge', 'ADD portmap']);
      assert.deepEqual(await net.listNetnsUids(), ['uid-2']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('lists only hostPort mappings', () => {
    assert.deepEqual(portMappings(pod()), [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }]);
  });
});
