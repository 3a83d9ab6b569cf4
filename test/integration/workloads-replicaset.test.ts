// The ReplicaSet controller against the in-process API server, with the test playing the kubelet.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../src/api/resources.ts';
import type { KubeObject, Pod } from '../../src/api/types.ts';
import { forbidden } from '../../src/api/status.ts';
import type { Admission } from '../../src/apiserver/admission.ts';
import { SharedInformers } from '../../src/controllers/runtime/shared-informers.ts';
import { createReplicaSetController } from '../../src/controllers/replicaset/replica-set-controller.ts';
import type { ReplicaSet } from '../../src/controllers/replicaset/workload-types.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';
import { FakeKubelet, PODS } from '../support/fake-kubelet.ts';

const RS = findResource('apps', 'v1', 'replicasets')!;
const EVENTS = findResource('', 'v1', 'events')!;

function replicaSet(name: string, replicas: number, extra: Partial<ReplicaSet['spec']> = {}): KubeObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name, tier: 'test' } }, spec: { containers: [{ name: 'c', image: 'agnhost' }] } }, ...extra },
  };
}

/** Refuses pod creates for app=quota while `isRefusing` (stands in for an exceeded ResourceQuota). */
const quota = {
  isRefusing: true,
  async admit(req: Parameters<Admission['admit']>[0]) {
    if (this.isRefusing && req.operation === 'CREATE' && req.resource.plural === 'pods' && req.object.metadata.labels?.app === 'quota') {
      throw forbidden('pods', req.object.metadata.generateName ?? '', 'exceeded quota: test-quota');
    }
    return undefined;
  },
  released() {},
};

