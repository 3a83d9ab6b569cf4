import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { duplexPair } from 'node:stream';
import type { Duplex } from 'node:stream';
import { acceptKey, acceptWebSocket, negotiateProtocol } from './websocket.ts';
import type { WebSocket } from './websocket.ts';
import { encodeFrame, OPCODE } from './websocket-frame.ts';
import { WebSocketTestClient } from './testing.ts';

function upgradeRequest(headers: Record<string, string>): IncomingMessage {
  const base = { upgrade: 'websocket', connection: 'Upgrade', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' };
  return { headers: { ...base, ...headers } } as unknown as IncomingMessage;
}

/** Accepts on one end of a pair; the test client on the other end has read the 101 response. */
async function open(protocols: string[], offered: string): Promise<{ ws: WebSocket; client: WebSocketTestClient; response: string; clientEnd: Duplex }> {
  const [serverEnd, clientEnd] = duplexPair();
  const client = new WebSocketTestClient(clientEnd);
  const ws = acceptWebSocket(upgradeRequest({ 'sec-websocket-protocol': offered }), serverEnd, Buffer.alloc(0), { protocols });
  assert.ok(ws);
  return { ws, client, response: await client.response, clientEnd };
}

describe('WebSocket server', () => {
  it('computes Sec-WebSocket-Accept as in RFC 6455 §1.3', () => {
    assert.equal(acceptKey('dGhlIHNhbXBsZSBub25jZQ=='), 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
  });

  it('picks the first offered subprotocol the server supports', () => {
    assert.equal(negotiateProtocol('v5.channel.k8s.io', ['v5.channel.k8s.io', 'v4.channel.k8s.io']), 'v5.channel.k8s.io');
    assert.equal(negotiateProtocol('v3.channel.k8s.io, v4.channel.k8s.io', ['v5.channel.k8s.io', 'v4.channel.k8s.io']), 'v4.channel.k8s.io');
    assert.equal(negotiateProtocol(undefined, ['v5.channel.k8s.io']), undefined);
  });

  it('answers 101 with the accept key and the chosen subprotocol', async () => {
    const { response } = await open(['v5.channel.k8s.io', 'v4.channel.k8s.io'], 'v4.channel.k8s.io');
    assert.match(response, /^HTTP\/1\.1 101 Switching Protocols\r\n/);
    assert.match(response, /\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=(\r\n|$)/);
    assert.match(response, /\r\nSec-WebSocket-Protocol: v4\.channel\.k8s\.io(\r\n|$)/);
  });

  it('refuses with 400 when no offered subprotocol is supported, or the version is not 13', async () => {
    for (const headers of [{ 'sec-websocket-protocol': 'v3.channel.k8s.io' }, { 'sec-websocket-protocol': 'v5.channel.k8s.io', 'sec-websocket-version': '8' }] as Record<string, string>[]) {
      const [serverEnd, clientEnd] = duplexPair();
      let text = '';
      clientEnd.on('data', (d: Buffer) => (text += d.toString()));
      const ended = new Promise((r) => clientEnd.once('end', r));
      clientEnd.resume();
      assert.equal(acceptWebSocket(upgradeRequest(headers), serverEnd, Buffer.alloc(0), { protocols: ['v5.channel.k8s.io'] }), undefined);
      await ended;
      assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    }
  });

  it('delivers messages, including bytes that arrived with the upgrade request and fragmented ones', async () => {
    const head = encodeFrame({ opcode: OPCODE.binary, payload: Buffer.from('early'), mask: Buffer.from([1, 2, 3, 4]) });
    const [serverEnd, clientEnd] = duplexPair();
    const client = new WebSocketTestClient(clientEnd);
    const got: string[] = [];
    const ws = acceptWebSocket(upgradeRequest({ 'sec-websocket-protocol': 'p' }), serverEnd, head, { protocols: ['p'] })!;
    ws.on('message', (d, isBinary) => got.push(`${isBinary ? 'b' : 't'}:${d}`));
    client.send(OPCODE.text, Buffer.from('frag'), { fin: false });
    client.send(OPCODE.continuation, Buffer.from('mented'));
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(got, ['b:early', 't:fragmented']);
  });

  it('answers ping with pong carrying the same payload', async () => {
    const { client } = await open(['p'], 'p');
    client.send(OPCODE.ping, Buffer.from('are you there'));
    const pong = await client.messages.next();
    assert.equal(pong.opcode, OPCODE.pong);
    assert.equal(pong.payload.toString(), 'are you there');
  });

  it('sends unmasked binary messages', async () => {
    const { ws, client } = await open(['p'], 'p');
    ws.send(Buffer.from([1, 2, 3]));
    const m = await client.messages.next();
    assert.equal(m.opcode, OPCODE.binary);
    assert.deepEqual([...m.payload], [1, 2, 3]);
  });

  it('echoes a client close frame, emits close with its code and reason, and ends the socket', async () => {
    const { ws, client, clientEnd } = await open(['p'], 'p');
    const closed = new Promise<[number, string]>((r) => ws.once('close', (code, reason) => r([code, reason])));
    const ended = new Promise((r) => clientEnd.once('end', r));
    const payload = Buffer.alloc(2 + 3);
    payload.writeUInt16BE(1001, 0);
    payload.write('bye', 2);
    client.send(OPCODE.close, payload);
    assert.deepEqual(await closed, [1001, 'bye']);
    const echo = await client.messages.next();
    assert.equal(echo.opcode, OPCODE.close);
    assert.equal(echo.payload.readUInt16BE(0), 1001);
    await ended;
    assert.equal(ws.send(Buffer.from('late')), false);
  });

  it('closes with 1002 on a protocol violation (an unmasked client frame)', async () => {
    const { ws, client, clientEnd } = await open(['p'], 'p');
    const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
    clientEnd.write(encodeFrame({ opcode: OPCODE.binary, payload: Buffer.from('x') }));
    assert.equal(await closed, 1002);
    const frame = await client.messages.next();
    assert.equal(frame.opcode, OPCODE.close);
    assert.equal(frame.payload.readUInt16BE(0), 1002);
  });
});
