// HTTP answers kube-proxy gives: `/healthz` and `/livez` of the proxy itself, and one server per
// `healthCheckNodePort` telling a load balancer whether this node has local endpoints for the Service.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ServiceHealth {
  namespace: string;
  name: string;
  localEndpoints: number;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** What a healthCheckNodePort answers on any path: 200 with local endpoints, 503 without. Pure. */
export function serviceHealthAnswer(h: ServiceHealth, isProxyHealthy: boolean): HttpAnswer {
  const body = JSON.stringify({ service: { namespace: h.namespace, name: h.name }, localEndpoints: h.localEndpoints, serviceProxyHealthy: isProxyHealthy }, null, '\t');
  return {
    status: h.localEndpoints > 0 && isProxyHealthy ? 200 : 503,
    headers: { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff', 'X-Load-Balancing-Endpoint-Weight': String(h.localEndpoints) },
    body,
  };
}

/** The proxy's own health: 200 once rules are programmed and recent, else 503. Pure. */
export function proxyHealthAnswer(lastUpdated: number | undefined, now: number, isHealthy: boolean): HttpAnswer {
  const body = JSON.stringify({ lastUpdated: new Date(lastUpdated ?? 0).toISOString(), currentTime: new Date(now).toISOString(), nodeEligible: true });
  return { status: isHealthy ? 200 : 503, headers: { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' }, body };
}

function send(res: http.ServerResponse, a: HttpAnswer): void {
  res.writeHead(a.status, { ...a.headers, 'Content-Length': String(Buffer.byteLength(a.body)) }).end(a.body);
}

export async function listen(server: http.Server, address: string, port: number): Promise<AddressInfo> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, address, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server.address() as AddressInfo;
}

export async function closeServer(server: http.Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}

/** A server with fixed routes: `/metrics`, `/healthz`, `/livez` as given. */
export function routesServer(routes: Record<string, () => HttpAnswer>): http.Server {
  return http.createServer((req, res) => {
    req.resume();
    const path = (req.url ?? '/').split('?')[0];
    const route = routes[path];
    send(res, route ? route() : { status: 404, headers: { 'Content-Type': 'text/plain' }, body: '404 page not found\n' });
  });
}

/** One listener per healthCheckNodePort, on each of `addresses`, kept in line with `sync()`. */
export class HealthCheckServers {
  #addresses: readonly string[];
  #isHealthy: () => boolean;
  #log: (m: string) => void;
  #servers = new Map<number, http.Server[]>();
  #health = new Map<number, ServiceHealth>();

  constructor(options: { addresses: readonly string[]; isProxyHealthy: () => boolean; log?: (m: string) => void }) {
    this.#addresses = options.addresses;
    this.#isHealthy = options.isProxyHealthy;
    this.#log = options.log ?? (() => {});
  }

  ports(): number[] {
    return [...this.#servers.keys()];
  }

  async sync(desired: ReadonlyMap<number, ServiceHealth>): Promise<void> {
    for (const [port, h] of desired) this.#health.set(port, h);
    for (const [port, servers] of this.#servers) {
      if (desired.has(port)) continue;
      this.#servers.delete(port);
      this.#health.delete(port);
      await Promise.all(servers.map(closeServer));
    }
    for (const port of desired.keys()) {
      if (this.#servers.has(port)) continue;
      const servers: http.Server[] = [];
      for (const address of this.#addresses) {
        const s = http.createServer((req, res) => {
          req.resume();
          const h = this.#health.get(port);
          if (h) send(res, serviceHealthAnswer(h, this.#isHealthy()));
          else send(res, { status: 404, headers: {}, body: '' });
        });
        try {
          await listen(s, address, port);
          servers.push(s);
        } catch (e) {
          this.#log(`proxy: health check port ${address}:${port}: ${e instanceof Error ? e.message : String(e)}`);
        }
      }
      if (servers.length) this.#servers.set(port, servers);
    }
  }

  async close(): Promise<void> {
    const all = [...this.#servers.values()].flat();
    this.#servers.clear();
    await Promise.all(all.map(closeServer));
  }
}