describe('ReplicaSet controller', () => {
  let c: TestCluster;
  let informers: SharedInformers;
  let controller: ReturnType<typeof createReplicaSetController>;
  let kubelet: FakeKubelet;

  const getRS = (name: string) => c.client.get<ReplicaSet>(RS, 'default', name);
  const livePods = async (app: string): Promise<Pod[]> => {
    const list = await c.client.list<Pod>(PODS, 'default', { labelSelector: `app=${app}` });
    return list.items.filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded');
  };
  const podCount = (app: string, n: number) => waitFor(`${n} live pods for ${app}`, async () => {
    const pods = await livePods(app);
    return pods.length === n && pods;
  });
  const events = async (name: string) => (await c.client.list(EVENTS, 'default', { fieldSelector: `involvedObject.name=${name}` })).items as unknown as { reason: string; message: string }[];

  before(async () => {
    c = await startTestCluster({ admission: [quota] });
    informers = new SharedInformers(c.client);
    controller = createReplicaSetController(informers);
    informers.start();
    await controller.start();
    kubelet = new FakeKubelet(c.client);
    await kubelet.start();
  });

  after(async () => {
    controller.stop();
    informers.stop();
    kubelet.stop();
    await c.stop();
  });

  it('creates the desired pods from the template, owned by the ReplicaSet, and reports them ready', async () => {
    const rs = await c.client.create<ReplicaSet>(RS, replicaSet('web', 3));
    const pods = await podCount('web', 3);
    for (const p of pods) {
      assert.match(p.metadata.name!, /^web-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.labels, { app: 'web', tier: 'test' });
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    }
    for (const p of pods) await kubelet.setReady(p, true);
    const status = await waitFor('web ready', async () => {
      const s = (await getRS('web')).status;
      return s?.availableReplicas === 3 && s;
    });
    assert.deepEqual(status, { replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 3, observedGeneration: 1 });
    await controller.idle();
    assert.equal((await livePods('web')).length, 3, 'no pod created twice');
    const created = (await events('web')).filter((e) => e.reason === 'SuccessfulCreate');
    assert.deepEqual(created.map((e) => e.message).sort(), pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
  });

  it('replaces a deleted pod and a failed pod', async () => {
    await c.client.create(RS, replicaSet('heal', 2));
    const [gone, failing] = await podCount('heal', 2);
    await c.client.delete(PODS, 'default', gone.metadata.name!);
    await kubelet.setFailed(failing);
    const replaced = await waitFor('two fresh pods', async () => {
      const pods = await livePods('heal');
      return pods.length === 2 && pods.every((p) => p.metadata.name !== gone.metadata.name && p.metadata.name !== failing.metadata.name) && pods;
    });
    assert.equal(replaced.length, 2);
    const failed = await c.client.get<Pod>(PODS, 'default', failing.metadata.name!);
    assert.equal(failed.status?.phase, 'Failed', 'a failed pod is left for inspection, not counted');
    await waitFor('status of 2', async () => (await getRS('heal')).status?.replicas === 2);
  });

  it('scales down by deleting a not-ready pod before ready ones', async () => {
    await c.client.create(RS, replicaSet('shrink', 3));
    const pods = await podCount('shrink', 3);
    const [notReady, ...ready] = pods;
    await kubelet.setReady(notReady, false);
    for (const p of ready) await kubelet.setReady(p, true);
    await waitFor('2 ready', async () => (await getRS('shrink')).status?.readyReplicas === 2);
    await c.client.patch(RS, 'default', 'shrink', { spec: { replicas: 2 } });
    const left = await podCount('shrink', 2);
    assert.deepEqual(left.map((p) => p.metadata.name).sort(), ready.map((p) => p.metadata.name).sort());
    await waitFor('delete event', async () => (await events('shrink')).some((e) => e.reason === 'SuccessfulDelete' && e.message === `Deleted pod: ${notReady.metadata.name}`));
  });

  it('adopts a matching orphan pod and releases a pod that stops matching', async () => {
    const orphan = await c.client.create<Pod>(PODS, { metadata: { name: 'adopt-orphan', namespace: 'default', labels: { app: 'adopt' } }, spec: { containers: [{ name: 'c', image: 'agnhost' }] } });
    const rs = await c.client.create<ReplicaSet>(RS, replicaSet('adopt', 2));
    await waitFor('orphan adopted', async () => (await c.client.get<Pod>(PODS, 'default', 'adopt-orphan')).metadata.ownerReferences?.[0]?.uid === rs.metadata.uid);
    const pods = await podCount('adopt', 2);
    assert.ok(pods.some((p) => p.metadata.uid === orphan.metadata.uid), 'only one pod created next to the adopted one');
    await c.client.patch(PODS, 'default', 'adopt-orphan', { metadata: { labels: { app: 'elsewhere' } } });
    await waitFor('pod released', async () => !(await c.client.get<Pod>(PODS, 'default', 'adopt-orphan')).metadata.ownerReferences?.length);
    const after = await podCount('adopt', 2);
    assert.ok(after.every((p) => p.metadata.uid !== orphan.metadata.uid && p.metadata.ownerReferences?.[0]?.uid === rs.metadata.uid));
  });

  it('reports ReplicaFailure while pods cannot be created and clears it once they can', async () => {
    quota.isRefusing = true;
    await c.client.create(RS, replicaSet('quota', 2));
    const cond = await waitFor('ReplicaFailure', async () => (await getRS('quota')).status?.conditions?.find((x) => x.type === 'ReplicaFailure'));
    assert.equal(cond.reason, 'FailedCreate');
    assert.match(cond.message ?? '', /exceeded quota: test-quota/);
    assert.ok((await events('quota')).some((e) => e.reason === 'FailedCreate' && /^Error creating: .*exceeded quota/.test(e.message)));
    quota.isRefusing = false;
    await podCount('quota', 2);
    await waitFor('ReplicaFailure cleared', async () => !(await getRS('quota')).status?.conditions?.length, { timeoutMs: 40_000 });
  });

  it('counts a ready pod available only after minReadySeconds', async () => {
    await c.client.create(RS, replicaSet('slow', 1, { minReadySeconds: 3 }));
    const [pod] = await podCount('slow', 1);
    await kubelet.setReady(pod, true);
    await waitFor('ready, not yet available', async () => {
      const s = (await getRS('slow')).status;
      return s?.readyReplicas === 1 && !s.availableReplicas;
    });
    await waitFor('available', async () => (await getRS('slow')).status?.availableReplicas === 1, { timeoutMs: 8000 });
  });
});
