// The listeners on 127.0.0.1 (sockets are the subject): UDP and TCP on one port, pipelining, hostile input.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import net from 'node:net';
import { RR_TYPE } from './dns-constants.ts';
import { listenDns } from './dns-server.ts';
import type { DnsListener } from './dns-server.ts';
import { decodeMessage } from './message-decoder.ts';
import { encodeQuery } from './query.ts';
import { fixtureHandler } from './test-fixtures.ts';

let listener: DnsListener;
let port: number;

before(async () => {
  const { handler } = fixtureHandler();
  listener = await listenDns((q, ctx) => handler.handle(q, ctx), { listen: [{ address: '127.0.0.1', port: 0 }] });
  port = listener.addresses[0].port;
});

after(() => listener.close());

function udp(packet: Buffer, timeoutMs = 1000): Promise<Buffer | undefined> {
  const s = dgram.createSocket('udp4');
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      s.close();
      resolve(undefined);
    }, timeoutMs);
    s.on('message', (m) => {
      clearTimeout(timer);
      s.close();
      resolve(m);
    });
    s.send(packet, port, '127.0.0.1');
  });
}

function frame(b: Buffer): Buffer {
  const out = Buffer.alloc(b.length + 2);
  out.writeUInt16BE(b.length);
  b.copy(out, 2);
  return out;
}

describe('DNS listeners', () => {
  it('answers over UDP, and stays up after garbage', async () => {
    assert.equal(await udp(Buffer.from('definitely not dns'), 200).then((m) => m && m.length), 12, 'FORMERR header for a readable header');
    assert.equal(await udp(Buffer.from([1, 2, 3]), 200), undefined, 'silence for less than a header');
    const m = decodeMessage((await udp(encodeQuery('web.ns1.svc.cluster.local', RR_TYPE.A, { id: 5 })))!);
    assert.equal(m.id, 5);
    assert.equal(m.answer.length, 1);
  });

  it('answers pipelined TCP queries sent in one segment, on the same port', async () => {
    const sock = net.connect(port, '127.0.0.1');
    const names = ['web.ns1.svc.cluster.local', 'kubernetes.default.svc.cluster.local', 'nope.ns1.svc.cluster.local'];
    sock.write(Buffer.concat(names.map((n, i) => frame(encodeQuery(n, RR_TYPE.A, { id: 100 + i })))));
    let buf = Buffer.alloc(0);
    const replies: ReturnType<typeof decodeMessage>[] = [];
    await new Promise<void>((resolve) => {
      sock.on('data', (c) => {
        buf = Buffer.concat([buf, c]);
        while (buf.length >= 2 && buf.length >= 2 + buf.readUInt16BE(0)) {
          replies.push(decodeMessage(buf.subarray(2, 2 + buf.readUInt16BE(0))));
          buf = buf.subarray(2 + buf.readUInt16BE(0));
        }
        if (replies.length === 3) resolve();
      });
    });
    sock.destroy();
    assert.deepEqual(replies.map((r) => [r.id, r.rcode]).sort(), [[100, 0], [101, 0], [102, 3]]);
  });

  it('closes a TCP connection that sends a frame shorter than a header', async () => {
    const sock = net.connect(port, '127.0.0.1');
    sock.write(frame(Buffer.from([1, 2, 3])));
    await new Promise((resolve) => sock.on('close', resolve));
  });
});
