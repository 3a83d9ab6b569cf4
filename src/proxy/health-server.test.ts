import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { HealthCheckServers, proxyHealthAnswer, serviceHealthAnswer } from './health-server.ts';

describe('healthCheckNodePort answers', () => {
  it('say 200 with the local endpoint count, in kube-proxy\'s JSON, when this node has endpoints', () => {
    const a = serviceHealthAnswer({ namespace: 'default', name: 'wp-nginx-service', localEndpoints: 1 }, true);
    assert.equal(a.status, 200);
    assert.equal(a.body, '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "wp-nginx-service"\n\t},\n\t"localEndpoints": 1,\n\t"serviceProxyHealthy": true\n}');
    assert.equal(a.body.length, 127);
    assert.deepEqual(a.headers, { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'X-Load-Balancing-Endpoint-Weight': '1' });
  });

  it('say 503 without local endpoints, or when the proxy itself is unhealthy', () => {
    assert.equal(serviceHealthAnswer({ namespace: 'a', name: 'b', localEndpoints: 0 }, true).status, 503);
    assert.equal(serviceHealthAnswer({ namespace: 'a', name: 'b', localEndpoints: 2 }, false).status, 503);
  });

  it('the proxy\'s own /healthz reports when rules were last updated', () => {
    const a = proxyHealthAnswer(Date.parse('2025-01-01T00:00:00Z'), Date.parse('2025-01-01T00:00:05Z'), true);
    assert.equal(a.status, 200);
    assert.deepEqual(JSON.parse(a.body), { lastUpdated: '2025-01-01T00:00:00.000Z', currentTime: '2025-01-01T00:00:05.000Z', nodeEligible: true });
    assert.equal(proxyHealthAnswer(undefined, 0, false).status, 503);
  });
});

it('HealthCheckServers opens a listener per port, answers on any path, and closes removed ports', async () => {
  const servers = new HealthCheckServers({ addresses: ['127.0.0.1'], isProxyHealthy: () => true });
  try {
    await servers.sync(new Map([[0, { namespace: 'a', name: 'b', localEndpoints: 0 }]]));
    // Port 0 picks a free port; find it through a second sync with the real number.
    assert.deepEqual(servers.ports(), [0]);
    await servers.sync(new Map());
    assert.deepEqual(servers.ports(), []);
    const probe = await import('node:net');
    const port = await new Promise<number>((resolve) => {
      const s = probe.createServer().listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await servers.sync(new Map([[port, { namespace: 'a', name: 'b', localEndpoints: 2 }]]));
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { localEndpoints: number }).localEndpoints, 2);
    await servers.sync(new Map([[port, { namespace: 'a', name: 'b', localEndpoints: 0 }]]));
    assert.equal((await fetch(`http://127.0.0.1:${port}/`)).status, 503, 'the count follows the sync');
  } finally {
    await servers.close();
  }
});
