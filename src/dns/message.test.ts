// The wire format: records round-trip, names compress, case survives, answers fit the client, bad input is refused.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG, RCODE, RR_TYPE } from './dns-constants.ts';
import { canonicalIp, ipFromReverseLabels, ipv6Bytes, ipv6Text, reverseName } from './ip-address.ts';
import { decodeMessage } from './message-decoder.ts';
import { DnsFormatError, readName, scanMessage } from './message-reader.ts';
import { MessageWriter } from './message-writer.ts';
import { encodeQuery } from './query.ts';
import { rrToText } from './records.ts';
import type { Rr } from './records.ts';
import { ask, fixtureHandler } from './test-fixtures.ts';

const RECORDS: Rr[] = [
  { name: 'a.example.test', ttl: 1, type: 'A', address: '192.0.2.1' },
  { name: 'a.example.test', ttl: 2, type: 'AAAA', address: '2001:db8::1' },
  { name: 'c.example.test', ttl: 3, type: 'CNAME', target: 'a.example.test' },
  { name: '1.2.0.192.in-addr.arpa', ttl: 4, type: 'PTR', target: 'a.example.test' },
  { name: 'example.test', ttl: 5, type: 'NS', target: 'ns.example.test' },
  { name: '_x._tcp.example.test', ttl: 6, type: 'SRV', priority: 1, weight: 2, port: 3, target: 'a.example.test' },
  { name: 'example.test', ttl: 7, type: 'MX', preference: 10, target: 'mail.example.test' },
  { name: 'example.test', ttl: 8, type: 'TXT', texts: ['hello', 'x'.repeat(300)] },
  { name: 'example.test', ttl: 9, type: 'SOA', mname: 'ns.example.test', rname: 'hostmaster.example.test', serial: 4294967295, refresh: 1, retry: 2, expire: 3, minimum: 4 },
  { name: 'example.test', ttl: 10, type: 'RAW', code: 99, data: Buffer.from([1, 2, 3]) },
];

function message(records: Rr[], limit = 65535): Buffer {
  const w = new MessageWriter(limit).header(7, FLAG.QR);
  w.question({ name: 'example.test', labels: ['example', 'test'], type: RR_TYPE.ANY, class: 1, nameEnd: 0 });
  for (const r of records) assert.ok(w.add(r, 'answer'));
  return w.finish();
}

