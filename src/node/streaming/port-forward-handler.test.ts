import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { connect } from 'node:net';
import { servePortForward } from './port-forward-handler.ts';
import { SpdySession } from './spdy-session.ts';
import { FLAG_FIN, FRAME } from './spdy-frame.ts';
import { SpdyTestClient } from './testing.ts';

async function echoServer(): Promise<{ port: number; close: () => void }> {
  const server = createServer((s) => s.on('error', () => s.destroy()).pipe(s));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, close: () => server.close() };
}

function forwarding(dial: (port: number) => Promise<Socket>, pairTimeoutMs?: number): { client: SpdyTestClient; dialed: number[]; session: SpdySession } {
  const dialed: number[] = [];
  let client: SpdyTestClient | undefined;
  const session = new SpdySession({ write: (frame) => (client!.feed(frame), true) });
  client = new SpdyTestClient((frame) => session.feed(frame));
  servePortForward(session, { dial: (port) => (dialed.push(port), dial(port)), pairTimeoutMs });
  return { client, dialed, session };
}

/** Opens one forwarded connection the way client-go does: error stream (half-closed at once), then data stream. */
function open(client: SpdyTestClient, options: { requestId: string; port: string; errorId: number }): void {
  client.synStream(options.errorId, { streamtype: 'error', port: options.port, requestid: options.requestId });
  client.data(options.errorId, Buffer.alloc(0), FLAG_FIN);
  client.synStream(options.errorId + 2, { streamtype: 'data', port: options.port, requestid: options.requestId });
}

describe('port forwarding over SPDY', () => {
  it('dials the port once both streams of a request exist, and relays bytes both ways', async () => {
    const echo = await echoServer();
    try {
      const { client, dialed } = forwarding((port) => Promise.resolve(connect(port === 80 ? echo.port : 1, '127.0.0.1')));
      open(client, { requestId: '0', port: '80', errorId: 1 });
      assert.deepEqual(await client.reply(1), {});
      assert.deepEqual(await client.reply(3), {});
      client.data(3, Buffer.from('ping through the pod'));
      client.data(3, Buffer.alloc(0), FLAG_FIN);
      assert.equal((await client.readToEnd(3)).toString(), 'ping through the pod');
      assert.equal((await client.readToEnd(1)).length, 0, 'the error stream ends empty');
      assert.deepEqual(dialed, [80]);
    } finally {
      echo.close();
    }
  });

  it('pairs streams by requestid even when several connections interleave', async () => {
    const echo = await echoServer();
    try {
      const { client } = forwarding(() => Promise.resolve(connect(echo.port, '127.0.0.1')));
      client.synStream(1, { streamtype: 'error', port: '80', requestid: 'a' });
      client.synStream(3, { streamtype: 'error', port: '80', requestid: 'b' });
      client.synStream(5, { streamtype: 'data', port: '80', requestid: 'b' });
      client.synStream(7, { streamtype: 'data', port: '80', requestid: 'a' });
      client.data(7, Buffer.from('for a'), FLAG_FIN);
      client.data(5, Buffer.from('for b'), FLAG_FIN);
      assert.equal((await client.readToEnd(7)).toString(), 'for a');
      assert.equal((await client.readToEnd(5)).toString(), 'for b');
    } finally {
      echo.close();
    }
  });

  it('writes a dial failure on the error stream and ends both streams', async () => {
    const { client } = forwarding(() => Promise.reject(new Error('connect ECONNREFUSED 198.18.128.9:81')));
    open(client, { requestId: '0', port: '81', errorId: 1 });
    assert.equal((await client.readToEnd(1)).toString(), 'error forwarding port 81: connect ECONNREFUSED 198.18.128.9:81');
    assert.equal((await client.readToEnd(3)).length, 0);
  });

  it('refuses an invalid port without dialing', async () => {
    const { client, dialed } = forwarding(() => Promise.reject(new Error('unreachable')));
    open(client, { requestId: '0', port: '99999', errorId: 1 });
    assert.match((await client.readToEnd(1)).toString(), /invalid port "99999"/);
    assert.deepEqual(dialed, []);
  });

  it('closes the pod-side connection when the client resets the data stream', { timeout: 5_000 }, async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const podSide = once(server, 'connection');
    try {
      const { client } = forwarding(() => Promise.resolve(connect((server.address() as AddressInfo).port, '127.0.0.1')));
      open(client, { requestId: '0', port: '80', errorId: 1 });
      const [socket] = (await podSide) as [Socket];
      client.control(FRAME.rstStream, Buffer.from([0, 0, 0, 3, 0, 0, 0, 5]));
      socket.resume();
      await once(socket, 'close');
    } finally {
      server.close();
    }
  });

  it('closes the pod-side connection when the whole connection goes away', { timeout: 5_000 }, async () => {
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const podSide = once(server, 'connection');
    try {
      const { client, session } = forwarding(() => Promise.resolve(connect((server.address() as AddressInfo).port, '127.0.0.1')));
      open(client, { requestId: '0', port: '80', errorId: 1 });
      const [socket] = (await podSide) as [Socket];
      session.destroy();
      socket.resume();
      await once(socket, 'close');
    } finally {
      server.close();
    }
  });

  it('resets a stream whose partner never arrives', async () => {
    const { client } = forwarding(() => Promise.reject(new Error('never')), 20);
    client.synStream(1, { streamtype: 'error', port: '80', requestid: 'lonely' });
    assert.ok(await client.frames.next((f) => f.type === 'control' && f.kind === FRAME.rstStream));
  });

  it('resets a stream of unknown type', async () => {
    const { client } = forwarding(() => Promise.reject(new Error('never')));
    client.synStream(1, { streamtype: 'resize' });
    assert.ok(await client.frames.next((f) => f.type === 'control' && f.kind === FRAME.rstStream));
  });
});
