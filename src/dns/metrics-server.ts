// /health, /ready and /metrics over plain HTTP (CoreDNS serves these on :8080, :8181 and :9153).
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ListenAddress } from './dns-server.ts';

export interface MetricsServer {
  readonly address: ListenAddress;
  close(): Promise<void>;
}

export function listenMetrics(listen: ListenAddress, probes: { isReady: () => boolean; render: () => string }): Promise<MetricsServer> {
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    const send = (code: number, body: string, type = 'text/plain; charset=utf-8') => {
      res.writeHead(code, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed\n');
    if (path === '/health' || path === '/healthz') return send(200, 'OK\n');
    if (path === '/ready' || path === '/readyz') return probes.isReady() ? send(200, 'OK\n') : send(503, 'not synced with the API server yet\n');
    if (path === '/metrics') return send(200, probes.render(), 'text/plain; version=0.0.4; charset=utf-8');
    send(404, 'not found\n');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(listen.port, listen.address, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve({
        address: { address: listen.address, port: a.port },
        close: () =>
          new Promise<void>((r) => {
            server.closeAllConnections();
            server.close(() => r());
          }),
      });
    });
  });
}
