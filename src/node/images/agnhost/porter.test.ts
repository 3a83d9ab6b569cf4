import assert from 'node:assert/strict';
import https from 'node:https';
import { describe, it } from 'node:test';
import { waitFor } from '../../../lib/wait.ts';
import { freePort, httpGet, startAgnhost, waitForHttp } from './agnhost-harness.ts';
import { porterPorts } from './porter.ts';

function httpsGet(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https.get(url, { rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('agnhost porter', () => {
  it('reads SERVE_PORT_ and SERVE_TLS_PORT_ variables', () => {
    assert.deepEqual(porterPorts({ SERVE_PORT_80: 'foo', SERVE_TLS_PORT_443: 'tls', PATH: '/bin', SERVE_PORT_81: 'a=b' }), [
      { port: '80', value: 'foo', isTls: false },
      { port: '443', value: 'tls', isTls: true },
      { port: '81', value: 'a=b', isTls: false },
    ]);
  });

  it('serves each SERVE_PORT_<n> value on port n, on any path', async () => {
    const [p1, p2] = [await freePort(), await freePort()];
    const p = startAgnhost(['porter'], { [`SERVE_PORT_${p1}`]: 'foo', [`SERVE_PORT_${p2}`]: 'bar' });
    try {
      assert.equal((await waitForHttp(`http://127.0.0.1:${p1}/`)).body, 'foo');
      assert.equal((await waitForHttp(`http://127.0.0.1:${p2}/some/path`)).body, 'bar');
      p.child.kill('SIGTERM');
      assert.equal((await p.exited).code, 0);
    } finally {
      await p.stop();
    }
  });

  it('answers JSON with the request method under --json-response', async () => {
    const port = await freePort();
    const p = startAgnhost(['porter', '--json-response'], { [`SERVE_PORT_${port}`]: 'v' });
    try {
      const r = await waitForHttp(`http://127.0.0.1:${port}/`);
      assert.equal(r.headers['content-type'], 'application/json');
      assert.deepEqual(JSON.parse(r.body), { Method: 'GET', Body: 'v' });
      assert.equal((await httpGet(`http://127.0.0.1:${port}/x`)).status, 200);
    } finally {
      await p.stop();
    }
  });

  it('serves SERVE_TLS_PORT_<n> over HTTPS with a generated localhost certificate', async () => {
    const port = await freePort();
    const p = startAgnhost(['porter'], { [`SERVE_TLS_PORT_${port}`]: 'secret', CERT_FILE: '/nonexistent.crt', KEY_FILE: '/nonexistent.key' });
    try {
      assert.equal(await waitFor('HTTPS', () => httpsGet(`https://127.0.0.1:${port}/`)), 'secret');
    } finally {
      await p.stop();
    }
  });
});
