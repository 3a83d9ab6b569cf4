// After kill -9 of a node agent nothing of its pods may survive `skiff down`: the sandbox removal (netns, links,
// routes) plus the agent's cgroup sweep leave no namespace, cgroup or process of the cluster behind.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { removeClusterCgroups } from '../../src/node/cleanup.ts';
import { destroySandbox } from '../../src/sandbox/sandbox.ts';
import { defaultPlan } from '../../src/sandbox/network-plan.ts';
import { PODS, AGNHOST, isReady, leftoversOf, netexec, podSpec, startPodCluster, waitForPod } from './pods-support.ts';
import type { PodTestCluster } from './pods-support.ts';

const plan = defaultPlan({ clusterName: 'pod3', bridge: 'skpod3', underlayCidr: '198.18.56.0/24', clusterCidr: '198.18.96.0/20', serviceCidr: '198.19.32.0/20', lbPool: '198.18.57.0/24' });

describe('cleanup after an agent crash', { timeout: 120_000 }, () => {
  let c: PodTestCluster | undefined;
  after(async () => {
    await c?.stop();
  });

  it('leaves no netns, cgroup or process of the cluster once the sandbox and the cgroups are swept', async () => {
    c = await startPodCluster(plan, { nodeCount: 1 });
    await c.client.create(PODS, podSpec('web', { nodeName: 'node-1', containers: [netexec(), { name: 'side', image: AGNHOST, args: ['pause'] }] }));
    await c.client.create(PODS, podSpec('hostnet', { nodeName: 'node-1', hostNetwork: true, containers: [{ name: 'main', image: 'busybox', command: ['sleep', '3600'] }] }));
    await waitForPod(c.client, 'web', 'Ready', isReady);
    await waitForPod(c.client, 'hostnet', 'Ready', isReady);
    const agent = c.agents.get('node-1')!;
    agent.child.kill('SIGKILL');
    await agent.stop();
    assert.ok(readdirSync('/run/netns').some((n) => n.startsWith('skiff-pod3-pod-')), 'the pods outlive the agent');

    await destroySandbox(plan);
    const swept = await removeClusterCgroups(plan.clusterName);
    assert.equal(swept.length, 2);
    assert.deepEqual(leftoversOf(plan), []);
    assert.equal(existsSync('/sys/fs/cgroup/unified/skiff/pod3'), false);
  });
});
