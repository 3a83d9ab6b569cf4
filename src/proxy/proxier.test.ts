import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCommandRunner } from '../platform/linux/command-fake.ts';
import type { EndpointSlice, Service } from '../api/types.ts';
import { Proxier } from './proxier.ts';
import { SequenceFailed } from '../netfilter/nl-apply.ts';
import { NlUnsupported } from '../netfilter/nl-encode.ts';
import type { NftOp } from '../netfilter/transaction.ts';
import { OPTIONS, slice, svc } from './test-fixtures.ts';

const NETNS = 'skiff-t-node-1';

function setup(options: { existing?: string } = {}) {
  const runner = new FakeCommandRunner();
  // What `nft -t -f -` prints for `list chains ip; list sets ip; list maps ip`: another table's objects too.
  const other = 'table ip nat {\n\tchain POSTROUTING {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n\t}\n}\n';
  runner.on(`[netns ${NETNS}] nft -t -f -`, { stdout: other + (options.existing ?? '') });
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const proxier = new Proxier({ ...OPTIONS, runner, netns: NETNS, now: () => now });
  const scripts = () => runner.calls.filter((c) => c.args.join(' ') === '-f -').map((c) => c.input!);
  return { runner, proxier, clock, scripts };
}

const web = (ready = ['198.18.224.10', '198.18.224.11']): [Service, EndpointSlice] => [
  svc('default', 'web', { clusterIP: '198.19.208.10', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }),
  slice('default', 'web', [{ name: 'http', port: 9376 }], ready.map((ip) => ({ ip }))),
];

function listed(p: Proxier, objects: [Service, EndpointSlice][]): void {
  for (const [s, e] of objects) {
    p.services.update(undefined, s);
    p.endpointSlices.update(undefined, e);
  }
  p.isServicesSynced = true;
  p.isEndpointSlicesSynced = true;
}

