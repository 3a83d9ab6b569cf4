// The netlink relay against the kernel: real nf_tables batches in a scratch network namespace.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { NetlinkSocket, NLM_F, assertNoKernelErrors, ensureRelayBinary, parseMessages } from '../../src/platform/linux/netlink.ts';
import { attrBytes, attrString, message } from '../../src/platform/linux/netlink-test-messages.ts';

const isRoot = process.getuid?.() === 0;

const run = promisify(execFile);

// Just enough nf_tables encoding to drive the transport (the real encoder lives elsewhere).
const NFNL_SUBSYS_NFTABLES = 10;
const BATCH_BEGIN = 0x10;
const BATCH_END = 0x11;
const NFT_MSG_NEWTABLE = (NFNL_SUBSYS_NFTABLES << 8) | 0;
const NFT_MSG_NEWCHAIN = (NFNL_SUBSYS_NFTABLES << 8) | 3;
const NFPROTO_IPV4 = 2;




/** BATCH_BEGIN, the given messages with seq firstSeq+1…, BATCH_END. */
function batch(firstSeq: number, messages: { type: number; flags: number; attrs: Buffer[] }[]): { buf: Buffer; seqs: number[] } {
  const seqs = messages.map((_, i) => firstSeq + 1 + i);
  const parts = [message({ type: BATCH_BEGIN, flags: NLM_F.REQUEST, seq: firstSeq, resId: NFNL_SUBSYS_NFTABLES })];
  messages.forEach((m, i) => parts.push(message({ ...m, seq: seqs[i], family: NFPROTO_IPV4 })));
  parts.push(message({ type: BATCH_END, flags: NLM_F.REQUEST, seq: firstSeq + messages.length + 1, resId: NFNL_SUBSYS_NFTABLES }));
  return { buf: Buffer.concat(parts), seqs };
}

const newTable = (name: string, flags = NLM_F.REQUEST | NLM_F.CREATE | NLM_F.ACK) => ({ type: NFT_MSG_NEWTABLE, flags, attrs: [attrString(1, name)] });



