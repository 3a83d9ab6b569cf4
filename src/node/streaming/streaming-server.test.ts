import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import type { Server } from 'node:https';
import { createServer } from 'node:net';
import type { AddressInfo, Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from 'node:tls';
import type { TLSSocket } from 'node:tls';
import { ensurePki } from '../../lib/pki.ts';
import type { Pki } from '../../lib/pki.ts';
import { CHANNEL } from './channel-protocol.ts';
import { FakeStreamingRuntime } from './fake-runtime.ts';
import { FLAG_FIN } from './spdy-frame.ts';
import { createStreamingServer, parseExecQuery, parseRoute } from './streaming-server.ts';
import { SpdyTestClient, WebSocketTestClient } from './testing.ts';
import { OPCODE } from './websocket-frame.ts';

describe('streaming routes', () => {
  it('parses the kubelet paths', () => {
    assert.deepEqual(parseRoute('/containerLogs/default/web-1/main'), { kind: 'logs', namespace: 'default', pod: 'web-1', container: 'main' });
    assert.deepEqual(parseRoute('/exec/ns/p/c'), { kind: 'exec', namespace: 'ns', pod: 'p', container: 'c' });
    assert.deepEqual(parseRoute('/attach/ns/p/c'), { kind: 'attach', namespace: 'ns', pod: 'p', container: 'c' });
    assert.deepEqual(parseRoute('/portForward/ns/p'), { kind: 'portForward', namespace: 'ns', pod: 'p' });
    for (const bad of ['/exec/ns/p', '/portForward/ns/p/c', '/containerLogs/ns//c', '/other/a/b/c']) assert.equal(parseRoute(bad), undefined, bad);
  });

  it('reads exec flags as the kubelet does, dropping stderr under a tty', () => {
    assert.deepEqual(parseExecQuery(new URLSearchParams('command=ls&command=-l&stdout=true&stderr=true'), 'exec'), { stdin: false, stdout: true, stderr: true, tty: false, command: ['ls', '-l'] });
    assert.deepEqual(parseExecQuery(new URLSearchParams('command=sh&stdin=true&stdout=true&tty=true'), 'exec').stderr, false);
    assert.throws(() => parseExecQuery(new URLSearchParams('command=ls'), 'exec'), /at least 1 of stdin, stdout, stderr/);
    assert.throws(() => parseExecQuery(new URLSearchParams('stdout=true'), 'exec'), /at least one command/);
    assert.deepEqual(parseExecQuery(new URLSearchParams('stdout=true'), 'attach').command, []);
  });
});

describe('streaming server over mutual TLS', () => {
  let dir: string;
  let pki: Pki;
  let stranger: Pki;
  let server: Server;
  let echo: NetServer;
  const runtime = new FakeStreamingRuntime();

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'skiff-streaming-'));
    pki = await ensurePki(join(dir, 'pki'), { serverHosts: [], serverIPs: [] });
    stranger = await ensurePki(join(dir, 'other'), { serverHosts: [], serverIPs: [] });
    runtime.addContainer('ns', 'p', { container: 'c', log: 'a\nb\nc\n' });
    echo = createServer((s) => s.on('error', () => s.destroy()).pipe(s));
    echo.listen(0, '127.0.0.1');
    await once(echo, 'listening');
    runtime.ports.set(80, (echo.address() as AddressInfo).port);
    server = createStreamingServer({ runtime, tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert }, authorize: (cn) => cn !== 'not-allowed' });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  after(() => {
    server.closeAllConnections();
    server.close();
    echo.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const port = (): number => (server.address() as AddressInfo).port;
  const tlsOptions = (who: Pki = pki) => ({ host: '127.0.0.1', port: port(), ca: pki.caCert, cert: who.adminCert, key: who.adminKey });

  function get(path: string): Promise<{ status: number; body: string; type?: string }> {
    return new Promise((resolve, reject) => {
      const req = request({ ...tlsOptions(), path }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode!, body, type: res.headers['content-type'] }));
      });
      req.on('error', reject);
      req.end();
    });
  }

  function upgrade(head: string): Promise<TLSSocket> {
    return new Promise((resolve, reject) => {
      const socket = connect({ ...tlsOptions(), servername: undefined }, () => {
        socket.write(head);
        resolve(socket);
      });
      socket.on('error', reject);
    });
  }

  it('serves logs with tailLines and limitBytes applied', async () => {
    assert.deepEqual(await get('/containerLogs/ns/p/c'), { status: 200, body: 'a\nb\nc\n', type: 'text/plain' });
    assert.equal((await get('/containerLogs/ns/p/c?tailLines=1')).body, 'c\n');
    assert.equal((await get('/containerLogs/ns/p/c?limitBytes=3')).body, 'a\nb');
  });

  it('streams a followed log as lines are appended', async () => {
    const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => request({ ...tlsOptions(), path: '/containerLogs/ns/p/c?follow=true&tailLines=0' }, resolve).on('error', reject).end());
    assert.equal(res.statusCode, 200);
    runtime.appendLog('ns', 'p', { container: 'c', line: 'later' });
    const [chunk] = (await once(res, 'data')) as [Buffer];
    assert.equal(chunk.toString(), 'later\n');
    res.destroy();
  });

  it('answers a Status for a missing container and for bad flags', async () => {
    const missing = await get('/containerLogs/ns/p/nope');
    assert.equal(missing.status, 404);
    assert.equal(JSON.parse(missing.body).reason, 'NotFound');
    const bad = await get('/containerLogs/ns/p/c?tailLines=-1');
    assert.equal(bad.status, 400);
    assert.match(JSON.parse(bad.body).message, /tailLines/);
  });

  it('rejects clients whose certificate another CA signed, and clients authorize() refuses', async () => {
    await assert.rejects(new Promise((resolve, reject) => request({ ...tlsOptions(stranger), path: '/healthz' }, resolve).on('error', reject).end()));
    const refusing = createStreamingServer({ runtime, tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.caCert }, authorize: () => false });
    refusing.listen(0, '127.0.0.1');
    await once(refusing, 'listening');
    try {
      const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) =>
        request({ ...tlsOptions(), port: (refusing.address() as AddressInfo).port, path: '/containerLogs/ns/p/c' }, resolve).on('error', reject).end(),
      );
      assert.equal(res.statusCode, 403);
      res.resume();
    } finally {
      refusing.closeAllConnections();
      refusing.close();
    }
  });

  it('runs exec over a v5.channel.k8s.io WebSocket', async () => {
    const socket = await upgrade(
      'GET /exec/ns/p/c?command=sh&command=-c&command=echo+hi%3B+exit+2&stdout=true&stderr=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: v5.channel.k8s.io\r\n\r\n',
    );
    const client = new WebSocketTestClient(socket);
    assert.match(await client.response, /^HTTP\/1\.1 101/);
    const out = await client.messages.next((m) => m.opcode === OPCODE.binary && m.payload[0] === CHANNEL.stdout);
    assert.equal(out.payload.subarray(1).toString(), 'hi\n');
    const status = await client.messages.next((m) => m.opcode === OPCODE.binary && m.payload[0] === CHANNEL.error);
    assert.deepEqual(JSON.parse(status.payload.subarray(1).toString()).details.causes, [{ reason: 'ExitCode', message: '2' }]);
    socket.destroy();
  });

  it('refuses an exec upgrade without a command with a 400 Status', async () => {
    const socket = await upgrade('GET /exec/ns/p/c?stdout=true HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: a2V5\r\n\r\n');
    let text = '';
    for await (const d of socket) text += d;
    assert.match(text, /^HTTP\/1\.1 400 Bad Request\r\n/);
    assert.match(text, /"message":"you must specify at least one command for the container"/);
  });

  it('forwards a port over plain SPDY/3.1 (kubectl\'s fallback)', async () => {
    const socket = await upgrade('POST /portForward/ns/p HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: SPDY/3.1\r\nX-Stream-Protocol-Version: portforward.k8s.io\r\nContent-Length: 0\r\n\r\n');
    let head: Buffer | undefined = Buffer.alloc(0);
    const client = new SpdyTestClient((frame) => socket.write(frame));
    const response = new Promise<string>((resolve) => {
      socket.on('data', (d: Buffer) => {
        if (!head) return client.feed(d);
        head = Buffer.concat([head, d]);
        const end = head.indexOf('\r\n\r\n');
        if (end < 0) return;
        resolve(head.subarray(0, end).toString());
        const rest = head.subarray(end + 4);
        head = undefined;
        if (rest.length) client.feed(rest);
      });
    });
    assert.match(await response, /^HTTP\/1\.1 101 Switching Protocols\r\n[\s\S]*X-Stream-Protocol-Version: portforward\.k8s\.io/);
    client.synStream(1, { streamtype: 'error', port: '80', requestid: '0' }, FLAG_FIN);
    client.synStream(3, { streamtype: 'data', port: '80', requestid: '0' });
    client.data(3, Buffer.from('over plain spdy'), FLAG_FIN);
    assert.equal((await client.readToEnd(3)).toString(), 'over plain spdy');
    socket.destroy();
  });
});