describe('Proxier.sync', () => {
  it('writes nothing before both Services and EndpointSlices have been listed', async () => {
    const { runner, proxier } = setup();
    proxier.services.update(undefined, web()[0]);
    proxier.isServicesSynced = true;
    assert.equal((await proxier.sync()).kind, 'skipped');
    assert.deepEqual(runner.calls, []);
  });

  it('starts with one full transaction in the node netns, then sends only the Service that changed', async () => {
    const { runner, proxier, scripts } = setup();
    const other = svc('default', 'other', { clusterIP: '198.19.208.30' });
    listed(proxier, [web(), [other, slice('default', 'other', [{ name: 'http', port: 80 }], [{ ip: '198.18.224.50' }])]]);
    assert.equal((await proxier.sync()).kind, 'full');
    // A new table: its chains and sets are declared first, then filled in one transaction.
    assert.deepEqual(runner.lines(), [`[netns ${NETNS}] nft -t -f -`, `[netns ${NETNS}] nft -f -`, `[netns ${NETNS}] nft -f -`]);
    const [prelude, full] = scripts();
    assert.match(prelude, /^add table ip skiff-test-proxy/);
    assert.doesNotMatch(prelude, /add rule|add element/);
    assert.doesNotMatch(full, /add chain/);
    assert.match(full, /add element ip skiff-test-proxy service-ips \{[^\n]*198\.19\.208\.10 \. tcp \. 80 comment "default\/web:http" : goto service-/);

    proxier.endpointSlices.update(web()[1], web(['198.18.224.10', '198.18.224.11', '198.18.224.12'])[1]);
    const r = await proxier.sync();
    assert.equal(r.kind, 'partial');
    const partial = scripts()[2];
    assert.match(partial, /flush chain ip skiff-test-proxy service-[A-Z0-9]{8}-default\/web\/tcp\/http\n/);
    // Two endpoints filled a run of two slots: three move to a run of four, in the same transaction.
    assert.match(partial, /add rule ip skiff-test-proxy service-\S+ meta l4proto tcp dnat ip to numgen inc mod 3 offset (\d+) map @endpoints-0\n/);
    const offset = Number(/offset (\d+) map/.exec(partial)![1]);
    assert.match(partial, /delete element ip skiff-test-proxy endpoints-0 \{ 0, 1 \}/);
    assert.ok(partial.includes(`add element ip skiff-test-proxy endpoints-0 { ${offset} comment "default/web:http" : 198.18.224.10 . 9376, ${offset + 1} comment "default/web:http" : 198.18.224.11 . 9376, ${offset + 2} comment "default/web:http" : 198.18.224.12 . 9376 }`), partial);
    assert.match(partial, /add element ip skiff-test-proxy hairpin \{ 198\.18\.224\.12 \. 198\.18\.224\.12 \}/);
    assert.doesNotMatch(partial, /other|flush map|add table|add chain|delete element ip skiff-test-proxy (service-ips|hairpin)/);

    // Back to two: the run of four is kept, its third slot and the hairpin address go.
    proxier.endpointSlices.update(web(['198.18.224.10', '198.18.224.11', '198.18.224.12'])[1], web()[1]);
    await proxier.sync();
    assert.match(scripts()[3], new RegExp(`dnat ip to numgen inc mod 2 offset ${offset} map @endpoints-0\n`));
    assert.match(scripts()[3], new RegExp(`delete element ip skiff-test-proxy endpoints-0 \\{ ${offset + 2} \\}`));
    assert.match(scripts()[3], /delete element ip skiff-test-proxy hairpin \{ 198\.18\.224\.12 \. 198\.18\.224\.12 \}/);
    assert.doesNotMatch(scripts()[3], /add element/);
  });

  it('keeps one hairpin entry per local endpoint address, however many Services and ports share it', async () => {
    const { proxier, scripts } = setup();
    const two = svc('default', 'two', { clusterIP: '198.19.208.31', ports: [{ name: 'a', port: 80, protocol: 'TCP' }, { name: 'b', port: 81, protocol: 'TCP' }] });
    const twoSlice = slice('default', 'two', [{ name: 'a', port: 9376 }, { name: 'b', port: 9377 }], [{ ip: '198.18.224.10' }]);
    listed(proxier, [web(), [two, twoSlice]]);
    await proxier.sync();
    const pairs = (text: string) => [...text.matchAll(/^add element ip skiff-test-proxy hairpin \{ (.*) \}$/gm)].flatMap((m) => m[1].split(', '));
    assert.deepEqual(pairs(scripts()[1]).sort(), ['198.18.224.10 . 198.18.224.10', '198.18.224.11 . 198.18.224.11']);

    // web goes away: 198.18.224.10 stays (two still uses it), 198.18.224.11 goes.
    proxier.services.update(web()[0], undefined);
    proxier.endpointSlices.update(web()[1], undefined);
    await proxier.sync();
    assert.match(scripts()[2], /^delete element ip skiff-test-proxy hairpin \{ 198\.18\.224\.11 \. 198\.18\.224\.11 \}$/m);
    assert.doesNotMatch(scripts()[2], /198\.18\.224\.10 \. 198\.18\.224\.10/);

    // two goes too: now its address leaves the set.
    proxier.services.update(two, undefined);
    proxier.endpointSlices.update(twoSlice, undefined);
    await proxier.sync();
    assert.match(scripts()[3], /^delete element ip skiff-test-proxy hairpin \{ 198\.18\.224\.10 \. 198\.18\.224\.10 \}$/m);
  });

  it('over netlink, sends declarations and fill in order; from a step netlink cannot take, uses nft', async () => {
    const runner = new FakeCommandRunner();
    runner.on(`[netns ${NETNS}] nft -t -f -`, { stdout: '' });
    const sent: number[] = [];
    const netlink = {
      apply: async () => {},
      applyInOrder: async (steps: readonly (readonly NftOp[])[]) => {
        sent.push(steps.length);
        throw new SequenceFailed(1, new NlUnsupported('something the encoder does not know'));
      },
    };
    const proxier = new Proxier({ ...OPTIONS, runner, netns: NETNS, netlink });
    listed(proxier, [web()]);
    assert.equal((await proxier.sync()).kind, 'full');
    assert.deepEqual(sent, [2], 'declarations and fill in one call');
    const nft = runner.calls.filter((c) => c.args.join(' ') === '-f -').map((c) => c.input!);
    assert.equal(nft.length, 1, 'only the step that failed went through nft');
    assert.match(nft[0], /add rule ip skiff-test-proxy service-/);
    assert.doesNotMatch(nft[0], /add chain/);
    assert.equal(proxier.metrics.netlinkTransactions.value, 1);
    assert.equal(proxier.metrics.nftTransactions.value, 1);
  });

  it('sends no transaction when a sync finds nothing changed', async () => {
    const { runner, proxier } = setup();
    listed(proxier, [web()]);
    await proxier.sync();
    runner.clear();
    proxier.services.update(web()[0], web()[0]);
    assert.equal((await proxier.sync()).commands, 0);
    assert.deepEqual(runner.calls, []);
  });

  it('after a failed transaction resyncs in full; after a failed full sync re-creates the table', async () => {
    const { runner, proxier, scripts } = setup();
    listed(proxier, [web()]);
    await proxier.sync();
    runner.on(`[netns ${NETNS}] nft -f -`, { exitCode: 1, stderr: 'Error: Could not process rule: No such file or directory' });
    proxier.endpointSlices.update(web()[1], web(['198.18.224.10'])[1]);
    await assert.rejects(proxier.sync());
    await assert.rejects(proxier.sync());
    assert.equal(proxier.metrics.syncFailures.value, 2);
    assert.doesNotMatch(scripts()[3], /delete table/, 'the first retry is a full sync in place');
    runner.on(`[netns ${NETNS}] nft -f -`, {});
    assert.equal((await proxier.sync()).kind, 'full');
    assert.match(scripts().at(-1)!, /^add table ip skiff-test-proxy \{[^\n]*\}\ndelete table ip skiff-test-proxy\nadd table ip skiff-test-proxy/);
    assert.match(scripts().at(-1)!, /add rule ip skiff-test-proxy service-\S+ meta l4proto tcp dnat to 198\.18\.224\.10:9376\n/, 'the change that failed is in the re-sync');
    proxier.endpointSlices.update(web(['198.18.224.10'])[1], web()[1]);
    assert.equal((await proxier.sync()).kind, 'partial');
  });

  it('flushes a removed Service\'s chains at once and deletes them in a sync at least 1 s later', async () => {
    const { proxier, clock, scripts } = setup();
    listed(proxier, [web()]);
    await proxier.sync();
    proxier.services.update(web()[0], undefined);
    proxier.endpointSlices.update(web()[1], undefined);
    await proxier.sync();
    const removal = scripts()[2];
    assert.match(removal, /flush chain ip skiff-test-proxy service-\S+default\/web/);
    assert.match(removal, /delete element ip skiff-test-proxy endpoints-0 \{ 0, 1 \}/, 'its endpoint slots');
    assert.doesNotMatch(removal, /delete chain|delete map|flush map/);
    assert.match(removal, /delete element ip skiff-test-proxy service-ips \{ 198\.19\.208\.10 \. tcp \. 80 \}/);
    assert.equal(proxier.nextDeleteAt(), 1_000_000 + 1000);
    clock.advance(1000);
    await proxier.sync();
    assert.equal((scripts()[3].match(/^delete chain/gm) ?? []).length, 1, 'the service chain');
    assert.equal((scripts()[3].match(/^delete map/gm) ?? []).length, 0, 'the shared slot map stays');
    assert.equal(proxier.nextDeleteAt(), undefined);
  });

  it('on restart flushes chains the old table has that are no longer wanted, keeping affinity sets', async () => {
    const existing = 'table ip skiff-test-proxy {\n\tset affinity-OLD {\n\t\ttype ipv4_addr\n\t}\n\tchain service-OLD-default/gone/tcp/http {\n\t}\n}\n';
    const { proxier, scripts } = setup({ existing });
    listed(proxier, [web()]);
    await proxier.sync();
    const main = scripts().at(-1)!;
    assert.match(main, /flush chain ip skiff-test-proxy service-OLD-default\/gone\/tcp\/http/);
    assert.doesNotMatch(main, /delete table|affinity-OLD/);
    assert.doesNotMatch(scripts().join(''), /POSTROUTING/, "another table's chains are not ours");
    assert.ok(proxier.nextDeleteAt() !== undefined);
  });

  it('flushes UDP conntrack entries that point at an endpoint that went away', async () => {
    const { runner, proxier } = setup();
    const dns = svc('default', 'dns', { clusterIP: '198.19.208.53', ports: [{ name: 'dns', port: 53, protocol: 'UDP' }] });
    const eps = (ips: string[]) => slice('default', 'dns', [{ name: 'dns', port: 5353, protocol: 'UDP' }], ips.map((ip) => ({ ip })));
    listed(proxier, [[dns, eps(['198.18.224.5', '198.18.224.6'])]]);
    await proxier.sync();
    runner.clear();
    proxier.endpointSlices.update(eps(['198.18.224.5', '198.18.224.6']), eps(['198.18.224.6', '198.18.224.7']));
    const r = await proxier.sync();
    assert.equal(r.conntrackFilters, 1);
    assert.deepEqual(runner.lines().slice(1), [`[netns ${NETNS}] conntrack -D -p udp --orig-dst 198.19.208.53 --reply-src 198.18.224.5 --dport 53`]);
  });

  it('observes network programming latency from the slices\' last-change-trigger-time', async () => {
    const { proxier } = setup();
    listed(proxier, [web()]);
    await proxier.sync();
    const changed = web(['198.18.224.10'])[1];
    changed.metadata.annotations = { 'endpoints.kubernetes.io/last-change-trigger-time': new Date(1_000_000 - 250).toISOString() };
    proxier.endpointSlices.update(web()[1], changed);
    await proxier.sync();
    assert.equal(proxier.metrics.networkProgramming.count, 1);
    assert.match(proxier.metrics.render(), /kubeproxy_network_programming_duration_seconds_bucket\{le="0.25"\} 1/);
    assert.match(proxier.metrics.render(), /kubeproxy_sync_partial_proxy_rules_duration_seconds_count 1/);
  });
});
