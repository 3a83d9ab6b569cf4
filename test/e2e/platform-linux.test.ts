// The platform adapters against the real tools: CNI plugins, nftables and conntrack inside namespaces.
// Everything lives in two namespaces this test makes (`skiff-plt1-*`); no host state is touched.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { defaultRunner } from '../../src/platform/linux/command.ts';
import type { CommandRunner } from '../../src/platform/linux/command.ts';
import { Cni, CniError } from '../../src/platform/linux/cni.ts';
import type { CniConflist } from '../../src/platform/linux/cni.ts';
import { Conntrack } from '../../src/platform/linux/conntrack.ts';
import { Ip } from '../../src/platform/linux/ip.ts';
import { Nft, NftError } from '../../src/platform/linux/nft.ts';
import { killProcessTree, spawnInNetns } from '../../src/platform/linux/process.ts';
import { waitFor } from '../../src/lib/wait.ts';

const NODE = 'skiff-plt1-node';
const POD = 'skiff-plt1-pod-a';
const ip = new Ip();
const isRoot = process.getuid?.() === 0;
/** Runs every command inside the node netns, as the node agent (which lives there) would. */
const inNode: CommandRunner = { run: (cmd, args, options = {}) => defaultRunner.run(cmd, args, { ...options, netns: NODE }) };

async function cleanup(): Promise<void> {
  for (const ns of [POD, NODE]) {
    if (!(await ip.hasNetns(ns))) continue;
    for (const pid of await ip.netnsPids(ns)) await killProcessTree(pid).catch(() => {});
    await ip.deleteNetns(ns);
  }
}

