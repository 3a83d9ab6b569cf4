import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Cni, CniError, cniArgs, pluginConfig } from './cni.ts';
import type { CniConflist, CniResult } from './cni.ts';
import { FakeCommandRunner } from './command-fake.ts';
import { fakeCni } from './cni-fake.ts';

const conflist: CniConflist = {
  cniVersion: '1.0.0',
  name: 'skiff-a-pods',
  plugins: [
    { type: 'bridge', bridge: 'cni0', isGateway: true, ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.129.0/24' }]] } },
    { type: 'portmap', capabilities: { portMappings: true } },
  ],
};
const runtime = { containerId: 'pod-uid-1', netns: 'skiff-a-pod-uid-1', ifName: 'eth0', args: { K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'web' } };
const bridgeResult: CniResult = { cniVersion: '1.0.0', interfaces: [{ name: 'cni0' }, { name: 'eth0', sandbox: '/run/netns/skiff-a-pod-uid-1' }], ips: [{ address: '198.18.129.2/24', gateway: '198.18.129.1', interface: 1 }] };

function pluginRunner(): FakeCommandRunner {
  const f = new FakeCommandRunner();
  f.on('/usr/lib/cni/bridge', { stdout: JSON.stringify(bridgeResult) });
  f.on('/usr/lib/cni/portmap', (call) => ({ stdout: JSON.stringify((JSON.parse(call.input!) as { prevResult: CniResult }).prevResult) }));
  return f;
}

const cniOn = (f: FakeCommandRunner) => new Cni(f, { paths: ['/usr/lib/cni', '/opt/cni/bin'], exists: (p) => p.startsWith('/usr/lib/cni/') });

describe('Cni', () => {
  it('runs ADD for each plugin in order with the spec environment and the previous result', async () => {
    const f = pluginRunner();
    const result = await cniOn(f).add(conflist, runtime);
    assert.deepEqual(result, bridgeResult);
    assert.deepEqual(f.lines(), ['/usr/lib/cni/bridge', '/usr/lib/cni/portmap']);
    assert.deepEqual(f.calls[0].env, {
      CNI_COMMAND: 'ADD',
      CNI_CONTAINERID: 'pod-uid-1',
      CNI_NETNS: '/run/netns/skiff-a-pod-uid-1',
      CNI_IFNAME: 'eth0',
      CNI_ARGS: 'K8S_POD_NAMESPACE=default;K8S_POD_NAME=web;IgnoreUnknown=1',
      CNI_PATH: '/usr/lib/cni:/opt/cni/bin',
    });
    const first = JSON.parse(f.calls[0].input!);
    assert.equal(first.cniVersion, '1.0.0');
    assert.equal(first.name, 'skiff-a-pods');
    assert.equal(first.prevResult, undefined);
    assert.deepEqual(JSON.parse(f.calls[1].input!).prevResult, bridgeResult);
  });

  it('runs DEL in reverse order, and the other plugins still run when one fails', async () => {
    const f = new FakeCommandRunner();
    f.on('/usr/lib/cni/portmap', { exitCode: 1, stdout: JSON.stringify({ cniVersion: '1.0.0', code: 11, msg: 'try again' }) });
    const e = await cniOn(f).del(conflist, runtime, { prevResult: bridgeResult }).catch((x: unknown) => x);
    assert.deepEqual(f.lines(), ['/usr/lib/cni/portmap', '/usr/lib/cni/bridge']);
    assert.ok(f.calls.every((c) => c.env!.CNI_COMMAND === 'DEL'));
    assert.deepEqual(JSON.parse(f.calls[1].input!).prevResult, bridgeResult);
    assert.ok(e instanceof CniError);
    assert.equal(e.code, 11);
    assert.equal(e.plugin, 'portmap');
  });

  it('runs CHECK in order with the cached result', async () => {
    const f = new FakeCommandRunner();
    await cniOn(f).check(conflist, runtime, { prevResult: bridgeResult });
    assert.deepEqual(f.calls.map((c) => `${c.env!.CNI_COMMAND} ${c.cmd}`), ['CHECK /usr/lib/cni/bridge', 'CHECK /usr/lib/cni/portmap']);
    assert.deepEqual(JSON.parse(f.calls[0].input!).prevResult, bridgeResult);
  });

  it('turns the plugin\'s error object into a CniError with its code, message and details', async () => {
    const f = new FakeCommandRunner().on('/usr/lib/cni/bridge', { exitCode: 1, stdout: JSON.stringify({ cniVersion: '1.0.0', code: 7, msg: 'invalid config', details: 'bridge name too long' }), stderr: 'log line' });
    const e = await cniOn(f).add(conflist, runtime).catch((x: unknown) => x);
    assert.ok(e instanceof CniError);
    assert.deepEqual([e.reason, e.code, e.command, e.plugin, e.details, e.stderr], ['PluginError', 7, 'ADD', 'bridge', 'bridge name too long', 'log line']);
    assert.match(e.message, /invalid config/);
    assert.equal(f.calls.length, 1, 'ADD stops at the first failing plugin');
  });

  it('reports a crash without an error object as ExecFailed', async () => {
    const f = new FakeCommandRunner().on('/usr/lib/cni/bridge', { exitCode: 2, stderr: 'panic: boom' });
    await assert.rejects(cniOn(f).add(conflist, runtime), (e: unknown) => e instanceof CniError && e.reason === 'ExecFailed' && e.code === 0 && e.stderr === 'panic: boom');
  });

  it('reports a result that is not JSON as BadOutput', async () => {
    const f = new FakeCommandRunner().on('/usr/lib/cni/bridge', { stdout: 'ok' });
    await assert.rejects(cniOn(f).add(conflist, runtime), (e: unknown) => e instanceof CniError && e.reason === 'BadOutput');
  });

  it('looks plugins up along the CNI path and says which is missing', async () => {
    const cni = new Cni(new FakeCommandRunner(), { paths: ['/a', '/b'], exists: (p) => p === '/b/bridge' });
    assert.equal(cni.findPlugin('bridge'), '/b/bridge');
    assert.throws(() => cni.findPlugin('flannel'), (e: unknown) => e instanceof CniError && e.reason === 'PluginNotFound' && /flannel not found in \/a:\/b/.test(e.message));
    assert.throws(() => cni.findPlugin('../bin/sh'), (e: unknown) => e instanceof CniError && e.reason === 'PluginNotFound');
  });

  it('asks a plugin which versions it supports', async () => {
    const f = new FakeCommandRunner().on('/usr/lib/cni/bridge', { stdout: '{"cniVersion":"1.0.0","supportedVersions":["0.4.0","1.0.0"]}' });
    assert.deepEqual(await cniOn(f).versions('bridge'), ['0.4.0', '1.0.0']);
    assert.equal(f.calls[0].env!.CNI_COMMAND, 'VERSION');
    assert.deepEqual(JSON.parse(f.calls[0].input!), { cniVersion: '1.0.0', type: 'bridge' });
  });

  it('adds IgnoreUnknown=1 to CNI_ARGS unless given, and leaves them empty when there are none', () => {
    assert.equal(cniArgs({ K8S_POD_NAME: 'web' }), 'K8S_POD_NAME=web;IgnoreUnknown=1');
    assert.equal(cniArgs({ IgnoreUnknown: '0', A: 'b' }), 'IgnoreUnknown=0;A=b');
    assert.equal(cniArgs({}), '');
  });

  it('passes runtimeConfig only for the capabilities a plugin declares', () => {
    const rt = { ...runtime, capabilityArgs: { portMappings: [{ hostPort: 8080, containerPort: 80, protocol: 'tcp' }], bandwidth: {} } };
    assert.equal(pluginConfig(conflist, conflist.plugins[0], rt).runtimeConfig, undefined);
    assert.deepEqual(pluginConfig(conflist, conflist.plugins[1], rt).runtimeConfig, { portMappings: rt.capabilityArgs.portMappings });
  });
});

describe('fakeCni', () => {
  it('hands out distinct addresses from the subnet and frees them on DEL', async () => {
    const { cni, plugins } = fakeCni();
    const a = await cni.add(conflist, runtime);
    const b = await cni.add(conflist, { ...runtime, containerId: 'pod-uid-2', netns: 'skiff-a-pod-uid-2' });
    assert.equal(a.ips![0].address, '198.18.129.2/24');
    assert.equal(b.ips![0].address, '198.18.129.3/24');
    assert.equal(a.ips![0].gateway, '198.18.129.1');
    await cni.check(conflist, runtime, { prevResult: a });
    await cni.del(conflist, runtime, { prevResult: a });
    await assert.rejects(cni.check(conflist, runtime, { prevResult: a }), (e: unknown) => e instanceof CniError && e.code === 3);
    assert.equal(plugins.allocations.size, 1);
  });

  it('fails the next call of a plugin on request', async () => {
    const { cni, plugins } = fakeCni();
    plugins.failNext('bridge', 'ADD', { code: 11, msg: 'busy' });
    await assert.rejects(cni.add(conflist, runtime), (e: unknown) => e instanceof CniError && e.code === 11);
    assert.equal((await cni.add(conflist, runtime)).ips![0].address, '198.18.129.2/24');
  });
});
