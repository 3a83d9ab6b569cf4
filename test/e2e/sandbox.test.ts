// The one-machine underlay on the real kernel: build, reach, refuse, destroy, and survive a crash.
// Uses its own plan (never the defaults): other end-to-end tests run at the same time.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CommandError, defaultRunner } from '../../src/platform/linux/command.ts';
import { Ip } from '../../src/platform/linux/ip.ts';
import { spawnInNetns } from '../../src/platform/linux/process.ts';
import { defaultPlan, hostAddress, nodeAddress, nodeNetns } from '../../src/sandbox/network-plan.ts';
import { addPodCidrRoute, buildSandbox, destroySandbox, removePodCidrRoute, sandboxStatus } from '../../src/sandbox/sandbox.ts';
import { waitFor } from '../../src/lib/wait.ts';

const plan = defaultPlan({ clusterName: 'sbx1', bridge: 'sksbx1', underlayCidr: '198.18.40.0/24', clusterCidr: '198.18.192.0/20', serviceCidr: '198.19.240.0/20', lbPool: '198.18.41.0/24' });
const ip = new Ip();
const isRoot = process.getuid?.() === 0;
const children: ChildProcess[] = [];

const SERVER = `const s = require('node:net').createServer((c) => c.end(process.argv[1]));
s.listen(0, process.argv[2], () => console.log(s.address().port));`;
const CLIENT = `const c = require('node:net').connect(Number(process.argv[2]), process.argv[1]);
let d = ''; c.on('data', (x) => (d += x)); c.on('end', () => console.log(d));
c.on('error', (e) => { console.log('ERR ' + e.code); process.exitCode = 1; });`;

