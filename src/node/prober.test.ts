import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { resolvePort, runProbe } from './prober.ts';
import type { ProbeTarget } from './prober.ts';

function target(extra: Partial<ProbeTarget> = {}): ProbeTarget {
  return { podIP: '127.0.0.1', container: { name: 'app', ports: [{ name: 'http', containerPort: 8080 }] }, exec: async () => ({ exitCode: 0, output: '' }), ...extra };
}

describe('runProbe', () => {
  it('passes an HTTP probe on 2xx/3xx with the kube-probe user agent and fails on 5xx', async () => {
    let agent = '';
    const server = http.createServer((req, res) => {
      agent = req.headers['user-agent'] ?? '';
      res.statusCode = req.url === '/healthz' ? 200 : req.url === '/moved' ? 302 : 503;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      assert.deepEqual(await runProbe({ httpGet: { path: '/healthz', port } }, { target: target(), timeoutMs: 1000 }), { isSuccess: true });
      assert.equal(agent, 'kube-probe/1.32');
      assert.equal((await runProbe({ httpGet: { path: '/moved', port } }, { target: target(), timeoutMs: 1000 })).isSuccess, true);
      assert.deepEqual(await runProbe({ httpGet: { path: '/bad', port } }, { target: target(), timeoutMs: 1000 }), { isSuccess: false, message: 'HTTP probe failed with statuscode: 503' });
    } finally {
      server.close();
    }
  });

  it('passes a TCP probe when something listens and fails when nothing does', async () => {
    const server = createServer((s) => s.end());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    assert.equal((await runProbe({ tcpSocket: { port } }, { target: target(), timeoutMs: 1000 })).isSuccess, true);
    server.close();
    await new Promise((r) => server.once('close', r));
    const failed = await runProbe({ tcpSocket: { port } }, { target: target(), timeoutMs: 1000 });
    assert.equal(failed.isSuccess, false);
    assert.match(failed.message!, /ECONNREFUSED/);
  });

  it('judges an exec probe by its exit status', async () => {
    const seen: string[][] = [];
    const t = target({ exec: async (argv) => (seen.push(argv), { exitCode: argv[0] === 'true' ? 0 : 1, output: 'nope' }) });
    assert.equal((await runProbe({ exec: { command: ['true'] } }, { target: t, timeoutMs: 1000 })).isSuccess, true);
    assert.deepEqual(await runProbe({ exec: { command: ['false'] } }, { target: t, timeoutMs: 1000 }), { isSuccess: false, message: 'command ["false"] exited with 1: nope' });
    assert.deepEqual(seen, [['true'], ['false']]);
  });

  it('resolves named ports through the container ports', () => {
    assert.equal(resolvePort('http', target().container), 8080);
    assert.equal(resolvePort('9090', target().container), 9090);
    assert.equal(resolvePort('nope', target().container), undefined);
  });
});
