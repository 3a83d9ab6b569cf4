// The netlink writer against nft itself: two scratch namespaces, one proxier writing with `nft -f`, the
// other over netlink, fed the same Services and EndpointSlices through a full sync and partial syncs.
// After every sync `nft list table` must print the same thing in both, and the netlink side must have
// written its partial syncs without nft (nft only for what the encoder does not know).
import { after, before, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Service } from '../../src/api/types.ts';
import { defaultRunner } from '../../src/platform/linux/command.ts';
import { NetlinkApplier, SequenceFailed } from '../../src/netfilter/nl-apply.ts';
import { Proxier } from '../../src/proxy/proxier.ts';
import { OPTIONS, representativeCluster, slice, svc } from '../../src/proxy/test-fixtures.ts';

const isRoot = process.getuid?.() === 0;
const NS = { nft: `skiff-nlt-nft-${process.pid}`, netlink: `skiff-nlt-nl-${process.pid}` };
let applier: NetlinkApplier | undefined;
let viaNft: Proxier;
let viaNetlink: Proxier;

before(async () => {
  if (!isRoot) return;
  for (const ns of Object.values(NS)) await defaultRunner.run('ip', ['netns', 'add', ns]);
  const opened = await NetlinkApplier.open({ netns: NS.netlink });
  assert.ok(opened instanceof NetlinkApplier, `netlink relay unavailable: ${JSON.stringify(opened)}`);
  applier = opened;
  viaNft = new Proxier({ ...OPTIONS, runner: defaultRunner, netns: NS.nft, staleDeleteDelayMs: 0 });
  viaNetlink = new Proxier({ ...OPTIONS, runner: defaultRunner, netns: NS.netlink, staleDeleteDelayMs: 0, netlink: applier });
});

after(async () => {
  await applier?.close();
  for (const ns of Object.values(NS)) await defaultRunner.run('ip', ['netns', 'delete', ns]).catch(() => {});
});

const list = async (ns: string) => (await defaultRunner.run('nft', ['list', 'table', 'ip', OPTIONS.tableName], { netns: ns })).stdout;

async function syncBoth(change: (p: Proxier) => void): Promise<void> {
  for (const p of [viaNft, viaNetlink]) {
    change(p);
    p.isServicesSynced = p.isEndpointSlicesSynced = true;
    await p.sync();
  }
  assert.equal(await list(NS.netlink), await list(NS.nft));
}

const skip = isRoot ? false : 'needs root (network namespaces, nftables)';

it('writes the same table as nft, through a full sync and partial syncs', { skip }, async () => {
  const c = representativeCluster();
  const withoutRanges = c.services.filter((s) => !s.spec?.loadBalancerSourceRanges?.length);
  await syncBoth((p) => {
    for (const s of withoutRanges) p.services.update(undefined, s);
    for (const s of c.slices) p.endpointSlices.update(undefined, s);
  });
  assert.equal(viaNetlink.metrics.nftTransactions.value, 0, 'the whole full sync went over netlink');
  assert.match(await list(NS.netlink), /meta l4proto tcp dnat ip to numgen inc mod 3 offset \d+ map @endpoints-0\n/, 'round robin through a slot map');
  assert.match(await list(NS.netlink), /ip saddr \. ip daddr @hairpin jump mark-for-masquerade/);
  const netlinkBefore = viaNetlink.metrics.netlinkTransactions.value;
  assert.ok(netlinkBefore >= 1);

  // One endpoint stops being ready; a Service goes away; a new one with affinity and two endpoints comes.
  const web = c.slices.find((s) => s.metadata!.name!.startsWith('web'))!;
  const changed: EndpointSlice = structuredClone(web);
  changed.endpoints![0].conditions = { ready: false, serving: false, terminating: true };
  await syncBoth((p) => p.endpointSlices.update(web, changed));
  const sticky = c.services.find((s) => s.metadata!.name === 'sticky')!;
  await syncBoth((p) => p.services.update(sticky, undefined));
  const fresh: Service = svc('default', 'fresh', { clusterIP: '198.19.208.40', sessionAffinity: 'ClientIP', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] });
  const freshSlice = slice('default', 'fresh', [{ name: 'http', port: 8080 }], [{ ip: '198.18.224.90' }, { ip: '198.18.224.91', node: 'node-2' }]);
  await syncBoth((p) => {
    p.services.update(undefined, fresh);
    p.endpointSlices.update(undefined, freshSlice);
  });
  // The chains the removal flushed are deleted by a later sync.
  await syncBoth(() => {});
  assert.doesNotMatch(await list(NS.netlink), /default\/sticky/);
  assert.equal(viaNetlink.metrics.nftTransactions.value, 0, 'partial syncs went over netlink');
  assert.ok(viaNetlink.metrics.netlinkTransactions.value >= netlinkBefore + 3);
});

it('hands what it cannot encode (an anonymous set of source ranges) to nft, with the same result', { skip }, async () => {
  const lb = representativeCluster().services.find((s) => s.spec?.loadBalancerSourceRanges?.length)!;
  const nftBefore = viaNetlink.metrics.nftTransactions.value;
  await syncBoth((p) => p.services.update(undefined, lb));
  assert.equal(viaNetlink.metrics.nftTransactions.value, nftBefore + 1);
  assert.match(await list(NS.netlink), /ip saddr != (\{ )?198\.18\.60\.0\/24( \})? drop/);
});

it('reports a batch the kernel rejects, naming the command, and leaves the table as it was', { skip }, async () => {
  const before = await list(NS.netlink);
  await assert.rejects(
    applier!.apply([{ op: 'add-rule', chain: 'no-such-chain', rule: { stmts: [{ kind: 'verdict', verdict: { kind: 'accept' } }] } }], { family: 'ip', table: OPTIONS.tableName, sets: () => undefined }),
    (e: Error) => /ENOENT|No such file/.test(e.message) && /add rule to no-such-chain/.test(e.message),
  );
  assert.equal(await list(NS.netlink), before);
});

it('applies transactions in order, stopping at the first the kernel rejects and saying how many took effect', { skip }, async () => {
  const context = { family: 'ip' as const, table: OPTIONS.tableName, sets: () => undefined };
  const chain = (name: string) => ({ op: 'add-chain' as const, chain: { name, rules: [] } });
  const bad = { op: 'add-rule' as const, chain: 'no-such-chain', rule: { stmts: [{ kind: 'verdict' as const, verdict: { kind: 'accept' as const } }] } };
  await assert.rejects(applier!.applyInOrder([[chain('in-order-a')], [bad], [chain('in-order-b')]], context), (e: Error) => e instanceof SequenceFailed && e.done === 1 && /add rule to no-such-chain/.test(e.message));
  const listing = await list(NS.netlink);
  assert.match(listing, /chain in-order-a \{/, 'the first took effect');
  assert.doesNotMatch(listing, /in-order-b/, 'nothing after the failure was sent');
  await applier!.applyInOrder([[{ op: 'delete-chain', name: 'in-order-a' }], [chain('in-order-c')]], context);
  assert.doesNotMatch(await list(NS.netlink), /in-order-a/);
  assert.match(await list(NS.netlink), /chain in-order-c \{/);
  await applier!.apply([{ op: 'delete-chain', name: 'in-order-c' }], context);
});
