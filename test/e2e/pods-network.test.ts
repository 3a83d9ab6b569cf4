// The pod network end to end: real node agents in node namespaces, real CNI plugins, real processes.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { defaultPlan } from '../../src/sandbox/network-plan.ts';
import { findResource } from '../../src/api/resources.ts';
import { waitFor } from '../../src/lib/wait.ts';
import type { NodePod } from '../../src/node/pod-types.ts';
import { NODES, PODS, getPod, httpGet, isReady, leftoversOf, netexec, podSpec, startPodCluster, waitForPod } from './pods-support.ts';
import type { PodTestCluster } from './pods-support.ts';

const plan = defaultPlan({ clusterName: 'pod1', bridge: 'skpod1', underlayCidr: '198.18.50.0/24', clusterCidr: '198.18.208.0/20', serviceCidr: '198.19.224.0/20', lbPool: '198.18.51.0/24' });

function inCidr(ip: string, cidr: string): boolean {
  const toInt = (a: string) => a.split('.').reduce((n, p) => n * 256 + Number(p), 0);
  const [base, len] = cidr.split('/');
  const mask = Number(len) === 0 ? 0 : (~0 << (32 - Number(len))) >>> 0;
  return ((toInt(ip) & mask) >>> 0) === ((toInt(base) & mask) >>> 0);
}

