// The streaming verbs of the real kubectl against `skiff up --nodes 1`: port-forward, logs -f, logs --previous,
// exec -i with stdin; then `kill -9` of the node agent and `skiff down` leaving nothing behind. Test-only plan.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffCluster } from '../support/skiff-cli.ts';
import { waitFor } from '../../src/lib/wait.ts';

const PLAN = ['--cluster-name', 'str1', '--bridge', 'skstr1', '--underlay-cidr', '198.18.92.0/24', '--cluster-cidr', '198.18.16.0/20', '--service-cidr', '198.19.48.0/20', '--lb-pool', '198.18.93.0/24', '--dns-upstream', 'none', '--nodes', '1'];
const POD = 'stream';

interface PodView {
  status: { podIP?: string; conditions?: { type: string; status: string }[]; containerStatuses?: { restartCount: number; state: Record<string, unknown> }[] };
}

const MANIFEST = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: POD },
  spec: {
    containers: [{
      name: 'web',
      image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
      args: ['netexec', '--http-port=8080'],
      readinessProbe: { httpGet: { path: '/hostname', port: 8080 }, periodSeconds: 1 },
    }],
  },
});

/** Connects from the host only if the kernel routes the address into the test bridge (never via the uplink). */
function assertRoutedToSandbox(ip: string): void {
  const route = execFileSync('ip', ['route', 'get', ip], { encoding: 'utf8' });
  assert.match(route, /dev skstr1/, `refusing to send to ${ip}: ${route}`);
}

function cgroupProcs(dir: string): number[] {
  if (!existsSync(dir)) return [];
  const out: number[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (!e.isDirectory()) continue;
    const sub = join(dir, e.name);
    if (existsSync(join(sub, 'cgroup.procs'))) out.push(...readFileSync(join(sub, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean).map(Number));
    out.push(...cgroupProcs(sub));
  }
  return out;
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('kubectl streaming against skiff up', () => {
  const c = new SkiffCluster();
  const pod = async (): Promise<PodView> => JSON.parse(await c.kubectl('get', 'pod', POD, '-o', 'json'));
  const isReady = (p: PodView) => p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
  let podIp = '';

  const podGet = async (path: string): Promise<string> => {
    assertRoutedToSandbox(podIp);
    return (await fetch(`http://${podIp}:8080${path}`, { signal: AbortSignal.timeout(3000) })).text();
  };

  before(async () => {
    const r = await c.skiff('up', '--port', '0', ...PLAN);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const applied = await c.kubectlResult(['apply', '-f', '-'], MANIFEST);
    assert.equal(applied.code, 0, applied.stderr);
    const ready = await waitFor('the pod to be Ready', async () => {
      const p = await pod();
      return isReady(p) ? p : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    podIp = ready.status.podIP!;
  });
  after(async () => c.destroy());

  it('forwards a local port to the pod with kubectl port-forward, for two requests in a row', async () => {
    const child = spawn('kubectl', ['port-forward', `pod/${POD}`, ':8080'], { env: c.env, stdio: ['ignore', 'pipe', 'pipe'] });
    try {
      let out = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
      const port = await waitFor('kubectl to print the local port', () => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1], { timeoutMs: 15_000, intervalMs: 50 });
      for (let i = 0; i < 2; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/hostname`, { signal: AbortSignal.timeout(5000) });
        assert.equal(res.status, 200);
        assert.equal(await res.text(), POD);
      }
      const echo = await (await fetch(`http://127.0.0.1:${port}/echo?msg=through-the-tunnel`, { signal: AbortSignal.timeout(5000) })).text();
      assert.equal(echo, 'through-the-tunnel');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('follows the log with kubectl logs -f and sees a line written after it started', async () => {
    const follow = c.watch('logs', '-f', POD);
    try {
      await follow.waitFor(/Started HTTP server on port 8080/);
      const marker = `marker-${process.pid}-${Date.now()}`;
      await podGet(`/shell?cmd=echo+${marker}`);
      const line = await follow.waitFor(new RegExp(`GET /shell\\?cmd=echo ${marker}`));
      assert.match(line, new RegExp(marker));
    } finally {
      follow.stop();
    }
  });

  it('shows the previous instance with kubectl logs --previous after the container exited and restarted', async () => {
    await podGet('/exit?code=1');
    const restarted = await waitFor('the container to restart and be Ready again', async () => {
      const p = await pod();
      const s = p.status.containerStatuses?.[0];
      return s && s.restartCount >= 1 && 'running' in s.state && isReady(p) ? p : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
    assert.equal(restarted.status.containerStatuses![0].restartCount, 1);
    const previous = await c.kubectl('logs', POD, '--previous');
    assert.match(previous, /Will begin shutdown in 0ms, allowing 0ms for connections to close, then will exit with 1/);
    assert.match(previous, /GET \/shell\?cmd=echo marker-/);
    const current = await c.kubectl('logs', POD);
    assert.doesNotMatch(current, /will exit with 1/);
    assert.match(current, /Started HTTP server on port 8080/);
  });

  it('passes stdin to the container with kubectl exec -i and returns its output and exit code', async () => {
    const r = await c.kubectlResult(['exec', '-i', POD, '--', 'sh', '-c', 'tr a-z A-Z; exit 4'], 'hello from stdin\nsecond line\n');
    assert.equal(r.stdout, 'HELLO FROM STDIN\nSECOND LINE\n');
    assert.equal(r.code, 4);
  });

  it('leaves no namespace, link, route, cgroup or process after kill -9 of the agent and skiff down', async () => {
    const agent = Number(readFileSync(join(c.dataDir, 'nodes', 'node-1', 'agent.pid'), 'utf8').trim());
    assert.ok(isAlive(agent));
    const cgroupDirs = ['/sys/fs/cgroup/skiff/str1', '/sys/fs/cgroup/unified/skiff/str1'];
    const containers = cgroupDirs.flatMap(cgroupProcs);
    assert.ok(containers.length > 0, 'the container runs in the cluster cgroup');
    process.kill(agent, 'SIGKILL');
    await waitFor('the agent to die', () => !isAlive(agent), { timeoutMs: 5000 });
    assert.ok(containers.every(isAlive), 'the pod outlives its agent');

    const r = await c.skiff('down');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('skiff-str1-')), []);
    assert.doesNotMatch(execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' }), /skstr1|sk-str1/);
    assert.doesNotMatch(execFileSync('ip', ['route'], { encoding: 'utf8' }), /skstr1|198\.18\.9[23]\.0|198\.18\.16\.0\/20|198\.19\.48\.0\/20/);
    for (const dir of cgroupDirs) assert.ok(!existsSync(dir) || readdirSync(dir).every((e) => !/^[0-9a-f-]{36}$/.test(e)), `${dir} still holds pods`);
    await waitFor('the container processes to be gone', () => containers.every((p) => !isAlive(p)), { timeoutMs: 10_000 });
    assert.doesNotMatch(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }), new RegExp(`${c.dataDir}.*agent|skiff-str1`));
  });
});