describe('NetlinkSocket against the kernel', { skip: isRoot ? false : 'needs root to create a network namespace' }, () => {
  const netns = `skiff-nltest-${randomBytes(4).toString('hex')}`;
  let binary: string;
  let sock: NetlinkSocket;
  let seq = 1000;

  before(async () => {
    const built = await ensureRelayBinary();
    assert.ok(built.path, built.reason);
    binary = built.path;
    await run('ip', ['netns', 'add', netns]);
    sock = await NetlinkSocket.open({ netns, binary });
  });

  after(async () => {
    await sock?.close().catch(() => {});
    await run('ip', ['netns', 'del', netns]).catch(() => {});
  });

  const listTables = async () => (await run('ip', ['netns', 'exec', netns, 'nft', 'list', 'tables'], { maxBuffer: 64 << 20 })).stdout;

  it('creates a table with one batch and gets the ACK', async () => {
    const b = batch((seq += 10), [newTable('skiff_t1')]);
    const replies = await sock.request(b.buf, { lastSeq: b.seqs[0] });
    assert.deepEqual(replies.map((r) => [r.seq, r.error?.errno, r.pid]), [[b.seqs[0], 0, sock.portId]]);
    assert.match(await listTables(), /^table ip skiff_t1$/m);
  });

  it('reports EEXIST for an exclusive create of an existing table', async () => {
    const b = batch((seq += 10), [newTable('skiff_t1', NLM_F.REQUEST | NLM_F.CREATE | NLM_F.EXCL | NLM_F.ACK)]);
    const replies = await sock.request(b.buf, { lastSeq: b.seqs[0] });
    assert.equal(replies.length, 1);
    assert.equal(replies[0].error?.errno, 17);
    assert.equal(replies[0].error?.seq, b.seqs[0]);
    assert.throws(() => assertNoKernelErrors(replies), { code: 'Kernel', errno: 17 });
  });

  it('reports ENOENT with the failing seq, before the ACK of the last message', async () => {
    // nfnetlink_rcv_batch() runs the whole batch inside our sendto(), queueing an error for each failing
    // message and an ACK for each NLM_F_ACK one, and delivers them in batch order at the end, so the
    // reply for the last seq comes after every earlier error (linux net/netfilter/nfnetlink.c).
    const chain = { type: NFT_MSG_NEWCHAIN, flags: NLM_F.REQUEST | NLM_F.CREATE, attrs: [attrString(1, 'no_such_table'), attrString(3, 'c')] };
    const b = batch((seq += 10), [chain, newTable('skiff_t2')]);
    const replies = await sock.request(b.buf, { lastSeq: b.seqs[1] });
    assert.deepEqual(replies.map((r) => [r.seq, r.error?.errno, r.error?.type]), [[b.seqs[0], 2, NFT_MSG_NEWCHAIN], [b.seqs[1], 0, NFT_MSG_NEWTABLE]]);
    assert.ok(replies[0].error?.offset, 'the kernel points at the bad attribute');
    assert.doesNotMatch(await listTables(), /skiff_t2/, 'the failed batch was aborted as a whole');
  });

  it('rejects with NoAck when the kernel has nothing to say', async () => {
    const b = batch((seq += 10), [newTable('skiff_t1', NLM_F.REQUEST | NLM_F.CREATE)]);
    await assert.rejects(sock.request(b.buf, { lastSeq: b.seqs[0] }), { code: 'NoAck' });
  });

  it('answers a tiny batch in well under 5 ms', async () => {
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const b = batch((seq += 10), [newTable('skiff_t1')]);
      const t0 = performance.now();
      await sock.request(b.buf, { lastSeq: b.seqs[0] });
      times.push(performance.now() - t0);
    }
    times.sort((a, b) => a - b);
    const [median, p99] = [times[100], times[198]];
    console.log(`netlink round trip of a one-table batch: median ${median.toFixed(3)} ms, p99 ${p99.toFixed(3)} ms`);
    assert.ok(median < 5, `median ${median} ms`);
  });

  it('carries a 20,000-message, 6 MB batch in one datagram', async () => {
    // Chains, not tables: the kernel looks tables up in a list (20,000 new tables take ~12 s), chains in a hash.
    const userdata = Buffer.alloc(250, 'u');
    const chain = (name: string, flags: number) => ({ type: NFT_MSG_NEWCHAIN, flags, attrs: [attrString(1, 'skiff_bulk'), attrString(3, name), attrBytes(12, userdata)] });
    const names = Array.from({ length: 20_000 }, (_, i) => `bulk_${i}`);
    const create = NLM_F.REQUEST | NLM_F.CREATE;
    const b = batch((seq += 10), [newTable('skiff_bulk', create), ...names.map((n, i) => chain(n, create | (i === names.length - 1 ? NLM_F.ACK : 0)))]);
    seq += names.length + 10;
    assert.ok(b.buf.length > 6e6);
    const t0 = performance.now();
    const replies = await sock.request(b.buf, { lastSeq: b.seqs.at(-1)! });
    console.log(`${names.length} NEWCHAIN messages (${(b.buf.length / 2 ** 20).toFixed(1)} MiB) applied in ${(performance.now() - t0).toFixed(1)} ms`);
    assert.deepEqual(replies.map((r) => r.error?.errno), [0]);
    // Ask the kernel rather than nft 1.0.6, whose listing of 20,000 chains takes minutes.
    const probe = batch(seq, [...['bulk_0', 'bulk_9999', 'bulk_19999'].map((n) => chain(n, create | NLM_F.EXCL)), chain('bulk_new', create | NLM_F.ACK)]);
    const answers = await sock.request(probe.buf, { lastSeq: probe.seqs[3] });
    assert.deepEqual(answers.map((r) => [r.seq, r.error?.errno]), [[probe.seqs[0], 17], [probe.seqs[1], 17], [probe.seqs[2], 17], [probe.seqs[3], 0]]);
  });

  it('rejects pending and later requests with RelayExited when the relay dies', async () => {
    const doomed = await NetlinkSocket.open({ netns, binary });
    process.kill(doomed.pid!, 'SIGSTOP'); // so the request is surely still pending when the kill lands
    const b = batch((seq += 10), [newTable('skiff_t1')]);
    const pending = doomed.request(b.buf, { lastSeq: b.seqs[0] });
    process.kill(doomed.pid!, 'SIGKILL');
    await assert.rejects(pending, { code: 'RelayExited', message: /killed by SIGKILL/ });
    await assert.rejects(doomed.request(b.buf, { lastSeq: b.seqs[0] }), { code: 'RelayExited' });
    await doomed.close();
  });

  it('times out a request the relay never answers, and kills the relay', async () => {
    const stuck = await NetlinkSocket.open({ netns, binary });
    process.kill(stuck.pid!, 'SIGSTOP');
    const b = batch((seq += 10), [newTable('skiff_t1')]);
    await assert.rejects(stuck.request(b.buf, { lastSeq: b.seqs[0], timeoutMs: 100 }), { code: 'Timeout' });
    await assert.rejects(stuck.request(b.buf, { lastSeq: b.seqs[0] }), { code: 'RelayExited' });
    await stuck.close();
  });

  it('fails to open in a namespace that does not exist', async () => {
    await assert.rejects(NetlinkSocket.open({ netns: `${netns}-missing`, binary }), { code: 'RelayExited', message: /exited with status 1/ });
  });

  it('refuses requests after close', async () => {
    const s = await NetlinkSocket.open({ netns, binary });
    await s.close();
    await assert.rejects(s.request(Buffer.alloc(0), { lastSeq: 0 }), { code: 'Closed' });
  });
});