describe('pods on real node agents', { timeout: 300_000 }, () => {
  let c: PodTestCluster;
  const hostForwarding = readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8');
  before(async () => {
    c = await startPodCluster(plan, { nodeCount: 2 });
  });
  after(async () => {
    await c?.stop();
    assert.deepEqual(leftoversOf(plan), []);
    assert.equal(readFileSync('/proc/sys/net/ipv4/ip_forward', 'utf8'), hostForwarding, 'the host ip_forward is untouched');
  });

  it('runs an agnhost netexec pod: an IP inside its node /24, Running, Ready, reachable from the host', async () => {
    const created = Date.now();
    await c.client.create(PODS, podSpec('web', { nodeName: 'node-1', containers: [netexec()] }));
    const pod = await waitForPod(c.client, 'web', 'Running and Ready', (p) => p.status?.phase === 'Running' && isReady(p));
    const readyMs = Date.now() - created;
    const node = await c.client.get(NODES, undefined, 'node-1');
    const podCidr = (node.spec as { podCIDR: string }).podCIDR;
    const ip = pod.status!.podIP!;
    assert.ok(inCidr(ip, podCidr), `${ip} in ${podCidr}`);
    assert.equal(pod.status!.hostIP, '198.18.50.11');
    assert.deepEqual(pod.status!.podIPs, [{ ip }]);
    // No readiness probe: Ready as soon as the process runs, as with the kubelet; the server takes a moment to listen.
    const res = await waitFor('netexec to answer', () => httpGet(ip, 8080, '/hostname'));
    assert.deepEqual(res, { status: 200, body: 'web' });
    const netns = `skiff-pod1-pod-${pod.metadata.uid}`;
    assert.ok(existsSync(`/run/netns/${netns}`));
    const routes = execFileSync('ip', ['-n', netns, 'route', 'show'], { encoding: 'utf8' });
    assert.doesNotMatch(routes, /default/, 'no default route in the pod');
    assert.match(routes, /^198\.18\.0\.0\/15 via 198\.18\.208\.1 dev eth0/m);
    assert.doesNotMatch(execFileSync('ip', ['-n', 'skiff-pod1-node-1', 'route', 'show'], { encoding: 'utf8' }), /default/, 'no default route in the node');
    console.error(`web: created → Ready in ${readyMs} ms`);
  });

  it('connects two pods on one node and one on another by pod IP, with no NAT (/clientip is the client pod IP)', async () => {
    await c.client.create(PODS, podSpec('a1', { nodeName: 'node-1', containers: [netexec()] }));
    await c.client.create(PODS, podSpec('a2', { nodeName: 'node-1', containers: [netexec()] }));
    await c.client.create(PODS, podSpec('b1', { nodeName: 'node-2', containers: [netexec()] }));
    const [a1, a2, b1] = await Promise.all(['a1', 'a2', 'b1'].map((n) => waitForPod(c.client, n, 'Ready', isReady)));
    const ips = [a1, a2, b1].map((p) => p.status!.podIP!);
    assert.equal(new Set(ips).size, 3, `unique pod IPs ${ips}`);
    assert.ok(inCidr(ips[0], '198.18.208.0/24') && inCidr(ips[1], '198.18.208.0/24'), 'node-1 pods in node-1 /24');
    assert.ok(inCidr(ips[2], '198.18.209.0/24'), 'node-2 pod in node-2 /24');
    for (const [from, fromIp, to] of [['a1', ips[0], ips[1]], ['a1', ips[0], ips[2]], ['b1', ips[2], ips[0]]]) {
      const via = from === 'b1' ? ips[2] : ips[0];
      const dial = await waitFor(`${from} to reach ${to}`, async () => {
        const r = await httpGet(via, 8080, `/dial?request=clientip&protocol=http&host=${to}&port=8080&tries=1`);
        const out = JSON.parse(r.body) as { responses?: string[] };
        return out.responses?.length ? out.responses : undefined;
      });
      assert.equal(dial[0].split(':')[0], fromIp, `${to} sees ${from} as ${fromIp}`);
    }
    const hostnames = await httpGet(ips[0], 8080, `/dial?request=hostname&protocol=http&host=${ips[2]}&port=8080&tries=2`);
    assert.deepEqual(JSON.parse(hostnames.body), { responses: ['b1', 'b1'] });
  });

  it('lets two containers of one pod talk over localhost', async () => {
    await c.client.create(PODS, podSpec('duo', { nodeName: 'node-2', containers: [
      netexec('front'),
      { name: 'back', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['netexec', '--http-port=8090', '--udp-port=8091'] },
    ] }));
    const pod = await waitForPod(c.client, 'duo', 'Ready', isReady);
    const ip = pod.status!.podIP!;
    const r = await waitFor('front to reach back over localhost', async () => {
      const out = JSON.parse((await httpGet(ip, 8080, '/dial?request=hostname&protocol=http&host=127.0.0.1&port=8090&tries=1')).body) as { responses?: string[] };
      return out.responses;
    });
    assert.deepEqual(r, ['duo']);
  });

  it('restarts a crashing container with back-off: restartCount grows, CrashLoopBackOff, the last exit in lastState', async () => {
    await c.client.create(PODS, podSpec('crash', { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo "run $(date +%s%N)"; exit 3'] }] }));
    const pod = await waitForPod(c.client, 'crash', 'in CrashLoopBackOff after restarts', (p) => {
      const s = (p.status?.containerStatuses as { restartCount: number; state: { waiting?: { reason: string } } }[] | undefined)?.[0];
      return (s?.restartCount ?? 0) >= 2 && s?.state.waiting?.reason === 'CrashLoopBackOff';
    });
    const s = (pod.status!.containerStatuses as { lastState: { terminated?: { exitCode: number; reason: string } }; state: { waiting: { message: string } } }[])[0];
    assert.equal(s.lastState.terminated?.exitCode, 3);
    assert.equal(s.lastState.terminated?.reason, 'Error');
    assert.match(s.state.waiting.message, /^back-off \d+(\.\d+)?m?s restarting failed container=main pod=crash_default\(/);
    assert.equal(pod.status!.phase, 'Running');
    assert.equal(isReady(pod), false);
  });

  it('keeps a pod whose readiness probe fails not Ready, until the probe passes', async () => {
    const flag = `${c.dir}/ready-flag`;
    const count = `${c.dir}/probe-count`;
    await c.client.create(PODS, podSpec('unready', { nodeName: 'node-2', containers: [{
      ...netexec(),
      readinessProbe: { exec: { command: ['sh', '-c', `echo . >> ${count}; test -f ${flag}`] }, periodSeconds: 1, failureThreshold: 1 },
    }] }));
    await waitFor('three failed readiness probes', async () => (await import('node:fs')).existsSync(count) && (await import('node:fs')).readFileSync(count, 'utf8').length >= 6);
    const pod = (await getPod(c.client, 'unready'))!;
    assert.equal(pod.status!.phase, 'Running');
    assert.equal(isReady(pod), false);
    const ready = pod.status!.conditions!.find((x) => x.type === 'Ready')!;
    assert.equal(ready.reason, 'ContainersNotReady');
    assert.equal(ready.message, 'containers with unready status: [app]');
    (await import('node:fs')).writeFileSync(flag, '');
    await waitForPod(c.client, 'unready', 'Ready once the probe passes', isReady);
  });

  it('reports ErrImagePull for an image that is neither built in nor given a command', async () => {
    await c.client.create(PODS, podSpec('noimage', { nodeName: 'node-1', containers: [{ name: 'web', image: 'nginx:1.27' }] }));
    const pod = await waitForPod(c.client, 'noimage', 'ErrImagePull', (p) => (p.status?.containerStatuses as { state: { waiting?: { reason: string } } }[] | undefined)?.[0]?.state.waiting?.reason === 'ErrImagePull');
    const waiting = (pod.status!.containerStatuses as { state: { waiting: { message: string } } }[])[0].state.waiting;
    assert.match(waiting.message, /nginx:1\.27/);
    assert.equal(pod.status!.phase, 'Pending');
  });

  it('runs a hostNetwork pod in the node netns with the node IP as pod IP', async () => {
    await c.client.create(PODS, podSpec('hostnet', { nodeName: 'node-2', hostNetwork: true, containers: [{ name: 'app', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53', args: ['netexec', '--http-port=18080', '--udp-port=18081'] }] }));
    const pod = await waitForPod(c.client, 'hostnet', 'Ready', isReady);
    assert.equal(pod.status!.podIP, '198.18.50.12');
    const r = await waitFor('the host-network server', () => httpGet('198.18.50.12', 18080, '/clientip'));
    assert.equal(r.body.split(':')[0], '198.18.50.1');
  });

  it('runs a scheduled Deployment of 3 replicas, and a deleted replica comes back with a new IP', async () => {
    const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
    const labels = { app: 'echo' };
    await c.client.create(DEPLOYMENTS, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'echo', namespace: 'default' }, spec: { replicas: 3, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { terminationGracePeriodSeconds: 2, containers: [netexec()] } } } });
    const readyPods = async () => (await c.client.list<NodePod>(PODS, 'default', { labelSelector: 'app=echo' })).items.filter((p) => isReady(p) && !p.metadata.deletionTimestamp);
    const first = await waitFor('3 ready replicas', async () => ((await readyPods()).length === 3 ? readyPods() : undefined), { timeoutMs: 30_000 });
    assert.ok(first.every((p) => p.spec.nodeName === 'node-1' || p.spec.nodeName === 'node-2'));
    const victim = first[0];
    await c.client.delete(PODS, 'default', victim.metadata.name!);
    const after = await waitFor('a replacement', async () => {
      const pods = await readyPods();
      return pods.length === 3 && !pods.some((p) => p.metadata.uid === victim.metadata.uid) ? pods : undefined;
    }, { timeoutMs: 30_000 });
    const replacement = after.find((p) => !first.some((f) => f.metadata.uid === p.metadata.uid))!;
    assert.notEqual(replacement.status!.podIP, victim.status!.podIP);
    const r = await waitFor('the replacement to serve', () => httpGet(replacement.status!.podIP!, 8080, '/hostname'));
    assert.equal(r.body, replacement.metadata.name);
  });

  it('tears down the netns and cgroup of a deleted pod, then deletes the pod object', async () => {
    const pod = (await getPod(c.client, 'a2'))!;
    const uid = pod.metadata.uid!;
    assert.ok(existsSync(`/run/netns/skiff-pod1-pod-${uid}`));
    await c.client.delete(PODS, 'default', 'a2');
    await waitFor('the pod object to disappear', async () => (await getPod(c.client, 'a2')) === undefined);
    assert.equal(existsSync(`/run/netns/skiff-pod1-pod-${uid}`), false);
    assert.equal(existsSync(`/sys/fs/cgroup/unified/skiff/pod1/${uid}`), false);
  });
});
