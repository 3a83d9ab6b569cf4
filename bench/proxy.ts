// Service proxy benchmark (root). Two parts, each figure beside its peer from the same run:
// 1. Dataplane, two node namespaces and hand-made pods: connections/s and connect latency (new connection,
//    small reply, close), request/response on one connection, and one-stream throughput — straight to the
//    pod IP vs through its ClusterIP, interleaved, with 100 and with 10,000 Services in the table (the
//    per-packet cost must stay flat). Client on node-1; server on the same node and on node-2. The load
//    generator is Node.js itself, so these are ratios between paths, not the kernel's ceiling.
// 2. Control plane: the proxier's full sync for N Services × 10 endpoints and one-endpoint partial syncs
//    after it, in a scratch namespace, writing with `nft -f` (the peer) and over netlink.
// Usage: node bench/proxy.ts [--seconds 3] [--rounds 3] [--sizes 1000,5000,10000] [--only sync|dataplane|connections]
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnInNetns } from '../src/platform/linux/process.ts';
import { defaultRunner } from '../src/platform/linux/command.ts';
import type { CommandRunner, RunOptions } from '../src/platform/linux/command.ts';
import { Nft } from '../src/platform/linux/nft.ts';
import { defaultPlan, nodeNetns } from '../src/sandbox/network-plan.ts';
import { destroySandbox } from '../src/sandbox/sandbox.ts';
import { intFlag, parseArgs, stringFlag } from '../src/lib/args.ts';
import { waitFor } from '../src/lib/wait.ts';
import { fullSyncScript } from '../src/netfilter/transaction.ts';
import { Proxier } from '../src/proxy/proxier.ts';
import { NetlinkApplier } from '../src/netfilter/nl-apply.ts';
import { buildState, renderRuleset } from '../src/proxy/render-ruleset.ts';
import type { Service, EndpointSlice } from '../src/api/types.ts';
import { buildNetwork, makePod } from '../test/e2e/proxy-support.ts';
import type { Pod } from '../test/e2e/proxy-support.ts';

const plan = defaultPlan({ clusterName: 'prxb', bridge: 'skprxb', underlayCidr: '198.18.64.0/24', clusterCidr: '198.18.176.0/20', serviceCidr: '198.19.128.0/18', lbPool: '198.18.65.0/24' });
const args = parseArgs(process.argv.slice(2));
const SECONDS = intFlag(args, 'seconds', 3);
const ROUNDS = intFlag(args, 'rounds', 3);
const SIZES = (stringFlag(args, 'sizes') ?? '1000,5000,10000').split(',').map(Number);
const TABLE = 'skiff-prxb-proxy';
const CLUSTER_IP = '198.19.128.10';

const SERVER = `const net = require('node:net');
net.createServer((c) => { c.on('error', () => {}); c.end('ok'); }).listen(9000);
net.createServer((c) => { c.on('error', () => {}); c.resume(); }).listen(9001);
net.createServer((c) => { c.on('error', () => {}); c.pipe(c); }).listen(9002, () => console.log('ready'));`;

const LOAD = `const net = require('node:net');
const [mode, host, secs, conc] = process.argv.slice(1);
const end = Date.now() + Number(secs) * 1000;
const lat = [];
const ms = (t) => Number(process.hrtime.bigint() - t) / 1e6;
const pct = (p) => lat.sort((a, b) => a - b)[Math.min(lat.length - 1, Math.floor(p / 100 * lat.length))];
const done = (extra) => console.log(JSON.stringify({ n: lat.length, p50: pct(50), p99: pct(99), ...extra }));
async function cps() {
  await Promise.all(Array.from({ length: Number(conc) }, async () => {
    while (Date.now() < end) {
      const t = process.hrtime.bigint();
      await new Promise((res, rej) => { const c = net.connect(9000, host); c.resume(); c.on('end', res); c.on('error', rej); });
      lat.push(ms(t));
    }
  }));
  done({ rate: lat.length / Number(secs) });
}
function rr() {
  const c = net.connect(9002, host, () => {
    let t = process.hrtime.bigint();
    c.on('data', () => { lat.push(ms(t)); if (Date.now() > end) { c.destroy(); return done({ rate: lat.length / Number(secs) }); } t = process.hrtime.bigint(); c.write('x'); });
    c.write('x');
  });
}
function stream() {
  const c = net.connect(9001, host, () => {
    const buf = Buffer.alloc(1 << 16);
    let sent = 0;
    const pump = () => { while (Date.now() < end) { sent += buf.length; if (!c.write(buf)) return c.once('drain', pump); } c.end(); done({ rate: sent / Number(secs) / 1e6 }); };
    pump();
  });
}
({ cps, rr, stream })[mode]();`;

