import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NetlinkError, NLM_F, NLM_F_ACK_TLVS, NLM_F_CAPPED, NLMSG_ERROR, assertNoKernelErrors, ensureRelayBinary, errnoName, nlmsghdr, parseMessages } from './netlink.ts';
import { attrBytes, attrString, message } from './netlink-test-messages.ts';






function errorReply(o: { seq: number; errno: number; echoed: Buffer; flags: number; tlvs?: Buffer[] }): Buffer {
  const err = Buffer.alloc(4);
  err.writeInt32LE(-o.errno);
  const body = Buffer.concat([err, o.echoed, ...(o.tlvs ?? [])]);
  return Buffer.concat([nlmsghdr({ type: NLMSG_ERROR, flags: o.flags, seq: o.seq, length: 16 + body.length, pid: 77 }), body]);
}

function attrU32(type: number, v: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt16LE(8, 0);
  b.writeUInt16LE(type, 2);
  b.writeUInt32LE(v, 4);
  return b;
}

describe('netlink message parsing', () => {
  it('lays out nlmsghdr as 16 little-endian bytes', () => {
    assert.deepEqual(nlmsghdr({ type: 0x0a00, flags: 0x0405, seq: 0x01020304, length: 36 }), Buffer.from('24000000000a050404030201' + '00000000', 'hex'));
    assert.equal(nlmsghdr({ type: 1, flags: 0, seq: 0xffffffff, length: 16, pid: 9 }).readUInt32LE(12), 9);
  });

  it('reads an ACK as an NLMSG_ERROR with errno 0', () => {
    const ack = errorReply({ seq: 7, errno: 0, echoed: nlmsghdr({ type: 0x0a00, flags: 5, seq: 7, length: 32 }), flags: NLM_F_CAPPED });
    const [r] = parseMessages(ack);
    assert.deepEqual({ ...r, payload: undefined }, { type: NLMSG_ERROR, flags: NLM_F_CAPPED, seq: 7, pid: 77, payload: undefined, error: { errno: 0, seq: 7, type: 0x0a00 } });
  });

  it('reads the extended ack message and offset of an error', () => {
    const tlvs = [attrString(1, 'Table exists'), attrU32(2, 20)];
    const capped = errorReply({ seq: 5, errno: 17, echoed: nlmsghdr({ type: 0x0a00, flags: 0x605, seq: 5, length: 40 }), flags: NLM_F_CAPPED | NLM_F_ACK_TLVS, tlvs });
    assert.deepEqual(parseMessages(capped)[0].error, { errno: 17, seq: 5, type: 0x0a00, message: 'Table exists', offset: 20 });
    // Without NETLINK_CAP_ACK the kernel echoes the whole failing message before the attributes.
    const failing = message({ type: 0x0a03, flags: 5, seq: 9, family: 2, attrs: [attrString(1, 'abc')] });
    const uncapped = errorReply({ seq: 9, errno: 2, echoed: failing, flags: NLM_F_ACK_TLVS, tlvs: [attrString(1, 'No such table')] });
    assert.deepEqual(parseMessages(uncapped)[0].error, { errno: 2, seq: 9, type: 0x0a03, message: 'No such table' });
  });

  it('splits a datagram holding several messages', () => {
    const a = errorReply({ seq: 3, errno: 22, echoed: nlmsghdr({ type: 0x0a06, flags: 5, seq: 3, length: 16 }), flags: NLM_F_CAPPED });
    const b = errorReply({ seq: 4, errno: 0, echoed: nlmsghdr({ type: 0x0a00, flags: 5, seq: 4, length: 16 }), flags: NLM_F_CAPPED });
    const odd = Buffer.concat([nlmsghdr({ type: 0x0a00, flags: 0, seq: 5, length: 21 }), Buffer.from('hello'), Buffer.alloc(3)]);
    const replies = parseMessages(Buffer.concat([a, b, odd]));
    assert.deepEqual(replies.map((r) => [r.seq, r.error?.errno]), [[3, 22], [4, 0], [5, undefined]]);
    assert.equal(replies[2].payload.toString(), 'hello');
    assert.throws(() => assertNoKernelErrors(replies), (e: NetlinkError) => e.code === 'Kernel' && e.errno === 22 && /EINVAL \(22\) for message seq 3/.test(e.message));
  });

  it('rejects truncated input with a clear error', () => {
    const ack = errorReply({ seq: 1, errno: 0, echoed: nlmsghdr({ type: 1, flags: 0, seq: 1, length: 16 }), flags: NLM_F_CAPPED });
    assert.throws(() => parseMessages(ack.subarray(0, 10)), { code: 'Malformed', message: /truncated netlink header at offset 0/ });
    assert.throws(() => parseMessages(ack.subarray(0, 30)), { code: 'Malformed', message: /claims 36 bytes, 30 left/ });
    assert.throws(() => parseMessages(nlmsghdr({ type: NLMSG_ERROR, flags: 0, seq: 1, length: 16 })), { code: 'Malformed', message: /NLMSG_ERROR at offset 0/ });
  });

  it('explains why the relay cannot be built when there is no compiler', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-nlrelay-'));
    try {
      const built = await ensureRelayBinary({ cc: join(dir, 'no-such-cc'), cacheDir: dir });
      assert.equal(built.path, undefined);
      assert.match(built.reason ?? '', /no C compiler: .*no-such-cc not found/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names common errno values', () => {
    assert.deepEqual([2, 17, 22, 16, 95, 28, 40, 1, 105, 90].map(errnoName), ['ENOENT', 'EEXIST', 'EINVAL', 'EBUSY', 'EOPNOTSUPP', 'ENOSPC', 'ELOOP', 'EPERM', 'ENOBUFS', 'EMSGSIZE']);
    assert.equal(errnoName(4242), 'errno 4242');
  });
});


