// Cluster DNS benchmark: dnsperf against our server and against NSD (a Debian authoritative server serving an
// equivalent generated zone), both pinned to one core, in the same run, on 127.0.0.1 only.
//   in-cluster: A queries for 10k Services; external: A queries for names our server has cached from a local
//   upstream (started here, on loopback). Saturation qps (unbounded), then latency at a fixed rate below it.
// Usage: node bench/dns.ts [--services 10000] [--seconds 6] [--rate 10000]
//        node bench/dns.ts --serve --kubeconfig K --upstream IP:PORT   (the DNS child; internal)
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { findResource } from '../src/api/resources.ts';
import { KubeClient } from '../src/client/client.ts';
import { startClusterDns } from '../src/dns/cluster-dns.ts';
import { startFakeUpstream } from '../src/dns/fake-upstream.ts';
import type { Rr } from '../src/dns/records.ts';
import { intFlag, parseArgs, stringFlag } from '../src/lib/args.ts';
import { readKubeconfig } from '../src/lib/kubeconfig.ts';
import { waitFor } from '../src/lib/wait.ts';

const SELF = fileURLToPath(import.meta.url);
const MAIN = fileURLToPath(new URL('../src/cli/main.ts', import.meta.url));
const args = parseArgs(process.argv.slice(2), new Set(['serve']));
const EXTERNAL = 1000;

/** The DNS server alone in its own process, so its CPU and memory are its own. */
async function serve(): Promise<void> {
  const client = new KubeClient(readKubeconfig(stringFlag(args, 'kubeconfig')!));
  const dns = await startClusterDns({ client, listen: [{ address: '127.0.0.1', port: 0 }], metricsListen: { address: '127.0.0.1', port: 0 }, upstreams: [stringFlag(args, 'upstream')!], podMode: 'disabled', log: () => {} });
  await dns.synced;
  const report = () => {
    globalThis.gc?.();
    const m = process.memoryUsage();
    return { port: dns.addresses[0].port, metricsPort: dns.metricsAddress!.port, rssMB: m.rss / 2 ** 20, heapMB: m.heapUsed / 2 ** 20 };
  };
  console.log(JSON.stringify(report()));
  for await (const line of createInterface({ input: process.stdin })) {
    if (line === 'mem') console.log(JSON.stringify(report()));
    if (line === 'stop') break;
  }
  await dns.stop();
  client.close();
}

interface Perf {
  qps: number;
  avgMs: number;
  p50Ms?: number;
  p99Ms?: number;
  lost: number;
}

/** Runs dnsperf on core 1 (asynchronously: the local upstream in this process must keep answering). */
async function dnsperf(port: number, file: string, seconds: number, rate?: number): Promise<Perf> {
  const argv = ['-c', '1', 'dnsperf', '-s', '127.0.0.1', '-p', String(port), '-d', file, '-l', String(seconds), '-t', '2'];
  // Saturation: 4 clients, 200 queries outstanding. Below it: one client at a fixed rate, every answer timed.
  argv.push(...(rate ? ['-c', '1', '-q', '50', '-Q', String(rate), '-v'] : ['-c', '4', '-q', '200']));
  // Output goes to a file, not a pipe: reading a pipe here would steal CPU from the run being measured.
  const outFile = `${file}.${port}.out`;
  const fd = openSync(outFile, 'w');
  const out = await new Promise<string>((resolve, reject) => {
    const child = spawn('taskset', argv, { stdio: ['ignore', fd, 'pipe'] });
    let err = '';
    child.stderr!.on('data', (c: Buffer) => (err += c));
    child.on('exit', (code) => {
      closeSync(fd);
      if (code === 0) resolve(readFileSync(outFile, 'utf8'));
      else reject(new Error(`dnsperf failed: ${err}`));
    });
  });
  const num = (re: RegExp) => Number(re.exec(out)?.[1] ?? NaN);
  const perf: Perf = { qps: num(/Queries per second:\s+([\d.]+)/), avgMs: num(/Average Latency \(s\):\s+([\d.]+)/) * 1000, lost: num(/Queries lost:\s+(\d+)/) };
  if (rate) {
    // -v prints one line per answer; its last field is the latency in seconds.
    const lat = [...out.matchAll(/^> \S+ .* ([\d.]+)$/gm)].map((m) => Number(m[1])).sort((a, b) => a - b);
    perf.p50Ms = lat[Math.floor(lat.length * 0.5)] * 1000;
    perf.p99Ms = lat[Math.floor(lat.length * 0.99)] * 1000;
  }
  return perf;
}

