import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { SpdySession } from './spdy-session.ts';
import type { SpdyStream } from './spdy-session.ts';
import { FLAG_FIN, FRAME, parseStreamIdAndCode, RST } from './spdy-frame.ts';
import { Inbox, SpdyTestClient } from './testing.ts';

function connected(): { session: SpdySession; client: SpdyTestClient; streams: Inbox<SpdyStream> } {
  let client: SpdyTestClient | undefined;
  const session = new SpdySession({ write: (frame) => (client!.feed(frame), true) });
  client = new SpdyTestClient((frame) => session.feed(frame));
  const streams = new Inbox<SpdyStream>();
  session.on('stream', (s) => streams.put(s));
  return { session, client, streams };
}

describe('SPDY session (server side)', () => {
  it('surfaces a client SYN_STREAM as a stream with its headers, and replies with SYN_REPLY', async () => {
    const { client, streams } = connected();
    client.synStream(1, { streamtype: 'error', port: '80', requestid: '0' });
    const stream = await streams.next();
    assert.equal(stream.id, 1);
    assert.deepEqual(stream.headers, { streamtype: 'error', port: '80', requestid: '0' });
    stream.reply();
    assert.deepEqual(await client.reply(1), {});
  });

  it('keeps header decompression in step across many streams', async () => {
    const { client, streams } = connected();
    for (let i = 0; i < 20; i++) client.synStream(2 * i + 1, { streamtype: i % 2 ? 'data' : 'error', requestid: String(i >> 1) });
    for (let i = 0; i < 20; i++) {
      const s = await streams.next();
      assert.equal(s.headers.requestid, String(i >> 1));
      s.reply({ n: String(i) });
    }
    for (let i = 0; i < 20; i++) assert.deepEqual(await client.reply(2 * i + 1), { n: String(i) });
  });

  it('delivers DATA as readable bytes and FIN as end', async () => {
    const { client, streams } = connected();
    client.synStream(1, { streamtype: 'data' });
    const stream = await streams.next();
    client.data(1, Buffer.from('hello '));
    client.data(1, Buffer.from('world'), FLAG_FIN);
    let got = '';
    for await (const chunk of stream) got += chunk;
    assert.equal(got, 'hello world');
  });

  it('treats a SYN_STREAM with FIN as a stream the client will not write to', async () => {
    const { client, streams } = connected();
    client.synStream(1, { streamtype: 'error' }, FLAG_FIN);
    const stream = await streams.next();
    stream.resume();
    await once(stream, 'end');
  });

  it('writes DATA frames, split at 32 KiB, and FIN on end', async () => {
    const { client, streams } = connected();
    client.synStream(1, { streamtype: 'data' });
    const stream = await streams.next();
    stream.end(Buffer.alloc(80_000, 7));
    const body = await client.readToEnd(1);
    assert.equal(body.length, 80_000);
    assert.deepEqual(await client.reply(1), {}, 'a write before reply() replies implicitly');
  });

  it('echoes the client\'s PINGs', async () => {
    const { client } = connected();
    client.control(FRAME.ping, Buffer.from([0, 0, 0, 5]));
    const pong = await client.frames.next((f) => f.type === 'control' && f.kind === FRAME.ping);
    assert.ok(pong.type === 'control' && pong.payload.readUInt32BE(0) === 5);
  });

  it('destroys a stream the client resets, and can reset one itself', async () => {
    const { client, streams, session } = connected();
    client.synStream(1, { streamtype: 'data' });
    client.synStream(3, { streamtype: 'data' });
    const [one, three] = [await streams.next(), await streams.next()];
    client.control(FRAME.rstStream, Buffer.from([0, 0, 0, 1, 0, 0, 0, 5]));
    await once(one, 'close');
    assert.equal(one.isReset, true);
    three.reset(RST.internalError);
    const rst = await client.frames.next((f) => f.type === 'control' && f.kind === FRAME.rstStream);
    assert.ok(rst.type === 'control');
    assert.deepEqual(parseStreamIdAndCode(rst.payload, 'RST_STREAM'), { streamId: 3, code: RST.internalError });
    await once(three, 'close');
    assert.equal(session.streamCount, 0);
  });

  it('refuses server-side (even) stream ids and ids that go backwards', async () => {
    const { client } = connected();
    client.synStream(2, { streamtype: 'data' });
    const rst = await client.frames.next((f) => f.type === 'control' && f.kind === FRAME.rstStream);
    assert.ok(rst.type === 'control');
    assert.deepEqual(parseStreamIdAndCode(rst.payload, 'RST_STREAM'), { streamId: 2, code: RST.protocolError });
  });

  it('ends with GOAWAY and an error on garbage', async () => {
    const { session, client } = connected();
    const failed = once(session, 'error');
    session.feed(Buffer.from([0x80, 0x09, 0, 1, 0, 0, 0, 0]));
    await failed;
    assert.ok(await client.frames.next((f) => f.type === 'control' && f.kind === FRAME.goAway));
  });
});
