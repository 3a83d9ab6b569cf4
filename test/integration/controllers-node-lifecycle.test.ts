// The node lifecycle controller against the in-process API server, with an injected clock: a node whose lease
// stops renewing goes Unknown and tainted, its pods go not-ready and are deleted later; renewal lifts the taint.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../src/api/resources.ts';
import type { KubeObject, Pod } from '../../src/api/types.ts';
import { isStatusError } from '../../src/api/status.ts';
import type { Node } from '../../src/controllers/node-lifecycle/node-health.ts';
import { createNodeLifecycleController } from '../../src/controllers/node-lifecycle/node-lifecycle-controller.ts';
import { SharedInformers } from '../../src/controllers/runtime/shared-informers.ts';
import type { Controller } from '../../src/controllers/runtime/shared-informers.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;
const EVENTS = findResource('', 'v1', 'events')!;

const T0 = Date.now();
const micro = (ms: number) => new Date(ms).toISOString().replace('Z', '000Z');

describe('node lifecycle controller', () => {
  let c: TestCluster;
  let informers: SharedInformers;
  let controller: Controller;
  let clock = T0;

  const getNode = () => c.client.get<Node>(NODES, undefined, 'n1');
  const getPod = async (name: string) => {
    try {
      return await c.client.get<Pod>(PODS, 'default', name);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  };

  async function runningPod(name: string, tolerations?: unknown[]): Promise<void> {
    await c.client.create(PODS, { metadata: { name, namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'pause' }], ...(tolerations ? { tolerations } : {}) } });
    await c.client.patch(PODS, 'default', name, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } }, { subresource: 'status' });
  }

  before(async () => {
    c = await startTestCluster();
    const ts = new Date(T0).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await c.client.create(NODES, { metadata: { name: 'n1' }, status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: ts, lastTransitionTime: ts }] } });
    await c.client.create(LEASES, { metadata: { name: 'n1', namespace: 'kube-node-lease' }, spec: { holderIdentity: 'n1', leaseDurationSeconds: 40, renewTime: micro(T0) } });
    await runningPod('default-toleration');
    await runningPod('short-toleration', [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]);
    informers = new SharedInformers(c.client);
    controller = createNodeLifecycleController(informers, { now: () => new Date(clock), monitorPeriodMs: 20 });
    informers.start();
    await controller.start();
  });
  after(async () => {
    controller.stop();
    informers.stop();
    await c.stop();
  });

  it('marks a silent node Unknown and unreachable, and its pods not ready', async () => {
    assert.equal((await getNode()).spec?.taints, undefined, 'untouched while the lease is fresh');
    clock = T0 + 41_000;
    const node = await waitFor('Ready=Unknown', async () => {
      const n = await getNode();
      return n.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'Unknown' && n.spec?.taints?.length ? n : undefined;
    });
    const ready = node.status!.conditions!.find((x) => x.type === 'Ready')!;
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.equal(ready.message, 'Kubelet stopped posting node status.');
    assert.deepEqual(node.spec?.taints?.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoExecute']);
    for (const name of ['default-toleration', 'short-toleration']) {
      await waitFor(`${name} not ready`, async () => (await getPod(name))?.status?.conditions?.find((x) => x.type === 'Ready')?.status === 'False');
    }
  });

  it('deletes pods once their toleration of the taint runs out', async () => {
    clock = T0 + 102_000;
    await waitFor('short-toleration deleted', async () => (await getPod('short-toleration')) === undefined);
    const survivor = await getPod('default-toleration');
    assert.ok(survivor && !survivor.metadata.deletionTimestamp, 'the pod with the 300s default toleration stays for now');
    clock = T0 + 342_000;
    await waitFor('default-toleration deleted', async () => (await getPod('default-toleration')) === undefined);
    const events = (await c.client.list(EVENTS, 'default')).items.filter((e: KubeObject) => e.reason === 'TaintManagerEviction');
    assert.deepEqual(events.map((e) => e.message).sort(), ['Marking for deletion Pod default/default-toleration', 'Marking for deletion Pod default/short-toleration']);
  });

  it('lifts the taint when the lease is renewed again', async () => {
    clock = T0 + 400_000;
    await c.client.patch(LEASES, 'kube-node-lease', 'n1', { spec: { renewTime: micro(clock) } });
    await waitFor('taint removed', async () => ((await getNode()).spec?.taints?.length ?? 0) === 0);
  });
});