describe('wire format', () => {
  it('round-trips every record type it models', () => {
    const decoded = decodeMessage(message(RECORDS));
    const texts = decoded.answer.map(rrToText);
    // A TXT string longer than 255 octets is split into character-strings (RFC 1035 §3.3.14).
    const expected = RECORDS.map((r) => (r.type === 'TXT' ? { ...r, texts: ['hello', 'x'.repeat(255), 'x'.repeat(45)] } : r)).map(rrToText);
    assert.deepEqual(texts, expected);
  });

  it('compresses repeated names with pointers, but never an SRV target (RFC 2782)', () => {
    const rrs: Rr[] = [1, 2, 3].map((i) => ({ name: 'example.test', ttl: 5, type: 'A', address: `192.0.2.${i}` }));
    const buf = message(rrs);
    // header 12 + question 18 + 3 × (pointer 2 + 10 + 4)
    assert.equal(buf.length, 12 + 18 + 3 * 16);
    assert.equal(buf.readUInt16BE(30), 0xc00c);
    const srv = message([{ name: 'example.test', ttl: 5, type: 'SRV', priority: 0, weight: 0, port: 1, target: 'example.test' }]);
    assert.ok(srv.subarray(30).includes(Buffer.from('\x07example\x04test\x00', 'latin1')), 'SRV target spelled out');
  });

  it('keeps the client\'s spelling of the question, and points answers at it', async () => {
    const { handler } = fixtureHandler();
    const reply = (await handler.handle(encodeQuery('WeB.Ns1.SVC.cluster.LOCAL', RR_TYPE.A, { id: 9 }), { proto: 'udp' }))!;
    assert.ok(reply.includes(Buffer.from('\x03WeB\x03Ns1\x03SVC\x07cluster\x05LOCAL\x00', 'latin1')));
    assert.equal(reply.readUInt16BE(0), 9);
    const answerStart = 12 + 'WeB.Ns1.SVC.cluster.LOCAL'.length + 2 + 4;
    assert.equal(reply.readUInt16BE(answerStart), 0xc00c);
    const cached = (await handler.handle(encodeQuery('web.NS1.svc.CLUSTER.local', RR_TYPE.A, { id: 10 }), { proto: 'udp' }))!;
    assert.ok(cached.includes(Buffer.from('\x03web\x03NS1\x03svc\x07CLUSTER\x05local\x00', 'latin1')), 'a cached answer too');
    assert.equal(cached.readUInt16BE(0), 10);
  });

  it('truncates with TC to 512 octets for a client without EDNS, and fits the advertised size with it', async () => {
    const f = fixtureHandler();
    const endpoints = Array.from({ length: 100 }, (_, i) => ({ addresses: [`10.9.${i >> 8}.${i & 255}`], conditions: { ready: true } }));
    f.cache.upsertSlice({ metadata: { namespace: 'ns1', name: 'headless-big', labels: { 'kubernetes.io/service-name': 'headless' } }, addressType: 'IPv4', endpoints, ports: [] });
    const plain = await ask(f.handler, 'headless.ns1.svc.cluster.local.', 'A');
    assert.ok(plain.flags.includes('tc'));
    assert.deepEqual(plain.answer, []);
    assert.ok(plain.size <= 512);
    const edns = await ask(f.handler, 'headless.ns1.svc.cluster.local.', 'A', { udpSize: 4096 });
    assert.ok(!edns.flags.includes('tc'));
    assert.equal(edns.answer.length, 102);
    const small = await ask(f.handler, 'headless.ns1.svc.cluster.local.', 'A', { udpSize: 1000 });
    assert.ok(small.flags.includes('tc') && small.size <= 1000);
    const tcp = await ask(f.handler, 'headless.ns1.svc.cluster.local.', 'A', { proto: 'tcp' });
    assert.equal(tcp.answer.length, 102);
  });

  it('drops additional records that do not fit without setting TC (RFC 2181 §9)', async () => {
    const f = fixtureHandler();
    const endpoints = Array.from({ length: 30 }, (_, i) => ({ addresses: [`10.8.0.${i}`], hostname: `host-with-a-long-name-${i}`, conditions: { ready: true } }));
    f.cache.upsertSlice({ metadata: { namespace: 'ns1', name: 'headless-srv', labels: { 'kubernetes.io/service-name': 'headless' } }, addressType: 'IPv4', endpoints, ports: [{ name: 'http', port: 1, protocol: 'TCP' }] });
    const full = await ask(f.handler, '_http._tcp.headless.ns1.svc.cluster.local.', 'SRV', { proto: 'tcp', udpSize: 4096 });
    assert.equal(full.additional.length, 33);
    const limit = full.size - 100;
    const got = await ask(f.handler, '_http._tcp.headless.ns1.svc.cluster.local.', 'SRV', { udpSize: limit });
    assert.ok(!got.flags.includes('tc'));
    assert.equal(got.answer.length, 32);
    assert.ok(got.additional.length > 0 && got.additional.length < 33);
    assert.ok(got.size <= limit);
  });

  it('answers EDNS queries with an OPT record and others without; an unknown EDNS version gets BADVERS', async () => {
    const { handler } = fixtureHandler();
    const withOpt = decodeMessage((await handler.handle(encodeQuery('web.ns1.svc.cluster.local', 1, { udpSize: 1232 }), { proto: 'udp' }))!);
    assert.equal(withOpt.edns?.udpSize, 1232);
    const without = decodeMessage((await handler.handle(encodeQuery('web.ns1.svc.cluster.local', 1), { proto: 'udp' }))!);
    assert.equal(without.edns, undefined);
    const q = encodeQuery('web.ns1.svc.cluster.local', 1, { udpSize: 1232 });
    q.writeUInt32BE(0x00010000, q.length - 6); // OPT TTL field: version 1
    const bad = decodeMessage((await handler.handle(q, { proto: 'udp' }))!);
    assert.equal(bad.rcode, RCODE.BADVERS);
    assert.deepEqual(bad.answer, []);
  });

  it('refuses what it does not serve: FORMERR, NOTIMP, REFUSED, or silence', async () => {
    const { handler } = fixtureHandler();
    const rcodeOf = async (q: Buffer) => {
      const r = await handler.handle(q, { proto: 'udp' });
      return r === null ? 'dropped' : decodeMessage(r).rcode;
    };
    assert.equal(await rcodeOf(Buffer.from([1, 2, 3])), 'dropped');
    const answer = encodeQuery('web.ns1.svc.cluster.local', 1);
    answer.writeUInt16BE(answer.readUInt16BE(2) | FLAG.QR, 2);
    assert.equal(await rcodeOf(answer), 'dropped', 'never answers an answer');
    const two = Buffer.concat([encodeQuery('a', 1), Buffer.from([1, 98, 0, 0, 1, 0, 1])]);
    two.writeUInt16BE(2, 4);
    assert.equal(await rcodeOf(two), RCODE.FORMERR);
    const cut = encodeQuery('web.ns1.svc.cluster.local', 1).subarray(0, 20);
    assert.equal(await rcodeOf(cut), RCODE.FORMERR);
    const notify = encodeQuery('cluster.local', RR_TYPE.SOA);
    notify.writeUInt16BE(notify.readUInt16BE(2) | (4 << 11), 2);
    assert.equal(await rcodeOf(notify), RCODE.NOTIMP);
    assert.equal(await rcodeOf(encodeQuery('cluster.local', RR_TYPE.AXFR)), RCODE.REFUSED);
    assert.equal(await rcodeOf(encodeQuery('cluster.local', RR_TYPE.OPT)), RCODE.FORMERR);
  });

  it('rejects compression loops, forward pointers and oversized labels', () => {
    const header = Buffer.alloc(12);
    assert.throws(() => readName(Buffer.concat([header, Buffer.from([0xc0, 12])]), 12), DnsFormatError);
    assert.throws(() => readName(Buffer.concat([header, Buffer.from([0xc0, 14, 0])]), 12), DnsFormatError);
    assert.throws(() => readName(Buffer.concat([header, Buffer.from([64]), Buffer.alloc(64, 97), Buffer.from([0])]), 12), DnsFormatError);
    const long = Buffer.concat([header, ...Array.from({ length: 5 }, () => Buffer.concat([Buffer.from([63]), Buffer.alloc(63, 97)])), Buffer.from([0])]);
    assert.throws(() => readName(long, 12), /255/);
    assert.deepEqual(readName(Buffer.concat([header, Buffer.from([1, 65, 0, 1, 66, 0xc0, 12])]), 15).labels, ['b', 'a']);
  });

  it('escapes dots inside labels instead of splitting names on them', () => {
    const buf = Buffer.concat([Buffer.alloc(12), Buffer.from([3, 97, 46, 98, 0, 0, 1, 0, 1])]);
    buf.writeUInt16BE(1, 4);
    assert.equal(scanMessage(buf).questions[0].name, 'a\\.b');
  });
});

describe('IP addresses', () => {
  it('converts IPv6 between text and bytes in RFC 5952 form', () => {
    for (const [input, text] of [['2001:DB8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['::', '::'], ['::ffff:192.0.2.1', '::ffff:c000:201'], ['fd00:10:96::3', 'fd00:10:96::3'], ['1:2:3:4:5:6:7:8', '1:2:3:4:5:6:7:8']]) {
      assert.equal(ipv6Text(ipv6Bytes(input)), text);
      assert.equal(canonicalIp(input), text);
    }
  });

  it('reads reverse names back into addresses, and only full ones', () => {
    assert.equal(reverseName('10.0.3.1'), '1.3.0.10.in-addr.arpa');
    assert.equal(ipFromReverseLabels(reverseName('10.0.3.1').split('.')), '10.0.3.1');
    assert.equal(ipFromReverseLabels(reverseName('fd00::5').split('.')), 'fd00::5');
    assert.equal(ipFromReverseLabels(['3', '0', '10', 'in-addr', 'arpa']), undefined);
    assert.equal(ipFromReverseLabels(['256', '3', '0', '10', 'in-addr', 'arpa']), undefined);
  });
});
