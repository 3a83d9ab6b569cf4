// Container lifecycle on a real node agent: init containers, env and generated files, logs and exec through the
// agent's streaming server, probes, restart policies, graceful termination, and agent restarts that adopt pods.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findResource } from '../../src/api/resources.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { defaultPlan } from '../../src/sandbox/network-plan.ts';
import type { ContainerStatus } from '../../src/node/pod-types.ts';
import { AGNHOST, PODS, agentExec, agentGet, getPod, httpGet, isReady, leftoversOf, netexec, podSpec, startPodCluster, waitForPod } from './pods-support.ts';
import type { PodTestCluster } from './pods-support.ts';

const plan = defaultPlan({ clusterName: 'pod2', bridge: 'skpod2', underlayCidr: '198.18.52.0/24', clusterCidr: '198.18.224.0/20', serviceCidr: '198.19.16.0/20', lbPool: '198.18.53.0/24' });
const NODE_IP = '198.18.52.11';
const SERVICES = findResource('', 'v1', 'services')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;

const statuses = (p: { status?: Record<string, unknown> }, key = 'containerStatuses') => (p.status?.[key] ?? []) as ContainerStatus[];

describe('pod lifecycle on a real node agent', { timeout: 300_000 }, () => {
  let c: PodTestCluster;
  before(async () => {
    c = await startPodCluster(plan, { nodeCount: 1, backoffBaseMs: 300 });
  });
  after(async () => {
    await c?.stop();
    assert.deepEqual(leftoversOf(plan), []);
  });

  it('reports init containers that end at once as Completed, not as never started', async () => {
    const quick = Array.from({ length: 6 }, (_, i) => ({ name: `quick-${i}`, image: 'busybox', command: ['true'] }));
    await c.client.create(PODS, podSpec('quick-init', { nodeName: 'node-1', initContainers: quick, containers: [{ name: 'app', image: 'busybox', command: ['sleep', '3600'] }] }));
    const pod = await waitForPod(c.client, 'quick-init', 'Running', (p) => p.status?.phase === 'Running');
    assert.deepEqual(statuses(pod, 'initContainerStatuses').map((s) => s.state.terminated?.reason), quick.map(() => 'Completed'));
  });

  it('runs init containers one after another before the app container', async () => {
    const order = join(c.dir, 'order');
    const step = (name: string, extra = '') => ({ name, image: 'busybox', command: ['sh', '-c', `echo ${name} >> ${order}${extra}`] });
    await c.client.create(PODS, podSpec('init', { nodeName: 'node-1', initContainers: [step('first', '; sleep 0.3'), step('second')], containers: [step('app', '; exec sleep 3600')] }));
    const pod = await waitForPod(c.client, 'init', 'Running', (p) => p.status?.phase === 'Running' && isReady(p));
    assert.deepEqual(readFileSync(order, 'utf8').trim().split('\n'), ['first', 'second', 'app']);
    assert.deepEqual(statuses(pod, 'initContainerStatuses').map((s) => [s.name, s.state.terminated?.reason, s.state.terminated?.exitCode]), [['first', 'Completed', 0], ['second', 'Completed', 0]]);
    assert.equal(pod.status!.conditions!.find((x) => x.type === 'Initialized')?.status, 'True');
  });

  it('gives a container its env, resolv.conf, hosts, hostname and working directory, seen through logs and exec', async () => {
    const svc = await c.client.create(SERVICES, { metadata: { name: 'backend-db', namespace: 'default' }, spec: { ports: [{ name: 'sql', port: 5432, protocol: 'TCP' }] } });
    await c.client.create(CONFIGMAPS, { metadata: { name: 'settings', namespace: 'default' }, data: { mode: 'fast' } });
    const script = 'echo "name=$POD_NAME ns=$POD_NS ip=$POD_IP node=$NODE mode=$MODE db=$BACKEND_DB_SERVICE_HOST:$BACKEND_DB_SERVICE_PORT_SQL host=$HOSTNAME"; pwd; hostname; cat /etc/resolv.conf; echo to-stderr >&2; exec sleep 3600';
    await c.client.create(PODS, podSpec('envy', { nodeName: 'node-1', containers: [{
      name: 'main', image: 'busybox', command: ['sh', '-c', script], workingDir: '/usr/share',
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
      ],
    }] }));
    const pod = await waitForPod(c.client, 'envy', 'Ready', isReady);
    const ip = pod.status!.podIP!;
    const clusterIP = (svc.spec as { clusterIP: string }).clusterIP;
    const logs = await waitFor('the container output', async () => {
      const r = await agentGet(c, NODE_IP, '/containerLogs/default/envy/main');
      return r.body.includes('options ndots:5') ? r.body : undefined;
    });
    assert.equal(logs, [
      `name=envy ns=default ip=${ip} node=node-1 mode=fast db=${clusterIP}:5432 host=envy`,
      '/usr/share',
      'envy',
      'search default.svc.cluster.local svc.cluster.local cluster.local',
      'nameserver 198.19.16.10',
      'options ndots:5',
      'to-stderr',
      '',
    ].join('\n'));
    assert.equal((await agentGet(c, NODE_IP, '/containerLogs/default/envy/main?tailLines=2')).body, 'options ndots:5\nto-stderr\n');
    assert.match((await agentGet(c, NODE_IP, '/containerLogs/default/envy/main?tailLines=1&timestamps=true')).body, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z to-stderr\n$/);
    const exec = await agentExec(c, NODE_IP, { pod: 'envy', container: 'main', command: ['sh', '-c', 'hostname; pwd; grep envy /etc/hosts; echo $MODE; echo oops >&2; exit 3'] });
    assert.deepEqual(exec, { stdout: `envy\n/usr/share\n${ip}\tenvy\nfast\n`, stderr: 'oops\n', exitCode: 3 });
    assert.equal(existsSync('/agnhost'), false, 'nothing is written into the host root');
  });

  it('serves the previous instance log of a restarted container', async () => {
    await c.client.create(PODS, podSpec('flaky', { nodeName: 'node-1', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo "started at $(date +%s%N)"; exit 1'] }] }));
    await waitForPod(c.client, 'flaky', 'restarted twice', (p) => (statuses(p)[0]?.restartCount ?? 0) >= 2);
    const current = (await agentGet(c, NODE_IP, '/containerLogs/default/flaky/main')).body;
    const previous = (await agentGet(c, NODE_IP, '/containerLogs/default/flaky/main?previous=true')).body;
    assert.match(current, /^started at \d+\n$/);
    assert.match(previous, /^started at \d+\n$/);
    assert.notEqual(current, previous);
  });

  it('follows a log until the container exits', async () => {
    await c.client.create(PODS, podSpec('talker', { nodeName: 'node-1', restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'echo one; sleep 0.5; echo two; printf three'] }] }));
    await waitForPod(c.client, 'talker', 'started', (p) => statuses(p)[0]?.state.running !== undefined || statuses(p)[0]?.state.terminated !== undefined);
    const followed = await agentGet(c, NODE_IP, '/containerLogs/default/talker/main?follow=true');
    assert.equal(followed.body, 'one\ntwo\nthree\n');
  });

  it('restarts a container whose liveness probe fails', async () => {
    await c.client.create(PODS, podSpec('dead', { nodeName: 'node-1', containers: [{ ...netexec(), livenessProbe: { tcpSocket: { port: 9999 }, periodSeconds: 1, failureThreshold: 2 } }] }));
    const pod = await waitForPod(c.client, 'dead', 'restarted by its liveness probe', (p) => (statuses(p)[0]?.restartCount ?? 0) >= 1 && statuses(p)[0]?.lastState.terminated !== undefined);
    assert.ok(statuses(pod)[0].lastState.terminated!.finishedAt);
  });

  it('finishes pods under restartPolicy Never: Succeeded on exit 0, Failed on exit 7, and removes their netns', async () => {
    await c.client.create(PODS, podSpec('ok', { nodeName: 'node-1', restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['true'] }] }));
    await c.client.create(PODS, podSpec('bad', { nodeName: 'node-1', restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'exit 7'] }] }));
    const ok = await waitForPod(c.client, 'ok', 'Succeeded', (p) => p.status?.phase === 'Succeeded');
    const bad = await waitForPod(c.client, 'bad', 'Failed', (p) => p.status?.phase === 'Failed');
    assert.deepEqual([statuses(ok)[0].state.terminated?.reason, statuses(ok)[0].state.terminated?.exitCode], ['Completed', 0]);
    assert.deepEqual([statuses(bad)[0].state.terminated?.reason, statuses(bad)[0].state.terminated?.exitCode], ['Error', 7]);
    assert.equal(ok.status!.conditions!.find((x) => x.type === 'Ready')?.reason, 'PodCompleted');
    await waitFor('the netns of finished pods to go', () => !existsSync(`/run/netns/skiff-pod2-pod-${ok.metadata.uid}`) && !existsSync(`/run/netns/skiff-pod2-pod-${bad.metadata.uid}`));
  });

  it('terminates gracefully: preStop hook, then SIGTERM, then the pod object goes; SIGKILL after the grace period', async () => {
    const trace = join(c.dir, 'term');
    await c.client.create(PODS, podSpec('polite', { nodeName: 'node-1', containers: [{
      name: 'main', image: 'busybox', command: ['sh', '-c', `trap "echo TERM >> ${trace}; exit 0" TERM; while true; do sleep 0.1; done`],
      lifecycle: { preStop: { exec: { command: ['sh', '-c', `echo preStop >> ${trace}`] } } },
    }] }));
    await c.client.create(PODS, podSpec('stubborn', { nodeName: 'node-1', terminationGracePeriodSeconds: 2, containers: [{ name: 'main', image: 'busybox', command: ['sh', '-c', 'trap "" TERM; while true; do sleep 0.1; done'] }] }));
    await waitForPod(c.client, 'polite', 'Ready', isReady);
    await waitForPod(c.client, 'stubborn', 'Ready', isReady);
    await c.client.delete(PODS, 'default', 'polite');
    const t0 = Date.now();
    await c.client.delete(PODS, 'default', 'stubborn');
    await waitFor('polite to go', async () => (await getPod(c.client, 'polite')) === undefined);
    assert.deepEqual(readFileSync(trace, 'utf8').trim().split('\n'), ['preStop', 'TERM']);
    await waitFor('stubborn to go', async () => (await getPod(c.client, 'stubborn')) === undefined, { timeoutMs: 15_000 });
    const took = Date.now() - t0;
    assert.ok(took >= 1900 && took < 6000, `SIGKILL after the 2 s grace period (took ${took} ms)`);
  });

  it('keeps pods running across an agent restart and adopts them; after kill -9 it also removes pods deleted meanwhile', async () => {
    await c.client.create(PODS, podSpec('keep', { nodeName: 'node-1', containers: [netexec()] }));
    await c.client.create(PODS, podSpec('drop', { nodeName: 'node-1', containers: [{ name: 'main', image: AGNHOST, args: ['pause'] }] }));
    await c.client.create(PODS, podSpec('hkeep', { nodeName: 'node-1', hostNetwork: true, containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] }));
    const before = await waitForPod(c.client, 'keep', 'Ready', isReady);
    const hostBefore = await waitForPod(c.client, 'hkeep', 'Ready', isReady);
    const drop = await waitForPod(c.client, 'drop', 'Ready', isReady);
    const ip = before.status!.podIP!;
    await waitFor('keep to serve', () => httpGet(ip, 8080, '/hostname'));

    await c.agents.get('node-1')!.stop();
    assert.equal((await httpGet(ip, 8080, '/hostname')).body, 'keep', 'the pod runs while no agent does');
    await c.startAgent('node-1');
    await waitForPod(c.client, 'keep', 'still Ready', isReady);
    const adopted = (await getPod(c.client, 'keep'))!;
    assert.equal(adopted.status!.podIP, ip);
    assert.equal(statuses(adopted)[0].restartCount, 0);
    assert.equal(statuses(adopted)[0].containerID, statuses(before)[0].containerID, 'the same container, adopted');
    const hostAdopted = await waitForPod(c.client, 'hkeep', 'Ready', isReady);
    const finished = (await getPod(c.client, 'ok'))!;
    assert.equal(finished.status!.phase, 'Succeeded', 'a finished pod stays finished across agent restarts');
    assert.equal(statuses(finished)[0].state.terminated?.reason, 'Completed');
    assert.equal(existsSync(`/run/netns/skiff-pod2-pod-${finished.metadata.uid}`), false, 'and gets no new sandbox');
    assert.equal(statuses(hostAdopted)[0].containerID, statuses(hostBefore)[0].containerID, 'a host-network container is adopted too');
    // the new agent adopts containers after it starts (CNI CHECK first): exec works once it has
    const exec = await waitFor('exec into the adopted container', async () => {
      const r = await agentExec(c, NODE_IP, { pod: 'keep', container: 'app', command: ['hostname'] });
      return r.stdout ? r : undefined;
    }, { timeoutMs: 10_000, intervalMs: 100 });
    assert.equal(exec.stdout, 'keep\n');

    c.agents.get('node-1')!.child.kill('SIGKILL');
    await c.agents.get('node-1')!.stop();
    await c.client.delete(PODS, 'default', 'drop', { gracePeriodSeconds: 0 });
    await c.startAgent('node-1');
    await waitFor('the force-deleted pod netns to be removed', () => !existsSync(`/run/netns/skiff-pod2-pod-${drop.metadata.uid}`));
    assert.equal((await httpGet(ip, 8080, '/hostname')).body, 'keep');
    assert.equal(statuses((await getPod(c.client, 'keep'))!)[0].containerID, statuses(before)[0].containerID);
  });
});
