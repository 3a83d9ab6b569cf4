import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { describe, it } from 'node:test';
import { waitFor } from '../../../lib/wait.ts';
import { freePort, httpGet, runAgnhostToEnd, startAgnhost, waitForHttp, waitForUdp } from './agnhost-harness.ts';

function readTcp(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const socket = net.connect(port, '127.0.0.1');
    socket.on('data', (c) => (data += c));
    socket.on('end', () => resolve(data));
    socket.on('error', reject);
  });
}

describe('agnhost serve-hostname', () => {
  it('serves the hostname over HTTP on any path by default and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const p = startAgnhost(['serve-hostname', '--port', String(port)], { HOSTNAME: 'backend-1' });
    try {
      assert.equal((await waitForHttp(`http://127.0.0.1:${port}/`)).body, 'backend-1');
      const agent = new http.Agent({ keepAlive: true });
      const r = await httpGet(`http://127.0.0.1:${port}/anything`, {}, agent);
      agent.destroy();
      assert.equal(r.body, 'backend-1');
      assert.equal(r.headers.connection, 'keep-alive');
      p.child.kill('SIGTERM');
      assert.equal((await p.exited).code, 0);
    } finally {
      await p.stop();
    }
  });

  it('closes each HTTP connection with --close', async () => {
    const port = await freePort();
    const p = startAgnhost(['serve-hostname', `--port=${port}`, '--close'], { HOSTNAME: 'backend-2' });
    try {
      await waitForHttp(`http://127.0.0.1:${port}/`);
      const agent = new http.Agent({ keepAlive: true });
      const r = await httpGet(`http://127.0.0.1:${port}/`, {}, agent);
      agent.destroy();
      assert.equal(r.headers.connection, 'close');
    } finally {
      await p.stop();
    }
  });

  it('serves raw TCP and UDP with --http=false', async () => {
    const port = await freePort();
    const p = startAgnhost(['serve-hostname', '--tcp', '--udp', '--http=false', `--port=${port}`], { HOSTNAME: 'backend-3' });
    try {
      assert.equal((await waitForUdp(port, 'anything')).reply, 'backend-3');
      assert.equal(await waitFor('TCP', () => readTcp(port)), 'backend-3');
    } finally {
      await p.stop();
    }
  });

  it('refuses to serve TCP and HTTP together', async () => {
    const r = await runAgnhostToEnd(['serve-hostname', '--tcp', `--port=${await freePort()}`]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /Can't serve TCP\/UDP mode and HTTP mode at the same time/);
  });
});