interface Load {
  n: number;
  p50: number;
  p99: number;
  rate: number;
}

function load(client: Pod, mode: 'cps' | 'rr' | 'stream', host: string): Promise<Load> {
  const child = spawnInNetns(client.netns, [process.execPath, '-e', LOAD, mode, host, String(SECONDS), '8'], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => child.on('close', () => (out ? resolve(JSON.parse(out) as Load) : reject(new Error(`${mode} to ${host} printed nothing`)))));
}

function services(n: number, endpoints: (i: number) => string[]): { services: Service[]; slices: EndpointSlice[] } {
  const svcs: Service[] = [];
  const slices: EndpointSlice[] = [];
  for (let i = 0; i < n; i++) {
    const ip = `198.19.${128 + Math.floor((i + 10) / 256)}.${(i + 10) % 256}`;
    // Service 0 is the one traffic goes to: its three ports map to the server's (9000 reply, 9001 sink, 9002 echo).
    const ports = (i === 0 ? [['p', 9000], ['s', 9001], ['e', 9002], ['iperf', 5201], ['web', 9080]] : [['p', 9000]]) as [string, number][];
    svcs.push({ metadata: { namespace: 'bench', name: `s-${i}` }, spec: { clusterIP: ip, ports: ports.map(([name, port]) => ({ name, port, protocol: 'TCP' as const })) } });
    slices.push({
      metadata: { namespace: 'bench', name: `s-${i}-1`, labels: { 'kubernetes.io/service-name': `s-${i}` } },
      addressType: 'IPv4',
      ports: ports.map(([name, port]) => ({ name, port, protocol: 'TCP' })),
      endpoints: endpoints(i).map((a) => ({ addresses: [a], conditions: { ready: true }, nodeName: 'node-2' })),
    });
  }
  return { services: svcs, slices };
}

const renderOptions = (node: string) => ({ tableName: TABLE, nodeName: node, nodeIPs: [] as string[], clusterCidr: plan.clusterCidr, serviceCidr: plan.serviceCidr });

/** Programs node-1 with `n` Services; Service 0 (198.19.128.10) points at `server` on ports 9000-9002. */
async function program(n: number, server: Pod): Promise<void> {
  const { services: s, slices } = services(n, (i) => (i === 0 ? [server.ip] : [`198.18.190.${(i % 250) + 1}`]));
  await new Nft().apply(fullSyncScript(renderRuleset(buildState(s, slices), renderOptions('node-1')), { isRecreate: true }).script, { netns: nodeNetns(plan, 1) });
}

const f = (x: number, d = 0) => x.toFixed(d);
const ratio = (a: number, b: number) => (b ? (a / b).toFixed(2) : '–');

interface Cell {
  cps: Load;
  rr: Load;
  stream: Load;
}

async function measure(client: Pod, host: string): Promise<Cell> {
  return { cps: await load(client, 'cps', host), rr: await load(client, 'rr', host), stream: await load(client, 'stream', host) };
}

/** The median cell of several rounds, metric by metric. */
function median(cells: Cell[]): Cell {
  const mid = <T>(xs: T[], key: (x: T) => number) => [...xs].sort((a, b) => key(a) - key(b))[xs.length >> 1];
  return { cps: mid(cells.map((c) => c.cps), (l) => l.rate), rr: mid(cells.map((c) => c.rr), (l) => l.rate), stream: mid(cells.map((c) => c.stream), (l) => l.rate) };
}