function run(netns: string, script: string, args: string[]): Promise<string> {
  const child = spawnInNetns(netns, [process.execPath, '-e', script, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return new Promise((resolve) => child.on('close', () => resolve(out.trim())));
}

describe('platform adapters on the real kernel', { skip: isRoot ? false : 'needs root' }, () => {
  let dataDir = '';
  const servers: ChildProcess[] = [];
  before(async () => {
    await cleanup();
    dataDir = mkdtempSync(join(tmpdir(), 'skiff-plt1-ipam-'));
    await ip.addNetns(NODE);
    await ip.addNetns(POD);
    await ip.setLinkUp('lo', { netns: NODE });
  });
  after(async () => {
    for (const s of servers) s.kill('SIGKILL');
    await cleanup();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('attaches a pod with the bridge and host-local plugins, checks it, and detaches it twice', async () => {
    const conflist: CniConflist = {
      cniVersion: '1.0.0',
      name: 'skiff-plt1-pods',
      plugins: [
        { type: 'bridge', bridge: 'cni0', isGateway: true, ipam: { type: 'host-local', dataDir, ranges: [[{ subnet: '198.18.44.0/24' }]] } },
        { type: 'tuning', sysctl: { 'net.ipv4.conf.eth0.accept_local': '0' } },
      ],
    };
    const cni = new Cni(inNode);
    assert.ok((await cni.versions('bridge')).includes('1.0.0'));
    const runtime = { containerId: 'plt1-a', netns: POD, ifName: 'eth0', args: { K8S_POD_NAME: 'a' } };
    const result = await cni.add(conflist, runtime);
    assert.equal(result.cniVersion, '1.0.0');
    assert.equal(result.ips?.[0].address, '198.18.44.2/24');
    assert.equal(result.ips?.[0].gateway, '198.18.44.1');
    assert.deepEqual((await ip.listAddresses({ netns: POD, dev: 'eth0' })).filter((a) => a.family === 'inet').map((a) => a.cidr), ['198.18.44.2/24']);
    assert.deepEqual((await ip.listRoutes({ netns: POD })).filter((r) => r.dst === 'default'), [], 'no default route without isDefaultGateway');

    // the node reaches the pod across cni0
    await ip.setLinkUp('lo', { netns: POD });
    const server = spawnInNetns(POD, [process.execPath, '-e', "const s=require('net').createServer(c=>c.end('pod a'));s.listen(8080,()=>console.log('up'))"], { stdio: ['ignore', 'pipe', 'inherit'] });
    servers.push(server);
    let up = '';
    server.stdout!.on('data', (d) => (up += d));
    await waitFor('the pod server', () => up.includes('up'));
    const got = await run(NODE, "const c=require('net').connect(8080,process.argv[1]);let d='';c.on('data',x=>d+=x);c.on('end',()=>console.log(d));c.on('error',e=>console.log(e.code))", ['198.18.44.2']);
    assert.equal(got, 'pod a');

    await cni.check(conflist, runtime, { prevResult: result });
    await cni.del(conflist, runtime, { prevResult: result });
    assert.equal(await ip.getLink('eth0', { netns: POD }), undefined);
    await cni.del(conflist, runtime, { prevResult: result }); // missing state is not an error
  });

  it('reports a plugin\'s error object as a CniError with its code', async () => {
    const cni = new Cni(inNode);
    const bad: CniConflist = { cniVersion: '1.0.0', name: 'skiff-plt1-bad', plugins: [{ type: 'bridge', bridge: 'cni0', ipam: { type: 'host-local', dataDir, ranges: [[{ subnet: 'not-a-subnet' }]] } }] };
    const e = await cni.add(bad, { containerId: 'plt1-b', netns: POD, ifName: 'eth1' }).catch((x: unknown) => x);
    assert.ok(e instanceof CniError, String(e));
    assert.equal(e.reason, 'PluginError');
    assert.ok(e.code > 0, e.message);
  });

  it('applies nft rulesets atomically inside a netns, lists and deletes tables', async () => {
    const nft = new Nft();
    const table = { family: 'inet' as const, name: 'skiff-plt1-test' };
    await nft.apply('table inet skiff-plt1-test {\n  chain input {\n    type filter hook input priority 0; policy accept;\n    ct state established,related accept comment "conntrack on"\n  }\n}\n', { netns: NODE });
    const ruleset = await nft.listRuleset({ netns: NODE });
    assert.deepEqual(ruleset.tables, [table]);
    assert.deepEqual(ruleset.chains.map((c) => [c.name, c.hook, c.priority, c.policy]), [['input', 'input', 0, 'accept']]);
    assert.equal(ruleset.rules[0].comment, 'conntrack on');
    assert.equal(await nft.hasTable(table), false, 'the host does not see it');

    // a script with one bad line changes nothing
    const e = await nft.apply('table inet skiff-plt1-other {}\nadd rule inet skiff-plt1-test input tcp dport nonsense drop\n', { netns: NODE }).catch((x: unknown) => x);
    assert.ok(e instanceof NftError && e.code === 'RulesetRejected', String(e));
    assert.match(e.stderr, /nonsense/);
    assert.deepEqual((await nft.listTables({ netns: NODE })).map((t) => t.name), ['skiff-plt1-test']);
  });

  it('deletes conntrack flows in a netns, and finds none to delete without an error', async () => {
    const conntrack = new Conntrack();
    assert.equal(await conntrack.deleteFlows({ protocol: 'udp', origDst: '127.0.0.9' }, { netns: NODE }), 0);
    // one UDP datagram to loopback inside the node netns makes a flow (the nft table above turned conntrack on)
    await run(NODE, "const s=require('dgram').createSocket('udp4');s.send('x',5353,'127.0.0.9',()=>{s.close();console.log('sent')})", []);
    assert.equal(await conntrack.deleteFlows({ protocol: 'udp', origDst: '127.0.0.9' }, { netns: NODE }), 1);
    assert.equal(await new Nft().deleteTable({ family: 'inet', name: 'skiff-plt1-test' }, { netns: NODE }), true);
    assert.equal(await new Nft().deleteTable({ family: 'inet', name: 'skiff-plt1-test' }, { netns: NODE }), false);
  });
});
