import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { freePort, runAgnhostToEnd } from './agnhost-harness.ts';
import { splitHostPort, tryConnect } from './connect.ts';

/** A UDP socket on 127.0.0.1 that answers every datagram (or none, when silent). */
async function udpServer(isSilent: boolean): Promise<{ port: number; close: () => void }> {
  const socket = dgram.createSocket('udp4');
  socket.on('message', (_m, r) => isSilent || socket.send('pong', r.port, r.address));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', () => resolve()));
  return { port: socket.address().port, close: () => socket.close() };
}

/**
 * A loopback TCP listener whose accept queue is full: a child process listens with backlog 1 and then blocks
 * its event loop, two connections fill the queue, and the kernel drops every further SYN — a real timeout
 * without sending a packet anywhere but 127.0.0.1.
 */
async function fullBacklogListener(): Promise<{ port: number; close: () => void }> {
  const code = `const s=require('net').createServer();s.listen(0,'127.0.0.1',1,()=>{require('fs').writeSync(1,s.address().port+'\\n');` +
    'Atomics.wait(new Int32Array(new SharedArrayBuffer(4)),0,0);});';
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve) => child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim()))));
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 2; i++) {
    const s = net.connect(port, '127.0.0.1');
    s.on('error', () => {});
    await new Promise((r) => s.once('connect', r));
    fillers.push(s);
  }
  return { port, close: () => (fillers.forEach((s) => s.destroy()), child.kill('SIGKILL')) };
}

describe('agnhost connect over TCP', () => {
  let listener: net.Server;
  let open: number;
  before(async () => {
    listener = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => listener.listen(0, '127.0.0.1', () => r()));
    open = (listener.address() as net.AddressInfo).port;
  });
  after(() => listener.close());

  it('exits 0 silently when the port accepts', async () => {
    assert.deepEqual(await runAgnhostToEnd(['connect', `127.0.0.1:${open}`, '--timeout=5s']), { code: 0, stdout: '', stderr: '' });
  });

  it('prints REFUSED and exits 1 for a closed port', async () => {
    const r = await runAgnhostToEnd(['connect', '--timeout=5s', `127.0.0.1:${await freePort()}`]);
    assert.deepEqual([r.code, r.stderr], [1, 'REFUSED\n']);
  });

  it('prints TIMEOUT and exits 1 when the SYN is never answered', async () => {
    const blackhole = await fullBacklogListener();
    try {
      const t0 = Date.now();
      const r = await runAgnhostToEnd(['connect', '--timeout=500ms', `127.0.0.1:${blackhole.port}`]);
      assert.deepEqual([r.code, r.stderr], [1, 'TIMEOUT\n']);
      assert.ok(Date.now() - t0 >= 500);
    } finally {
      blackhole.close();
    }
  });

  it('prints UNKNOWN for a destination without a port', async () => {
    const r = await runAgnhostToEnd(['connect', '127.0.0.1']);
    assert.deepEqual([r.code, r.stderr], [1, 'UNKNOWN: address 127.0.0.1: missing port in address\n']);
  });

  it('prints DNS when the name does not resolve', async () => {
    const lookup = async () => {
      throw Object.assign(new Error('getaddrinfo ENOTFOUND'), { code: 'ENOTFOUND' });
    };
    assert.equal(await tryConnect('no-such-service.invalid:80', { protocol: 'tcp', timeoutMs: 1000, udpData: 'hostname', lookup }), 'DNS: lookup no-such-service.invalid: no such host');
  });

  it('connects to the address a resolved name gives', async () => {
    const lookup = async (host: string) => (host === 'my-svc' ? '127.0.0.1' : '192.0.2.1');
    assert.equal(await tryConnect(`my-svc:${open}`, { protocol: 'tcp', timeoutMs: 1000, udpData: 'hostname', lookup }), undefined);
  });

  it('requires exactly one destination', async () => {
    const r = await runAgnhostToEnd(['connect']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /accepts 1 arg\(s\), received 0/);
  });
});

describe('agnhost connect over UDP', () => {
  it('exits 0 when the server answers', async () => {
    const server = await udpServer(false);
    try {
      const r = await runAgnhostToEnd(['connect', '--protocol=udp', '--timeout=2s', `127.0.0.1:${server.port}`]);
      assert.deepEqual([r.code, r.stderr], [0, '']);
    } finally {
      server.close();
    }
  });

  it('prints TIMEOUT when the server stays silent', async () => {
    const server = await udpServer(true);
    try {
      const r = await runAgnhostToEnd(['connect', '--protocol', 'udp', '--timeout', '300ms', `127.0.0.1:${server.port}`]);
      assert.equal(r.code, 1);
      assert.match(r.stderr, new RegExp(`^TIMEOUT: read udp 127\\.0\\.0\\.1:\\d+->127\\.0\\.0\\.1:${server.port}: i/o timeout\\n$`));
    } finally {
      server.close();
    }
  });

  it('prints REFUSED when nothing listens on the port', async () => {
    const r = await runAgnhostToEnd(['connect', '--protocol=udp', '--timeout=2s', `127.0.0.1:${await freePort()}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^REFUSED: read udp .*: read: connection refused\n$/);
  });
});

describe('splitHostPort', () => {
  it('splits like Go', () => {
    assert.deepEqual(splitHostPort('10.0.0.1:80'), { host: '10.0.0.1', port: '80' });
    assert.deepEqual(splitHostPort('[fd00::1]:53'), { host: 'fd00::1', port: '53' });
    assert.deepEqual(splitHostPort('svc.ns:8080'), { host: 'svc.ns', port: '8080' });
    assert.deepEqual(splitHostPort('fd00::1:53'), { error: 'address fd00::1:53: too many colons in address' });
  });
});