async function pool(n: number, concurrency: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < n) await work(next++);
  }));
}

/** Server-side latency quantile (upper bucket bound) of queries answered between two scrapes of /metrics. */
async function serverQuantile(metricsPort: number, run: () => Promise<Perf>, q: number): Promise<{ perf: Perf; ms: number }> {
  const scrape = async () => {
    const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    const buckets = new Map<string, number>();
    for (const m of text.matchAll(/^skiff_dns_request_duration_seconds_bucket\{source="[^"]+",le="([^"]+)"\} (\d+)$/gm)) buckets.set(m[1], (buckets.get(m[1]) ?? 0) + Number(m[2]));
    return buckets;
  };
  const before = await scrape();
  const perf = await run();
  const after = await scrape();
  const total = after.get('+Inf')! - before.get('+Inf')!;
  const bound = [...after.keys()].find((le) => after.get(le)! - before.get(le)! >= q * total) ?? '+Inf';
  return { perf, ms: Number(bound) * 1000 };
}

const clusterIp = (i: number) => `198.19.${1 + (i >> 8)}.${i & 255}`;

async function bench(): Promise<void> {
  const S = intFlag(args, 'services', 10_000);
  const SECONDS = intFlag(args, 'seconds', 6);
  const RATE = intFlag(args, 'rate', 10_000);
  for (const tool of ['dnsperf', 'nsd', 'taskset']) if (spawnSync('sh', ['-c', `command -v ${tool}`]).status !== 0) throw new Error(`${tool} is missing: apt-get install dnsperf nsd util-linux`);
  const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-dns-'));
  const children: ChildProcess[] = [];
  const started = performance.now();
  const external: Rr[] = Array.from({ length: EXTERNAL }, (_, i) => ({ name: `e-${i}.example.test`, ttl: 3600, type: 'A', address: `192.0.2.${i % 250}` }));
  const upstream = await startFakeUpstream({ records: external, zone: 'example.test' });
  try {
    // The API server, on the core dnsperf uses (it is idle while dnsperf runs).
    const api = spawn('taskset', ['-c', '1', process.execPath, MAIN, 'server', '--data-dir', dir, '--port', '0', '--no-controllers'], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(api);
    await waitFor('the API server', () => existsSync(join(dir, 'server.json')), { timeoutMs: 30_000 });
    const client = new KubeClient(readKubeconfig(join(dir, 'kubeconfig')));
    const R = findResource('', 'v1', 'services')!;
    await pool(S, 32, async (i) => {
      await client.create(R, { metadata: { name: `s-${i}`, namespace: 'default' }, spec: { type: 'ClusterIP', clusterIP: clusterIp(i), ports: [{ name: 'http', port: 80 }] } });
    });
    client.close();
    const createdS = (performance.now() - started) / 1000;

    const dnsChild = spawn('taskset', ['-c', '0', process.execPath, '--expose-gc', SELF, '--serve', '--kubeconfig', join(dir, 'kubeconfig'), '--upstream', upstream.server], { stdio: ['pipe', 'pipe', 'inherit'] });
    children.push(dnsChild);
    const lines = createInterface({ input: dnsChild.stdout! })[Symbol.asyncIterator]();
    const next = async () => JSON.parse((await lines.next()).value as string) as { port: number; metricsPort: number; rssMB: number; heapMB: number };
    const first = await next();
    const ours = first.port;

    // NSD serving the same names from a generated zone file, one server process on the same core.
    const nsdPort = ours + 1 + Math.floor(Math.random() * 1000);
    const soa = (zone: string) => `$ORIGIN ${zone}.\n$TTL 5\n@ IN SOA ns.dns.${zone}. hostmaster.${zone}. 1 7200 1800 86400 5\n@ IN NS ns.dns.${zone}.\nns.dns IN A 127.0.0.1\n`;
    writeFileSync(join(dir, 'cluster.local.zone'), soa('cluster.local') + Array.from({ length: S }, (_, i) => `s-${i}.default.svc IN A ${clusterIp(i)}\n`).join(''));
    writeFileSync(join(dir, 'example.test.zone'), soa('example.test') + external.map((r) => `${r.name}. 3600 IN A ${(r as { address: string }).address}\n`).join(''));
    writeFileSync(join(dir, 'nsd.conf'), `server:\n  ip-address: 127.0.0.1@${nsdPort}\n  server-count: 1\n  username: ""\n  chroot: ""\n  zonesdir: "${dir}"\n  database: ""\n  zonelistfile: "${dir}/zone.list"\n  xfrdfile: "${dir}/xfrd.state"\n  pidfile: "${dir}/nsd.pid"\n  verbosity: 0\nremote-control:\n  control-enable: no\nzone:\n  name: cluster.local\n  zonefile: cluster.local.zone\nzone:\n  name: example.test\n  zonefile: example.test.zone\n`);
    const nsd = spawn('taskset', ['-c', '0', 'nsd', '-d', '-c', join(dir, 'nsd.conf')], { stdio: ['ignore', 'ignore', 'inherit'] });
    children.push(nsd);
    await waitFor('nsd', () => spawnSync('dig', ['@127.0.0.1', '-p', String(nsdPort), '+time=1', '+tries=1', '+short', 's-0.default.svc.cluster.local']).stdout.toString().trim() === clusterIp(0), { timeoutMs: 20_000, intervalMs: 100 });

    const internalFile = join(dir, 'internal.txt');
    const externalFile = join(dir, 'external.txt');
    writeFileSync(internalFile, Array.from({ length: 50_000 }, () => `s-${Math.floor(Math.random() * S)}.default.svc.cluster.local A\n`).join(''));
    writeFileSync(externalFile, Array.from({ length: 50_000 }, () => `e-${Math.floor(Math.random() * EXTERNAL)}.example.test A\n`).join(''));
    await dnsperf(ours, externalFile, 2); // warm our forward cache (and the JIT)
    await dnsperf(ours, internalFile, 2);

    const rows: string[] = [];
    const f1 = (n: number | undefined) => (n === undefined || Number.isNaN(n) ? '—' : n.toFixed(n >= 100 ? 0 : 3));
    for (const [label, file] of [['in-cluster A (10k Services)', internalFile], ['external A (cached)', externalFile]] as const) {
      const satOurs = await dnsperf(ours, file, SECONDS);
      const satRef = await dnsperf(nsdPort, file, SECONDS);
      const rate = Math.min(RATE, Math.floor(satOurs.qps * 0.5));
      const { perf: latOurs, ms: serverP99 } = await serverQuantile(first.metricsPort, () => dnsperf(ours, file, SECONDS, rate), 0.99);
      const latRef = await dnsperf(nsdPort, file, SECONDS, rate);
      rows.push(`| ${label}: qps at saturation | ${f1(satOurs.qps)} | ${f1(satRef.qps)} | ${(satOurs.qps / satRef.qps).toFixed(2)} |`);
      rows.push(`| ${label}: avg latency at saturation (ms) | ${f1(satOurs.avgMs)} | ${f1(satRef.avgMs)} | ${(satOurs.avgMs / satRef.avgMs).toFixed(2)} |`);
      rows.push(`| ${label}: p50 / p99 at ${rate} qps (ms) | ${f1(latOurs.p50Ms)} / ${f1(latOurs.p99Ms)} | ${f1(latRef.p50Ms)} / ${f1(latRef.p99Ms)} | ${(latOurs.p99Ms! / latRef.p99Ms!).toFixed(2)} (p99) |`);
      rows.push(`| ${label}: p99 inside the server at ${rate} qps (ms, bucket bound) | ≤ ${serverP99} | — | — |`);
      rows.push(`| ${label}: queries lost (sat / rate) | ${satOurs.lost} / ${latOurs.lost} | ${satRef.lost} / ${latRef.lost} | — |`);
    }
    dnsChild.stdin!.write('mem\n');
    const mem = await next();
    console.log(`# Cluster DNS: skiff vs NSD ${spawnSync('nsd', ['-v']).stderr.toString().split('\n')[0].replace(/^NSD version /, '')}, each pinned to one core (dnsperf on the other), ${new Date().toISOString()}`);
    console.log(`# ${S} Services created in ${createdS.toFixed(1)} s; dnsperf ${SECONDS} s per run; saturation: 4 clients, 200 outstanding; fixed rate: 1 client, 50 outstanding, every answer timed\n`);
    console.log('| measure | skiff | NSD | ratio |');
    console.log('|---|---|---|---|');
    for (const r of rows) console.log(r);
    console.log(`| memory with ${S} Services: RSS / JS heap after sync (MB) | ${first.rssMB.toFixed(0)} / ${first.heapMB.toFixed(0)} | — | — |`);
    console.log(`| memory after the runs: RSS / JS heap (MB) | ${mem.rssMB.toFixed(0)} / ${mem.heapMB.toFixed(0)} | — | — |`);
    console.log(`\n# total ${((performance.now() - started) / 1000).toFixed(0)} s`);
    dnsChild.stdin!.write('stop\n');
  } finally {
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (args.flags.has('serve')) await serve();
else await bench();
