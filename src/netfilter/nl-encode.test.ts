import { it } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessages } from '../platform/linux/netlink.ts';
import { NlUnsupported, encodeBatch } from './nl-encode.ts';
import { goto, inSet, match, notMatch, rule, verdict } from './model.ts';
import type { SetDecl } from './model.ts';
import type { NftOp } from './transaction.ts';

const SERVICE_IPS: SetDecl = { name: 'service-ips', kind: 'map', keyType: 'ipv4_addr . inet_proto . inet_service', valueType: 'verdict' };
const options = { family: 'ip' as const, table: 't', sets: (n: string) => (n === SERVICE_IPS.name ? SERVICE_IPS : undefined), seq: 100 };
const NFT = (msg: number) => (10 << 8) | msg;

it('frames a batch: begin, one message per command, ACK only on the last, end', () => {
  const ops: NftOp[] = [{ op: 'flush-chain', name: 'c' }, { op: 'add-rule', chain: 'c', rule: rule([verdict(goto('d'))]) }];
  const b = encodeBatch(ops, options);
  const msgs = parseMessages(b.buffer);
  assert.deepEqual(msgs.map((m) => m.type), [0x10, NFT(8), NFT(6), 0x11]);
  assert.deepEqual(msgs.map((m) => m.seq), [100, 101, 102, 103]);
  assert.deepEqual(msgs.map((m) => (m.flags & 0x4) !== 0), [false, false, true, false]);
  assert.equal(b.lastSeq, 102);
  assert.equal(b.opOf(101), 0);
  assert.equal(b.opOf(102), 1);
});

it('pads each field of a concatenated key to 4 bytes, in network order', () => {
  const b = encodeBatch([{ op: 'add-elements', set: 'service-ips', elements: [{ key: ['198.19.0.1', 'tcp', 80], value: goto('svc') }] }], options);
  const key = Buffer.from([198, 19, 0, 1, 6, 0, 0, 0, 0, 80, 0, 0]);
  assert.ok(b.buffer.includes(key), 'the key bytes are in the message');
  assert.ok(b.buffer.includes(Buffer.from('svc\0')));
});

it('splits a long element list into messages that each fit a 16-bit attribute length', () => {
  const elements = Array.from({ length: 5000 }, (_, i) => ({ key: [`198.19.${i >> 8}.${i & 255}`, 'tcp', 80] as const, value: goto(`service-${i}-with-a-long-readable-name/tcp/http`), comment: `ns/name-${i}:http` }));
  const b = encodeBatch([{ op: 'add-elements', set: 'service-ips', elements }], options);
  const msgs = parseMessages(b.buffer).filter((m) => m.type === NFT(12));
  assert.ok(msgs.length > 1);
  for (const m of msgs) assert.ok(m.payload.length < 65536);
});

it('refuses what it cannot encode, before anything is sent', () => {
  const cases: NftOp[] = [
    { op: 'add-rule', chain: 'c', rule: rule([notMatch('ip saddr', ['198.18.0.0/24', '198.18.1.0/24']), verdict({ kind: 'drop' })]) },
    { op: 'add-rule', chain: 'c', rule: rule([{ kind: 'raw', text: 'ip6 daddr ::1' }]) },
    { op: 'add-rule', chain: 'c', rule: rule([inSet('ip daddr', 'undeclared')]) },
    { op: 'add-rule', chain: 'c', rule: rule([match('iifname', 'veth*')]) },
    { op: 'add-set', set: { name: 's', kind: 'set', keyType: 'ipv4_addr', flags: ['interval'] } },
  ];
  for (const op of cases) assert.throws(() => encodeBatch([op], options), NlUnsupported, JSON.stringify(op));
});

it('encodes a byte-aligned prefix as a shorter load and others with a mask', () => {
  const aligned = encodeBatch([{ op: 'add-rule', chain: 'c', rule: rule([match('ip daddr', '127.0.0.0/8')]) }], options).buffer;
  assert.ok(!aligned.includes(Buffer.from('bitwise\0')));
  const masked = encodeBatch([{ op: 'add-rule', chain: 'c', rule: rule([match('ip daddr', '198.18.176.0/20')]) }], options).buffer;
  assert.ok(masked.includes(Buffer.from('bitwise\0')));
  assert.ok(masked.includes(Buffer.from([255, 255, 240, 0])));
});

it('sends nothing for an empty transaction', () => {
  assert.equal(encodeBatch([], options).messages, 0);
  assert.equal(encodeBatch([], options).buffer.length, 0);
});
