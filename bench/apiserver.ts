// API server benchmark: 10,000 Services and 10,000 EndpointSlices through the API, for both stores.
// Prints writes/s, list latency, watch delivery latency (p50/p99) and server RSS, beside the same writes made
// directly to the store (the peer: what the storage alone can do on this machine, in this run).
// Usage: node bench/apiserver.ts [--count 10000] [--concurrency 32] [--stores sqlite,etcd]
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findResource } from '../src/api/resources.ts';
import type { KubeObject } from '../src/api/types.ts';
import { KubeClient } from '../src/client/client.ts';
import { readKubeconfig } from '../src/lib/kubeconfig.ts';
import { parseArgs, intFlag, stringFlag } from '../src/lib/args.ts';
import { waitFor } from '../src/lib/wait.ts';
import { SqliteStore } from '../src/storage/sqlite-store.ts';
import { EtcdStore } from '../src/storage/etcd-store.ts';
import { EtcdTestServer } from '../src/storage/etcd-test-server.ts';
import type { Store } from '../src/storage/store.ts';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const SERVICES = findResource('', 'v1', 'services')!;
const SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;
const NAMESPACES = findResource('', 'v1', 'namespaces')!;

const args = parseArgs(process.argv.slice(2));
const COUNT = intFlag(args, 'count', 10_000);
const CONCURRENCY = intFlag(args, 'concurrency', 32);
const STORES = (stringFlag(args, 'stores') ?? 'sqlite,etcd').split(',');
const NS_COUNT = 10;

const service = (i: number): KubeObject => ({ metadata: { name: `svc-${i}`, namespace: `bench-${i % NS_COUNT}`, labels: { app: `app-${i}` } }, spec: { selector: { app: `app-${i}` }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
const slice = (i: number): KubeObject => ({
  metadata: { name: `svc-${i}-abcde`, namespace: `bench-${i % NS_COUNT}`, labels: { 'kubernetes.io/service-name': `svc-${i}`, 'endpointslice.kubernetes.io/managed-by': 'bench' } },
  addressType: 'IPv4',
  endpoints: Array.from({ length: 3 }, (_, k) => ({ addresses: [`198.18.${128 + (i % 100)}.${k + 2}`], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'node-1' })),
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
});

async function pool(n: number, work: (i: number) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (next < n) await work(next++);
  }));
  return performance.now() - started;
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? NaN;
};
const fmt = (n: number, d = 1) => n.toFixed(d);

async function startServer(dir: string, store: string): Promise<{ child: ChildProcess; client: KubeClient }> {
  const child = spawn(process.execPath, [MAIN, 'server', '--data-dir', dir, '--port', '0', '--store', store], { stdio: ['ignore', 'ignore', 'inherit'] });
  await waitFor('the server to start', () => existsSync(join(dir, 'server.json')) && existsSync(join(dir, 'kubeconfig')), { timeoutMs: 30_000 });
  return { child, client: new KubeClient(readKubeconfig(join(dir, 'kubeconfig'))) };
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function rawStoreWrites(store: Store): Promise<number> {
  const ms = await pool(COUNT, async (i) => {
    await store.create(`core/services/bench-${i % NS_COUNT}/svc-${i}`, service(i) as Record<string, unknown>);
  });
  const ms2 = await pool(COUNT, async (i) => {
    await store.create(`discovery.k8s.io/endpointslices/bench-${i % NS_COUNT}/svc-${i}-abcde`, slice(i) as Record<string, unknown>);
  });
  return (2 * COUNT) / ((ms + ms2) / 1000);
}

async function benchApi(storeSpec: string): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-'));
  const { child, client } = await startServer(dir, storeSpec);
  try {
    for (let n = 0; n < NS_COUNT; n++) await client.create(NAMESPACES, { metadata: { name: `bench-${n}` } });
    const sent = new Map<string, number>();
    const latencies: number[] = [];
    const from = (await client.list(SLICES)).metadata.resourceVersion;
    const stream = await client.watch(SLICES, undefined, { resourceVersion: from });
    const watching = (async () => {
      for await (const ev of stream) {
        const t = sent.get(ev.object.metadata.name!);
        if (t !== undefined) latencies.push(performance.now() - t);
        if (latencies.length === COUNT) break;
      }
    })();
    const svcMs = await pool(COUNT, async (i) => {
      await client.create(SERVICES, service(i));
    });
    const sliceMs = await pool(COUNT, async (i) => {
      sent.set(`svc-${i}-abcde`, performance.now());
      await client.create(SLICES, slice(i));
    });
    await watching;
    stream.stop();
    const listMs: number[] = [];
    for (let k = 0; k < 5; k++) {
      const t = performance.now();
      const l = await client.list(SERVICES);
      listMs.push(performance.now() - t);
      if (l.items.length < COUNT) throw new Error(`listed ${l.items.length} services`);
    }
    const rss = rssMiB(child.pid!);
    client.close();
    return { writesPerSec: (2 * COUNT) / ((svcMs + sliceMs) / 1000), listMs: pct(listMs, 50), watchP50: pct(latencies, 50), watchP99: pct(latencies, 99), rss };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    rmSync(dir, { recursive: true, force: true });
  }
}

console.log(`# API server: ${COUNT} Services + ${COUNT} EndpointSlices, ${CONCURRENCY} concurrent clients, ${new Date().toISOString()}`);
console.log('| store | API writes/s | raw store writes/s (peer) | ratio | list all Services | watch p50 | watch p99 | server RSS |');
console.log('|---|---|---|---|---|---|---|---|');
for (const s of STORES) {
  let etcd: EtcdTestServer | undefined;
  try {
    let spec = 'sqlite';
    let raw: number;
    if (s === 'etcd') {
      etcd = await EtcdTestServer.start();
      spec = etcd.endpoint.replace('http://', 'etcd://');
      const peer = await EtcdStore.connect(etcd.endpoint, { prefix: '/raw-peer/' });
      raw = await rawStoreWrites(peer);
      await peer.close();
    } else {
      const d = mkdtempSync(join(tmpdir(), 'skiff-bench-raw-'));
      const peer = SqliteStore.open(join(d, 'raw.db'));
      raw = await rawStoreWrites(peer);
      await peer.close();
      rmSync(d, { recursive: true, force: true });
    }
    const r = await benchApi(spec);
    console.log(`| ${s} | ${fmt(r.writesPerSec, 0)} | ${fmt(raw, 0)} | ${fmt(r.writesPerSec / raw, 2)} | ${fmt(r.listMs)} ms | ${fmt(r.watchP50)} ms | ${fmt(r.watchP99)} ms | ${fmt(r.rss, 0)} MiB |`);
  } finally {
    await etcd?.stop();
  }
}