async function dataplane(isConnectionsOnly: boolean): Promise<void> {
  await buildNetwork(plan);
  // One client per path: a direct and a DNATed connection from the same address and port would share a
  // reply tuple, and the second would be dropped as a conntrack clash while the first lingers in TIME_WAIT.
  const direct = await makePod('cdirect', 1, '198.18.176.201', plan);
  const client = await makePod('cservice', 1, '198.18.176.202', plan);
  const near = await makePod('near', 1, '198.18.176.10', plan);
  const far = await makePod('far', 2, '198.18.177.10', plan);
  for (const p of [near, far]) {
    const s = spawnInNetns(p.netns, [process.execPath, '-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    let ready = '';
    s.stdout!.on('data', (d) => (ready += d));
    await waitFor(`server in ${p.name}`, () => ready.includes('ready'));
  }
  if (isConnectionsOnly) return wrkConnections(direct, client, [near, far]);
  console.log(`\n## Dataplane: median of ${ROUNDS} interleaved rounds, ${SECONDS} s per cell; conn/s with 8 concurrent connections, req/resp and stream on one connection\n`);
  console.log('| server | Services in table | path | conn/s | connect+reply p50 / p99 (ms) | req/resp per s | req/resp p50 (ms) | stream MB/s |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const size of [100, 10_000]) {
    for (const server of [near, far]) {
      await program(size, server);
      const straight: Cell[] = [];
      const viaService: Cell[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        straight.push(await measure(direct, server.ip));
        viaService.push(await measure(client, CLUSTER_IP));
      }
      const [d, v] = [median(straight), median(viaService)];
      const where = server === near ? 'same node' : 'other node';
      const row = (path: string, c: Cell, base?: Cell) => {
        const vs = (x: number, b: number) => (base ? ` (${ratio(x, b)}×)` : '');
        return `| ${where} | ${size.toLocaleString('en')} | ${path} | ${f(c.cps.rate)}${vs(c.cps.rate, base?.cps.rate ?? 0)} | ${f(c.cps.p50, 2)} / ${f(c.cps.p99, 2)} | ${f(c.rr.rate)}${vs(c.rr.rate, base?.rr.rate ?? 0)} | ${f(c.rr.p50, 3)} | ${f(c.stream.rate)}${vs(c.stream.rate, base?.stream.rate ?? 0)} |`;
      };
      console.log(row('pod IP (direct)', d));
      console.log(row('ClusterIP', v, d));
    }
  }
  await iperf(direct, client, [near, far]);
  await wrkConnections(direct, client, [near, far]);
}

/**
 * New connections per second measured by C programs (when installed): wrk, one request per connection
 * (`Connection: close`), 8 at a time, against nginx in the server pod; straight to the pod and through
 * the ClusterIP, 10,000 Services in the table. Node's own client above shares the two vCPUs with the
 * servers and varies ±15 % between runs; this one measures the path.
 */
async function wrkConnections(direct: Pod, client: Pod, servers: Pod[]): Promise<void> {
  if (!existsSync('/usr/bin/wrk') || !existsSync('/usr/sbin/nginx')) {
    console.log('\n(wrk or nginx is not installed: apt-get install wrk nginx-light for the wrk figures)');
    return;
  }
  console.log(`\n## wrk → nginx, a new connection per request, 8 at a time, ${SECONDS} s, median of ${ROUNDS} interleaved rounds, 10,000 Services in the table\n`);
  console.log('| server | pod IP (direct) conn/s | ClusterIP conn/s | ratio |');
  console.log('|---|---|---|---|');
  for (const server of servers) {
    await program(10_000, server);
    const dir = mkdtempSync(join(tmpdir(), 'skiff-prxb-nginx-'));
    writeFileSync(join(dir, 'nginx.conf'), `worker_processes 1;\npid ${dir}/nginx.pid;\nerror_log ${dir}/error.log;\nevents { worker_connections 1024; }\nhttp {\n  access_log off;\n  keepalive_timeout 0;\n  client_body_temp_path ${dir};\n  proxy_temp_path ${dir};\n  fastcgi_temp_path ${dir};\n  uwsgi_temp_path ${dir};\n  scgi_temp_path ${dir};\n  server { listen ${server.ip}:9080; location / { return 200 'ok'; } }\n}\n`);
    try {
      await daemonRounds({ server, direct, client, port: 9080, digits: 0, argv: ['nginx', '-p', dir, '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'], measure: async (from, host) => {
        const out = await defaultRunner.run('wrk', ['-t1', '-c8', `-d${SECONDS}s`, '-H', 'Connection: close', `http://${host}:9080/`], { netns: from.netns, timeoutMs: (SECONDS + 20) * 1000 });
        const rate = /Requests\/sec:\s+([\d.]+)/.exec(out.stdout);
        if (!rate) throw new Error(`wrk to ${host} from ${from.name}: ${out.stdout}`);
        return Number(rate[1]);
      } });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}

/** iperf3 (when installed): one TCP stream, straight to the pod and through the ClusterIP, 10,000 Services in the table. */
async function iperf(direct: Pod, client: Pod, servers: Pod[]): Promise<void> {
  if (!existsSync('/usr/bin/iperf3')) {
    console.log('\n(iperf3 is not installed: no iperf3 figures)');
    return;
  }
  console.log(`\n## iperf3, one TCP stream, ${SECONDS} s, median of ${ROUNDS} interleaved rounds, 10,000 Services in the table\n`);
  console.log('| server | pod IP (direct) Gbit/s | ClusterIP Gbit/s | ratio |');
  console.log('|---|---|---|---|');
  for (const server of servers) {
    await program(10_000, server);
    await daemonRounds({ server, direct, client, port: 5201, digits: 2, argv: ['iperf3', '-s', '-p', '5201'], measure: async (from, host) => {
      const out = await defaultRunner.run('iperf3', ['-c', host, '-p', '5201', '-t', String(SECONDS), '-J'], { netns: from.netns, timeoutMs: (SECONDS + 20) * 1000 });
      const report = JSON.parse(out.stdout) as { error?: string; end?: { sum_received?: { bits_per_second: number } } };
      if (!report.end?.sum_received) throw new Error(`iperf3 to ${host} from ${from.name}: ${report.error ?? 'no result'}`);
      return report.end.sum_received.bits_per_second / 1e9;
    } });
  }
}

/**
 * Runs a server (`argv`) in the server pod until it listens on `port`, measures straight to the pod and
 * through the ClusterIP in interleaved rounds, and prints the row: medians and their ratio.
 */
async function daemonRounds(o: { server: Pod; direct: Pod; client: Pod; port: number; digits: number; argv: string[]; measure: (from: Pod, host: string) => Promise<number> }): Promise<void> {
  const daemon = spawnInNetns(o.server.netns, o.argv, { stdio: 'ignore' });
  const exited = new Promise((r) => daemon.once('exit', r));
  try {
    await waitFor(`${o.argv[0]} to listen`, async () => (await defaultRunner.run('ss', ['-ltn', `sport = :${o.port}`], { netns: o.server.netns })).stdout.includes(String(o.port)));
    const straight: number[] = [];
    const via: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      straight.push(await o.measure(o.direct, o.server.ip));
      via.push(await o.measure(o.client, CLUSTER_IP));
    }
    const mid = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
    console.log(`| ${o.server.name === 'near' ? 'same node' : 'other node'} | ${f(mid(straight), o.digits)} | ${f(mid(via), o.digits)} | ${ratio(mid(via), mid(straight))}× |`);
  } finally {
    daemon.kill('SIGKILL');
    await exited;
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

/**
 * The proxier's full sync and one-endpoint partial syncs, writing with `nft -f` (the peer: what
 * kube-proxy does) and over netlink (the encoder), each into a fresh table in a scratch namespace.
 */
async function syncTimes(): Promise<void> {
  const netns = 'skiff-prxb-sync';
  await defaultRunner.run('ip', ['netns', 'add', netns]);
  const applier = await NetlinkApplier.open({ netns });
  if (!(applier instanceof NetlinkApplier)) throw new Error(`netlink relay unavailable: ${applier.reason}`);
  try {
    console.log("\n## Control plane: the proxier's sync on the real kernel (Services × 10 endpoints, one port each)\n");
    console.log('| Services | chains | writer | full sync (of which writing) | one-endpoint partial sync p50 / p99 (of which writing) | partial syncs |');
    console.log('|---|---|---|---|---|---|');
    for (const n of SIZES) {
      for (const writer of ['nft', 'netlink'] as const) {
        await new Nft().deleteTable({ family: 'ip', name: TABLE }, { netns });
        const eps = (i: number) => Array.from({ length: 10 }, (_, k) => `198.18.${180 + (i % 8)}.${((i * 10 + k) % 250) + 1}`);
        const { services: s, slices } = services(n, eps);
        let writeMs = 0;
        const runner: CommandRunner = { run: async (cmd: string, a: readonly string[], o?: RunOptions) => { const t = performance.now(); try { return await defaultRunner.run(cmd, a, o); } finally { if (a.join(' ') === '-f -') writeMs += performance.now() - t; } } };
        const time = async <T>(f: () => Promise<T>) => { const t = performance.now(); try { return await f(); } finally { writeMs += performance.now() - t; } };
        const timed = {
          apply: (...a: Parameters<NetlinkApplier['apply']>) => time(() => applier.apply(...a)),
          applyInOrder: (...a: Parameters<NetlinkApplier['applyInOrder']>) => time(() => applier.applyInOrder(...a)),
        };
        const proxier = new Proxier({ ...renderOptions('node-2'), runner, netns, staleDeleteDelayMs: 0, ...(writer === 'netlink' ? { netlink: timed } : {}) });
        for (const svc of s) proxier.services.update(undefined, svc);
        for (const sl of slices) proxier.endpointSlices.update(undefined, sl);
        proxier.isServicesSynced = proxier.isEndpointSlicesSynced = true;
        const full = await proxier.sync();
        const fullWrite = writeMs;
        const rounds = writer === 'nft' ? 5 : 50;
        const total: number[] = [];
        const writing: number[] = [];
        for (let r = 0; r < rounds; r++) {
          const at = (r * 7919) % n;
          const changed = structuredClone(slices[at]);
          changed.endpoints![0].conditions = { ready: false };
          proxier.endpointSlices.update(slices[at], changed);
          slices[at] = changed;
          writeMs = 0;
          const partial = await proxier.sync();
          if (partial.kind !== 'partial') throw new Error(`sync ${r} was ${partial.kind}`);
          total.push(partial.durationMs);
          writing.push(writeMs);
        }
        console.log(`| ${n.toLocaleString('en')} | ${proxier.metrics.chains.value.toLocaleString('en')} | ${writer === 'nft' ? 'nft -f (peer)' : 'netlink'} | ${f(full.durationMs)} ms (${f(fullWrite)} ms) | ${f(pct(total, 50), 1)} / ${f(pct(total, 99), 1)} ms (${f(pct(writing, 50), 1)} / ${f(pct(writing, 99), 1)} ms) | ${rounds} |`);
      }
    }
  } finally {
    await applier.close();
    await new Nft().deleteTable({ family: 'ip', name: TABLE }, { netns }).catch(() => false);
    await defaultRunner.run('ip', ['netns', 'delete', netns]).catch(() => undefined);
  }
}

const cleanup = () => destroySandbox(plan).catch((e: unknown) => console.error(e));
process.on('SIGINT', () => void cleanup().then(() => process.exit(130)));
try {
  console.log(`# Service proxy benchmark, ${new Date().toISOString()}, kernel ${(await defaultRunner.run('uname', ['-r'])).stdout.trim()}`);
  const only = stringFlag(args, 'only');
  if (only !== 'sync') await dataplane(only === 'connections');
  if (only !== 'dataplane' && only !== 'connections') await syncTimes();
} finally {
  await cleanup();
}
