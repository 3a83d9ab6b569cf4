// Pod Ready → traffic: how long after a new pod turns Ready (as a watch on the pod sees it) the first request
// through its Service's ClusterIP reaches it — beside the peer, the same pod reached on its own IP from the
// same moment (the floor: the pod's server is up). One pod is added at a time by scaling a Deployment.
// Usage: node bench/ready-to-traffic.ts [--samples 20]   (root; builds its own one-node cluster)
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findResource } from '../src/api/resources.ts';
import type { Pod } from '../src/api/types.ts';
import { KubeClient } from '../src/client/client.ts';
import { readKubeconfig } from '../src/lib/kubeconfig.ts';
import { intFlag, parseArgs } from '../src/lib/args.ts';
import { waitFor } from '../src/lib/wait.ts';

const SKIFF = fileURLToPath(new URL('../skiff', import.meta.url));
// the same ranges as bench/pods.ts: benchmarks run one at a time
const PLAN = ['--cluster-name', 'bpod', '--bridge', 'skbpod', '--underlay-cidr', '198.18.88.0/24', '--cluster-cidr', '198.18.128.0/20', '--service-cidr', '198.19.112.0/20', '--lb-pool', '198.18.89.0/24', '--dns-upstream', 'none'];
const PODS = findResource('', 'v1', 'pods')!;
const SERVICES = findResource('', 'v1', 'services')!;
const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const SAMPLES = intFlag(parseArgs(process.argv.slice(2)), 'samples', 20);

function getOnce(url: string): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = http.get(url, { agent: false, timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
  });
}

/** Milliseconds from `t0` until `url` answers with `want` (polling with a new connection each time). */
async function until(url: string, want: string, t0: number): Promise<number> {
  for (;;) {
    if ((await getOnce(url)) === want) return performance.now() - t0;
    if (performance.now() - t0 > 30_000) throw new Error(`${url} never answered ${want}`);
  }
}

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];

const dir = mkdtempSync(join(tmpdir(), 'skiff-bench-rtt-'));
const skiff = (...argv: string[]) => {
  const r = spawnSync(SKIFF, [...argv, '--data-dir', dir], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`skiff ${argv.join(' ')}: ${r.stdout}${r.stderr}`);
};
try {
  skiff('up', '--port', '0', '--nodes', '1', ...PLAN);
  const client = new KubeClient(readKubeconfig(join(dir, 'kubeconfig')));
  // a readiness probe that passes once the server listens: Ready means "serving"
  await client.create(DEPLOYMENTS, {
    metadata: { name: 'rtt', namespace: 'default' },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'rtt' } },
      template: {
        metadata: { labels: { app: 'rtt' } },
        spec: { containers: [{ name: 'web', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['netexec', '--http-port=8080'], readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 1 } }] },
      },
    },
  });
  const svc = await client.create(SERVICES, { metadata: { name: 'rtt', namespace: 'default' }, spec: { selector: { app: 'rtt' }, ports: [{ port: 80, targetPort: 8080 }] } });
  const clusterIp = (svc.spec as { clusterIP: string }).clusterIP;
  const readyAt = new Map<string, number>();
  const podIps = new Map<string, string>();
  const from = (await client.list(PODS, 'default')).metadata.resourceVersion;
  const watch = await client.watch(PODS, 'default', { resourceVersion: from, labelSelector: 'app=rtt' });
  void (async () => {
    for await (const ev of watch) {
      const p = ev.object as Pod;
      if (p.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') && !readyAt.has(p.metadata.name!)) {
        readyAt.set(p.metadata.name!, performance.now());
        podIps.set(p.metadata.name!, p.status.podIP!);
      }
    }
  })();
  await waitFor('the first pod', () => readyAt.size === 1, { timeoutMs: 60_000 });
  const viaService: number[] = [];
  const direct: number[] = [];
  for (let n = 2; n <= SAMPLES + 1; n++) {
    const known = new Set(readyAt.keys());
    await client.patch(DEPLOYMENTS, 'default', 'rtt', { spec: { replicas: n } });
    const name = await waitFor('the new pod to be Ready', () => [...readyAt.keys()].find((k) => !known.has(k)), { timeoutMs: 60_000, intervalMs: 1 });
    const t0 = readyAt.get(name)!;
    direct.push(await until(`http://${podIps.get(name)}:8080/hostname`, name, t0));
    // round robin over n endpoints: the new pod answers within n new connections once it is programmed
    viaService.push(await until(`http://${clusterIp}/hostname`, name, t0));
  }
  watch.stop();
  client.close();
  const f = (x: number) => `${x.toFixed(1)} ms`;
  console.log(`# Pod Ready → traffic, ${SAMPLES} pods added one at a time to a Deployment behind a ClusterIP, ${new Date().toISOString()}`);
  console.log('| measure | via ClusterIP | peer: direct to the pod IP | ratio |');
  console.log('|---|---|---|---|');
  console.log(`| p50 | ${f(pct(viaService, 50))} | ${f(pct(direct, 50))} | ${(pct(viaService, 50) / Math.max(pct(direct, 50), 0.1)).toFixed(1)} |`);
  console.log(`| p99 | ${f(pct(viaService, 99))} | ${f(pct(direct, 99))} | ${(pct(viaService, 99) / Math.max(pct(direct, 99), 0.1)).toFixed(1)} |`);
} finally {
  spawnSync(SKIFF, ['down', '--purge', '--data-dir', dir]);
  rmSync(dir, { recursive: true, force: true });
}
