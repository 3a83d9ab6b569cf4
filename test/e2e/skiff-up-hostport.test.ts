// hostPort through the CNI portmap plugin against `skiff up --nodes 1`: a pod with `hostPort: 18080` answers on
// its node's address, the rules live only in the node's netns, and they go with the pod. Test-only plan.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { SkiffCluster } from '../support/skiff-cli.ts';
import { waitFor } from '../../src/lib/wait.ts';

const PLAN = ['--cluster-name', 'hpt1', '--bridge', 'skhpt1', '--underlay-cidr', '198.18.72.0/24', '--cluster-cidr', '198.18.32.0/21', '--service-cidr', '198.19.64.0/20', '--lb-pool', '198.18.73.0/24', '--dns-upstream', 'none', '--nodes', '1'];
const POD = 'hostport';
const NODE_IP = '198.18.72.11';
const HOST_PORT = 18080;
const NODE_NETNS = 'skiff-hpt1-node-1';

interface PodView {
  metadata: { uid: string };
  status: { podIP?: string; hostIP?: string; conditions?: { type: string; status: string }[] };
}

const MANIFEST = JSON.stringify({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: POD },
  spec: {
    containers: [{
      name: 'web',
      image: 'registry.k8s.io/e2e-test-images/agnhost:2.53',
      command: ['/agnhost', 'netexec', '--http-port=8080'],
      ports: [{ containerPort: 8080, hostPort: HOST_PORT }],
      readinessProbe: { httpGet: { path: '/hostname', port: 8080 }, periodSeconds: 1 },
    }],
  },
});

/** Connects from the host only if the kernel routes the address into the test bridge (never via the uplink). */
function assertRoutedToSandbox(ip: string): void {
  const route = execFileSync('ip', ['route', 'get', ip], { encoding: 'utf8' });
  assert.match(route, /dev skhpt1/, `refusing to send to ${ip}: ${route}`);
}

/** The node netns's iptables rules (portmap writes them where the agent runs it). */
const nodeRules = () => execFileSync('ip', ['netns', 'exec', NODE_NETNS, 'iptables-save'], { encoding: 'utf8' });
const hostRuleset = () => execFileSync('nft', ['list', 'ruleset'], { encoding: 'utf8' });
const hostIptables = () => execFileSync('iptables-save', { encoding: 'utf8' });

/** GET on the node address; the error code (ECONNREFUSED, ECONNRESET, …) when it fails. */
async function getHostPort(path: string): Promise<{ status: number; body: string } | { error: string }> {
  assertRoutedToSandbox(NODE_IP);
  try {
    const res = await fetch(`http://${NODE_IP}:${HOST_PORT}${path}`, { signal: AbortSignal.timeout(3000) });
    return { status: res.status, body: await res.text() };
  } catch (e) {
    const cause = (e as { cause?: { code?: string } }).cause;
    return { error: cause?.code ?? (e as Error).name };
  }
}

describe('hostPort against skiff up', () => {
  const c = new SkiffCluster();
  const pod = async (): Promise<PodView> => JSON.parse(await c.kubectl('get', 'pod', POD, '-o', 'json'));
  const isReady = (p: PodView) => p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True') ?? false;
  let ready: PodView;
  let hostRulesBefore = '';
  let hostIptablesBefore = '';

  before(async () => {
    hostRulesBefore = hostRuleset();
    hostIptablesBefore = hostIptables();
    const r = await c.skiff('up', '--port', '0', ...PLAN);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    const applied = await c.kubectlResult(['apply', '-f', '-'], MANIFEST);
    assert.equal(applied.code, 0, applied.stderr);
    ready = await waitFor('the pod to be Ready', async () => {
      const p = await pod();
      return isReady(p) ? p : undefined;
    }, { timeoutMs: 60_000, intervalMs: 200 });
  });
  after(async () => c.destroy());

  it('answers on the node address at the hostPort, with rules only in the node netns', async () => {
    assert.equal(ready.status.hostIP, NODE_IP);
    const r = await getHostPort('/hostname');
    assert.deepEqual(r, { status: 200, body: POD });
    const echo = await getHostPort('/echo?msg=via-hostport');
    assert.deepEqual(echo, { status: 200, body: 'via-hostport' });

    const rules = nodeRules();
    assert.match(rules, new RegExp(`--dport ${HOST_PORT} .*-j DNAT --to-destination ${ready.status.podIP!.replaceAll('.', '\\.')}:8080`));
    assert.match(rules, /CNI-HOSTPORT-DNAT/);
    assert.equal(hostRuleset(), hostRulesBefore, 'nothing written into the host netns (nft)');
    assert.equal(hostIptables(), hostIptablesBefore, 'nothing written into the host netns (iptables)');
  });

  it('removes the mapping with the pod', async () => {
    const podIp = ready.status.podIP!;
    await c.kubectl('delete', 'pod', POD, '--wait=true', '--timeout=60s');
    const rules = nodeRules();
    assert.doesNotMatch(rules, new RegExp(`--dport ${HOST_PORT}\\b`));
    assert.doesNotMatch(rules, new RegExp(podIp.replaceAll('.', '\\.')));
    assert.doesNotMatch(rules, /^:CNI-DN-/m, 'the per-pod DNAT chain is gone');
    const r = await getHostPort('/hostname');
    assert.ok('error' in r && /ECONNREFUSED|ECONNRESET/.test(r.error), `the host port still answers: ${JSON.stringify(r)}`);
  });

  it('leaves no namespace, link, route or rule after skiff down', async () => {
    const r = await c.skiff('down');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.deepEqual(execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).split('\n').filter((l) => l.startsWith('skiff-hpt1-')), []);
    assert.doesNotMatch(execFileSync('ip', ['-br', 'link'], { encoding: 'utf8' }), /skhpt1|sk-hpt1/);
    assert.doesNotMatch(execFileSync('ip', ['route'], { encoding: 'utf8' }), /skhpt1|198\.18\.7[23]\.0|198\.18\.32\.0\/21|198\.19\.64\.0\/20/);
    assert.equal(hostRuleset(), hostRulesBefore);
    assert.equal(hostIptables(), hostIptablesBefore);
    assert.doesNotMatch(execFileSync('ps', ['-eo', 'args'], { encoding: 'utf8' }), new RegExp(`${c.dataDir}.*agent|skiff-hpt1`));
  });
});
