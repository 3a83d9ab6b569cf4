// An in-process API server on a temporary SQLite store, for integration tests.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApiServer } from '../../src/apiserver/server.ts';
import type { ApiServerOptions } from '../../src/apiserver/server.ts';
import { ensureKubernetesService, ensureSystemNamespaces } from '../../src/apiserver/bootstrap.ts';
import { ServiceAllocator } from '../../src/apiserver/allocators/service-allocator.ts';
import type { ServiceAllocatorOptions } from '../../src/apiserver/allocators/service-allocator.ts';
import { repairAllocations } from '../../src/cmd/server.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import type { Store } from '../../src/storage/store.ts';
import { ensurePki } from '../../src/lib/pki.ts';
import { renderKubeconfig } from '../../src/lib/kubeconfig.ts';
import type { KubeconfigCredentials } from '../../src/lib/kubeconfig.ts';
import { KubeClient } from '../../src/client/client.ts';

export interface TestCluster {
  dir: string;
  server: ApiServer;
  store: Store;
  client: KubeClient;
  allocator: ServiceAllocator;
  credentials: KubeconfigCredentials;
  kubeconfigPath: string;
  url: string;
  stop(): Promise<void>;
}

export async function startTestCluster(options: Partial<Pick<ApiServerOptions, 'admission' | 'now'>> & { store?: Store; dir?: string; allocator?: Partial<ServiceAllocatorOptions> } = {}): Promise<TestCluster> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'skiff-it-'));
  const pki = await ensurePki(join(dir, 'pki'), { serverHosts: [], serverIPs: ['127.0.0.1'] });
  const store = options.store ?? SqliteStore.open(join(dir, 'state.db'));
  const allocator = new ServiceAllocator(options.allocator);
  const server = new ApiServer({
    store,
    credentials: { ca: pki.caCert, cert: pki.serverCert, key: pki.serverKey, tokens: new Map([[pki.adminToken, 'skiff-admin']]) },
    admission: [allocator, ...(options.admission ?? [])],
    now: options.now,
  });
  await repairAllocations(allocator, server);
  await server.listen(0, '127.0.0.1');
  await ensureSystemNamespaces(server.registry);
  await ensureKubernetesService(server.registry, { clusterIP: allocator.addressAt(1), port: server.address().port });
  const url = `https://127.0.0.1:${server.address().port}`;
  const credentials = { server: url, caPem: pki.caCert, certPem: pki.adminCert, keyPem: pki.adminKey };
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, renderKubeconfig(credentials), { mode: 0o600 });
  const client = new KubeClient(credentials);
  return {
    dir,
    server,
    store,
    client,
    allocator,
    credentials,
    kubeconfigPath,
    url,
    async stop() {
      client.close();
      await server.close();
      await store.close();
      if (!options.dir) rmSync(dir, { recursive: true, force: true });
    },
  };
}
