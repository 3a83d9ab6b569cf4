// Controller benchmark: S Services × P pods each (default 1,000 × 10).
// 1. Cold start: the controller manager starts against a cluster that already holds every Service and Ready pod;
//    time until every Service has its EndpointSlice(s) with all P endpoints ready.
// 2. Ready → EndpointSlice latency (p50/p99) for pods turned Ready one at a time while the system runs, beside
//    the peer floor: the same status write seen back through a plain watch on the pod (API round trip only).
// Usage: node bench/endpointslices.ts [--services 1000] [--pods 10] [--samples 300]
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findResource } from '../src/api/resources.ts';
import type { EndpointSlice, KubeObject, Pod } from '../src/api/types.ts';
import { KubeClient } from '../src/client/client.ts';
import { readKubeconfig } from '../src/lib/kubeconfig.ts';
import { intFlag, parseArgs } from '../src/lib/args.ts';
import { waitFor } from '../src/lib/wait.ts';

const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const R = {
  svc: findResource('', 'v1', 'services')!,
  pod: findResource('', 'v1', 'pods')!,
  node: findResource('', 'v1', 'nodes')!,
  lease: findResource('coordination.k8s.io', 'v1', 'leases')!,
  slice: findResource('discovery.k8s.io', 'v1', 'endpointslices')!,
};
const args = parseArgs(process.argv.slice(2));
const S = intFlag(args, 'services', 1000);
const P = intFlag(args, 'pods', 10);
const SAMPLES = intFlag(args, 'samples', 300);
const NODES = 10;

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
const now = () => new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');

async function pool(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await work(next++);
  }));
}

function podIp(i: number): string {
  return `198.18.${128 + Math.floor(i / 250)}.${(i % 250) + 2}`;
}

function readyStatus(pod: KubeObject, i: number, isReady: boolean): KubeObject {
  return { ...pod, status: { phase: 'Running', podIP: podIp(i), podIPs: [{ ip: podIp(i) }], hostIP: '198.18.0.11', conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False', lastTransitionTime: now() }] } };
}

const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-eps-'));
const children: ChildProcess[] = [];
function start(argv: string[]): ChildProcess {
  const child = spawn(process.execPath, [MAIN, ...argv], { stdio: ['ignore', 'ignore', 'inherit'] });
  children.push(child);
  return child;
}
try {
  start(['server', '--data-dir', dir, '--port', '0', '--no-controllers']);
  await waitFor('the server', () => existsSync(join(dir, 'server.json')), { timeoutMs: 30_000 });
  const client = new KubeClient(readKubeconfig(join(dir, 'kubeconfig')));
  for (let n = 1; n <= NODES; n++) {
    await client.create(R.node, { metadata: { name: `node-${n}` }, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: now() }], addresses: [{ type: 'InternalIP', address: `198.18.0.${10 + n}` }] } });
    await client.create(R.lease, { metadata: { name: `node-${n}`, namespace: 'kube-node-lease' }, spec: { holderIdentity: `node-${n}`, leaseDurationSeconds: 40, renewTime: new Date().toISOString() } });
  }
  await pool(S, 32, async (s) => {
    await client.create(R.svc, { metadata: { name: `s-${s}`, namespace: 'default' }, spec: { selector: { app: `s-${s}` }, ports: [{ port: 80, targetPort: 8080 }] } });
  });
  await pool(S * P, 32, async (i) => {
    const pod = await client.create(R.pod, { metadata: { name: `p-${i}`, namespace: 'default', labels: { app: `s-${i % S}` } }, spec: { nodeName: `node-${(i % NODES) + 1}`, containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.10' }] } });
    await client.updateStatus(R.pod, readyStatus(pod, i, i >= SAMPLES));
  });
  console.log(`# EndpointSlice controller: ${S} Services × ${P} pods, ${NODES} nodes, ${new Date().toISOString()}`);

  const coldStart = performance.now();
  start(['controller-manager', '--kubeconfig', join(dir, 'kubeconfig')]);
  await waitFor('every Service to have its ready endpoints', async () => {
    const slices = await client.list<EndpointSlice>(R.slice, 'default');
    let ready = 0;
    for (const s of slices.items) for (const e of s.endpoints ?? []) if (e.conditions?.ready) ready++;
    return ready >= S * P - SAMPLES;
  }, { timeoutMs: 600_000, intervalMs: 200 });
  const coldMs = performance.now() - coldStart;

  const sliceSeen = new Map<string, number>();
  const podSeen = new Map<string, number>();
  const from = (await client.list(R.slice, 'default')).metadata.resourceVersion;
  const sliceWatch = await client.watch(R.slice, 'default', { resourceVersion: from });
  const podWatch = await client.watch(R.pod, 'default', { resourceVersion: from });
  void (async () => {
    for await (const ev of sliceWatch) for (const e of (ev.object as EndpointSlice).endpoints ?? []) if (e.conditions?.ready && !sliceSeen.has(e.addresses[0])) sliceSeen.set(e.addresses[0], performance.now());
  })();
  void (async () => {
    for await (const ev of podWatch) {
      const p = ev.object as Pod;
      if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !podSeen.has(p.status.podIP!)) podSeen.set(p.status.podIP!, performance.now());
    }
  })();
  const sliceLat: number[] = [];
  const floorLat: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const pod = await client.get(R.pod, 'default', `p-${i}`);
    const t0 = performance.now();
    await client.updateStatus(R.pod, readyStatus(pod, i, true));
    const ip = podIp(i);
    await waitFor(`slice for ${ip}`, () => sliceSeen.has(ip) && podSeen.has(ip), { timeoutMs: 30_000, intervalMs: 1 });
    sliceLat.push(sliceSeen.get(ip)! - t0);
    floorLat.push(podSeen.get(ip)! - t0);
  }
  sliceWatch.stop();
  podWatch.stop();
  client.close();
  const f = (n: number) => n.toFixed(1);
  console.log('| measure | skiff | peer floor (status write → pod watch event) | ratio |');
  console.log('|---|---|---|---|');
  console.log(`| Ready → EndpointSlice p50 | ${f(pct(sliceLat, 50))} ms | ${f(pct(floorLat, 50))} ms | ${(pct(sliceLat, 50) / pct(floorLat, 50)).toFixed(1)} |`);
  console.log(`| Ready → EndpointSlice p99 | ${f(pct(sliceLat, 99))} ms | ${f(pct(floorLat, 99))} ms | ${(pct(sliceLat, 99) / pct(floorLat, 99)).toFixed(1)} |`);
  console.log(`| cold start: reconcile ${S} Services / ${S * P} pods | ${(coldMs / 1000).toFixed(1)} s | — | — |`);
} finally {
  for (const c of children) c.kill('SIGTERM');
  await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
  rmSync(dir, { recursive: true, force: true });
}
