// 100k random and mutated packets against the in-process handler: it never throws, never answers an
// unreadable message with more than a header, never exceeds the client's size, and still answers afterwards.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FLAG, RR_TYPE } from './dns-constants.ts';
import { decodeMessage } from './message-decoder.ts';
import { scanMessage } from './message-reader.ts';
import { encodeQuery } from './query.ts';
import { ask, fixtureHandler } from './test-fixtures.ts';

/** xorshift32: the same packets on every run, so a failure can be replayed. */
function random(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return { int: (n: number) => next() % n, byte: () => next() & 0xff };
}

const SEEDS = [
  encodeQuery('web.ns1.svc.cluster.local', RR_TYPE.A, { id: 1, udpSize: 1232 }),
  encodeQuery('_http._tcp.headless.ns1.svc.cluster.local', RR_TYPE.SRV, { id: 2 }),
  encodeQuery('ext.ns1.svc.cluster.local', RR_TYPE.A, { id: 3, udpSize: 512 }),
  encodeQuery('5.128.18.198.in-addr.arpa', RR_TYPE.PTR, { id: 4 }),
  encodeQuery('www.example.test', RR_TYPE.A, { id: 5, udpSize: 4096 }),
  encodeQuery('198-18-128-20.ns1.pod.cluster.local', RR_TYPE.ANY, { id: 6 }),
];

function mutate(r: ReturnType<typeof random>, seed: Buffer): Buffer {
  const b = Buffer.from(seed);
  switch (r.int(6)) {
    case 0: // flip bytes
      for (let i = 0, n = 1 + r.int(4); i < n; i++) b[r.int(b.length)] = r.byte();
      return b;
    case 1: // cut
      return b.subarray(0, r.int(b.length + 1));
    case 2: // append garbage
      return Buffer.concat([b, Buffer.from(Array.from({ length: 1 + r.int(40) }, r.byte))]);
    case 3: // wild counts
      b.writeUInt16BE(r.int(65536), 4 + 2 * r.int(4));
      return b;
    case 4: // a compression pointer somewhere
      if (b.length > 14) b.writeUInt16BE(0xc000 | r.int(b.length + 4), 12 + r.int(b.length - 13));
      return b;
    default: // flags and opcode
      b.writeUInt16BE(r.int(65536), 2);
      return b;
  }
}

describe('fuzzing the handler', () => {
  it('survives 100,000 random and mutated packets and still answers correctly', async () => {
    const { handler } = fixtureHandler();
    const r = random(0x5eed);
    let answered = 0;
    for (let i = 0; i < 100_000; i++) {
      const packet = i % 4 === 0 ? Buffer.from(Array.from({ length: r.int(300) }, r.byte)) : mutate(r, SEEDS[r.int(SEEDS.length)]);
      const proto = i % 10 === 0 ? 'tcp' : 'udp';
      let reply: Buffer | null;
      try {
        reply = await handler.handle(packet, { proto });
      } catch (e) {
        assert.fail(`packet ${i} (${packet.toString('hex')}) threw: ${e}`);
      }
      if (!reply) continue;
      answered++;
      let edns;
      let isReadable = true;
      try {
        edns = scanMessage(packet).edns;
      } catch {
        isReadable = false;
      }
      const limit = proto === 'tcp' ? 65535 : Math.max(512, Math.min(edns?.udpSize ?? 512, 4096));
      assert.ok(reply.length <= limit, `packet ${i}: ${reply.length} octets for a client allowing ${limit}`);
      if (!isReadable) assert.equal(reply.length, 12, `packet ${i}: an unreadable query gets a bare FORMERR header`);
      assert.equal(reply.readUInt16BE(0), packet.readUInt16BE(0), `packet ${i}: ID echoed`);
      assert.ok(reply.readUInt16BE(2) & FLAG.QR);
      assert.doesNotThrow(() => decodeMessage(reply), `packet ${i}: the reply is well-formed`);
    }
    assert.ok(answered > 10_000, `answered ${answered}`);
    assert.deepEqual((await ask(handler, 'web.ns1.svc.cluster.local.', 'A')).answer, ['web.ns1.svc.cluster.local. 5 IN A 198.19.1.1']);
    assert.match((await ask(handler, 'www.example.test.', 'A')).answer.join(), /^www\.example\.test\. \d+ IN A 192\.0\.2\.53$/);
  });
});