/** A TCP server inside `netns` that answers every connection with `greeting`; resolves with its port. */
async function serveIn(netns: string, greeting: string, bind = '0.0.0.0'): Promise<{ port: number; child: ChildProcess }> {
  const child = spawnInNetns(netns, [process.execPath, '-e', SERVER, greeting, bind], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  const port = await waitFor(`a server in ${netns}`, () => (/^\d+\n/.test(out) ? Number(out.trim()) : undefined), { timeoutMs: 10_000 });
  return { port, child };
}

/**
 * Fails the test, before any packet is sent, unless the host would keep traffic to `address` on the
 * sandbox bridge or refuse it: if the sandbox were broken, the packet must not follow the default route.
 */
async function assertStaysLocal(address: string): Promise<void> {
  try {
    const [route] = JSON.parse((await defaultRunner.run('ip', ['-j', 'route', 'get', address])).stdout) as { dev?: string }[];
    assert.equal(route?.dev, plan.bridge, `the host would send ${address} out of ${route?.dev}`);
  } catch (e) {
    if (!(e instanceof CommandError) || !/No route to host|Network is unreachable/.test(e.stderr)) throw e;
  }
}

/** Connects from the host; resolves with what the server said, or the error code. */
async function fetchFromHost(address: string, port: number): Promise<string> {
  await assertStaysLocal(address);
  return new Promise((resolve) => {
    const s = connect({ host: address, port, timeout: 5000 });
    let d = '';
    s.on('data', (x) => (d += x));
    s.on('end', () => resolve(d));
    s.on('timeout', () => (s.destroy(), resolve('TIMEOUT')));
    s.on('error', (e: NodeJS.ErrnoException) => resolve(`ERR ${e.code}`));
  });
}

/** Connects from inside `netns`. */
function fetchFromNetns(netns: string, address: string, port: number): Promise<string> {
  const child = spawnInNetns(netns, [process.execPath, '-e', CLIENT, address, String(port)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', () => resolve(out.trim())));
}

const hostForwarding = () => readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
const hostDefaultRoutes = async () => JSON.stringify((await ip.listRoutes()).filter((r) => r.dst === 'default'));

async function assertNothingLeft(): Promise<void> {
  const status = await sandboxStatus(plan);
  assert.equal(status.isEmpty, true, JSON.stringify(status, null, 1));
  assert.deepEqual((await ip.listNetns()).filter((n) => n.startsWith('skiff-sbx1-')), []);
  assert.deepEqual((await ip.listLinks()).filter((l) => l.name.startsWith('sk-sbx1-') || l.name === 'sksbx1'), []);
  const ranges = [plan.underlayCidr, plan.clusterCidr, plan.serviceCidr, plan.lbPool];
  assert.deepEqual((await ip.listRoutes()).filter((r) => r.dev === 'sksbx1' || ranges.includes(r.dst) || r.dst.startsWith('198.18.19')), []);
}

describe('sandbox on the real kernel', { skip: isRoot ? false : 'needs root' }, () => {
  let forwardingBefore = '';
  let defaultsBefore = '';
  before(async () => {
    forwardingBefore = hostForwarding();
    defaultsBefore = await hostDefaultRoutes();
    await destroySandbox(plan); // a previous run's leftovers
  });
  after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await destroySandbox(plan);
    assert.equal(hostForwarding(), forwardingBefore, 'the host ip_forward never changes');
    assert.equal(await hostDefaultRoutes(), defaultsBefore, 'the host default route never changes');
  });

  it('builds two nodes that the host and each other reach over the underlay, and destroys them without a trace', async () => {
    const sb = await buildSandbox(plan, { nodeCount: 2 });
    assert.deepEqual(sb.nodes.map((n) => n.address), ['198.18.40.11', '198.18.40.12']);
    const [n1, n2] = [nodeNetns(plan, 1), nodeNetns(plan, 2)];
    const s1 = await serveIn(n1, 'hello from node-1');
    const s2 = await serveIn(n2, 'hello from node-2');

    assert.equal(await fetchFromHost(nodeAddress(plan, 1), s1.port), 'hello from node-1');
    assert.equal(await fetchFromHost(nodeAddress(plan, 2), s2.port), 'hello from node-2');
    assert.equal(await fetchFromNetns(n1, nodeAddress(plan, 2), s2.port), 'hello from node-2');
    assert.equal(await fetchFromNetns(n2, nodeAddress(plan, 1), s1.port), 'hello from node-1');

    for (const ns of [n1, n2]) {
      assert.deepEqual((await ip.listRoutes({ netns: ns })).filter((r) => r.dst === 'default'), [], `no default route in ${ns}`);
      assert.equal(await ip.readSysctl('net.ipv4.ip_forward', { netns: ns }), '1');
    }
    assert.equal(hostForwarding(), forwardingBefore);
    assert.equal(await hostDefaultRoutes(), defaultsBefore);

    // Nothing routes this cluster address: the host's unreachable route refuses it at once.
    let started = Date.now();
    assert.match(await fetchFromHost('198.18.192.77', 80), /^ERR E(HOST|NET)UNREACH$/);
    assert.ok(Date.now() - started < 1000, 'refused locally, not timed out');
    // A service address goes to node 1, which has no route for it (no default route) and says so.
    started = Date.now();
    assert.match(await fetchFromHost('198.19.240.99', 80), /^ERR E(HOST|NET)UNREACH$/);
    assert.ok(Date.now() - started < 3000);

    // A pod range routed via node 2 reaches an address node 2 holds in it, until the route goes.
    await ip.addAddress('lo', { netns: n2, cidr: '198.18.193.1/32' });
    const pod = await serveIn(n2, 'hello from a pod range', '198.18.193.1');
    await addPodCidrRoute(plan, { cidr: '198.18.193.0/24', nodeIp: nodeAddress(plan, 2) });
    assert.equal(await fetchFromHost('198.18.193.1', pod.port), 'hello from a pod range');
    assert.equal(await fetchFromNetns(n1, '198.18.193.1', pod.port), 'ERR ENETUNREACH', 'node 1 has no route to it (that is the agent\'s job)');
    assert.equal(await removePodCidrRoute(plan, { cidr: '198.18.193.0/24' }), true);
    assert.match(await fetchFromHost('198.18.193.1', pod.port), /^ERR E(HOST|NET)UNREACH$/);

    const status = await sandboxStatus(plan);
    assert.deepEqual(status.nodes.map((n) => [n.netns, n.addresses, n.hostVeth?.master]), [
      [n1, ['198.18.40.11/24'], 'sksbx1'],
      [n2, ['198.18.40.12/24'], 'sksbx1'],
    ]);
    assert.deepEqual(status.bridgeAddresses, [`${hostAddress(plan)}/24`]);
    assert.equal(status.unreachableRoutes.length, 4);

    const exited = Promise.all([s1.child, s2.child, pod.child].map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    const report = await destroySandbox(plan);
    await exited; // the servers inside the namespaces were killed
    assert.deepEqual(report.netns, [n1, n2]);
    assert.equal(report.killedPids.length, 3);
    await assertNothingLeft();
  });

  it('recovers from a build killed half way: builds again in place, then destroys everything', async () => {
    // A child process builds and SIGKILLs itself as soon as node 1 is done: no destroy, no cleanup.
    const sandboxModule = fileURLToPath(new URL('../../src/sandbox/sandbox.ts', import.meta.url));
    const script = `import { buildSandbox } from ${JSON.stringify(sandboxModule)};
      await buildSandbox(${JSON.stringify(plan)}, { nodeCount: 2, onProgress: (m) => { if (m.startsWith('node-2')) process.kill(process.pid, 'SIGKILL'); } });`;
    const crashed = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: 'inherit' });
    const signal = await new Promise((r) => crashed.on('exit', (_code, sig) => r(sig)));
    assert.equal(signal, 'SIGKILL');

    let status = await sandboxStatus(plan);
    assert.deepEqual(status.nodes.map((n) => n.netns), [nodeNetns(plan, 1)], 'the crash left node 1 only');
    assert.equal(status.unreachableRoutes.length, 0);
    // something still runs in the orphaned node, as an agent would
    const orphan = await serveIn(nodeNetns(plan, 1), 'orphan');

    await buildSandbox(plan, { nodeCount: 2 });
    const vethIndex = (await ip.getLink('sk-sbx1-1'))!.index;
    await buildSandbox(plan, { nodeCount: 2 }); // and again: nothing is recreated
    assert.equal((await ip.getLink('sk-sbx1-1'))!.index, vethIndex);
    status = await sandboxStatus(plan);
    assert.deepEqual(status.nodes.map((n) => n.addresses), [['198.18.40.11/24'], ['198.18.40.12/24']]);
    assert.equal(status.unreachableRoutes.length, 4);
    assert.equal(await fetchFromHost(nodeAddress(plan, 1), orphan.port), 'orphan');
    const s2 = await serveIn(nodeNetns(plan, 2), 'node-2 after the crash');
    assert.equal(await fetchFromNetns(nodeNetns(plan, 1), nodeAddress(plan, 2), s2.port), 'node-2 after the crash');

    const report = await destroySandbox(plan);
    assert.ok(report.killedPids.includes(orphan.child.pid!));
    await assertNothingLeft();
    assert.deepEqual(await destroySandbox(plan), { netns: [], killedPids: [], links: [], routes: [], nftTables: [], cniDirs: [] }, 'destroying twice is a no-op');
  });
});
