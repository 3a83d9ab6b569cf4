// The Deployment and ReplicaSet controllers together against the in-process API server, the test playing the kubelet.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../src/api/resources.ts';
import type { ResourceInfo } from '../../src/api/resources.ts';
import type { KubeObject, Pod } from '../../src/api/types.ts';
import type { KubeClient } from '../../src/client/client.ts';
import { SharedInformers } from '../../src/controllers/runtime/shared-informers.ts';
import { createDeploymentController } from '../../src/controllers/deployment/deployment-controller.ts';
import { createReplicaSetController } from '../../src/controllers/replicaset/replica-set-controller.ts';
import type { Deployment, ReplicaSet } from '../../src/controllers/replicaset/workload-types.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';
import { FakeKubelet, PODS } from '../support/fake-kubelet.ts';

const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
const RS = findResource('apps', 'v1', 'replicasets')!;
const EVENTS = findResource('', 'v1', 'events')!;

function deployment(name: string, replicas: number, spec: Record<string, unknown> = {}): KubeObject {
  return {
    metadata: { name, namespace: 'default' },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'agnhost:v1' }] } }, ...spec },
  };
}

/** Every change of `app=<name>` objects of `r` from now on, in order, as the latest version of each. */
async function record<T extends KubeObject>(client: KubeClient, r: ResourceInfo, app: string, onChange: (all: Map<string, T>, type: string) => void) {
  const list = await client.list<T>(r, 'default', { labelSelector: `app=${app}` });
  const all = new Map(list.items.map((o) => [o.metadata.name!, o]));
  const stream = await client.watch(r, 'default', { labelSelector: `app=${app}`, resourceVersion: list.metadata.resourceVersion });
  const done = (async () => {
    for await (const ev of stream) {
      if (ev.type === 'BOOKMARK' || ev.type === 'ERROR') continue;
      const obj = ev.object as T;
      if (ev.type === 'DELETED') all.delete(obj.metadata.name!);
      else all.set(obj.metadata.name!, obj);
      onChange(all, ev.type);
    }
  })();
  return { stop: async () => (stream.stop(), await done) };
}

describe('Deployment controller', () => {
  let c: TestCluster;
  let informers: SharedInformers;
  let controllers: ReturnType<typeof createDeploymentController>[];
  let kubelet: FakeKubelet;

  const getD = (name: string) => c.client.get<Deployment>(DEPLOYMENTS, 'default', name);
  const replicaSets = async (app: string) => (await c.client.list<ReplicaSet>(RS, 'default', { labelSelector: `app=${app}` })).items;
  const setImage = (name: string, image: string) => c.client.patch(DEPLOYMENTS, 'default', name, { spec: { template: { spec: { containers: [{ name: 'c', image }] } } } }, { type: 'strategic' });
  const rolledOut = (name: string, timeoutMs = 20_000) => waitFor(`${name} rolled out`, async () => {
    const d = await getD(name);
    const s = d.status ?? {};
    const want = d.spec.replicas ?? 1;
    const isDone = s.observedGeneration === d.metadata.generation && (s.updatedReplicas ?? 0) === want && (s.replicas ?? 0) === want && (s.availableReplicas ?? 0) === want;
    return isDone && s.conditions?.find((x) => x.type === 'Progressing')?.reason === 'NewReplicaSetAvailable' && d;
  }, { timeoutMs });

  before(async () => {
    c = await startTestCluster();
    informers = new SharedInformers(c.client);
    controllers = [createReplicaSetController(informers), createDeploymentController(informers)];
    informers.start();
    await Promise.all(controllers.map((x) => x.start()));
    kubelet = new FakeKubelet(c.client, { isAutoReady: true });
    await kubelet.start();
  });

  after(async () => {
    for (const x of controllers) x.stop();
    informers.stop();
    kubelet.stop();
    await c.stop();
  });

  it('rolls out a new template within maxSurge and maxUnavailable at every step', async () => {
    await c.client.create(DEPLOYMENTS, deployment('roll', 4, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } } }));
    const first = await rolledOut('roll');
    assert.equal(first.metadata.annotations?.['deployment.kubernetes.io/revision'], '1');
    const [oldRS] = await replicaSets('roll');
    assert.match(oldRS.metadata.name!, /^roll-[bcdfghjklmnpqrstvwxz2456789]+$/);
    assert.equal(oldRS.spec.selector.matchLabels?.['pod-template-hash'], oldRS.metadata.name!.slice('roll-'.length));
    assert.deepEqual(oldRS.metadata.ownerReferences?.map((r) => [r.kind, r.name, r.controller]), [['Deployment', 'roll', true]]);

    const violations: string[] = [];
    let maxSpec = 0;
    const rsWatch = await record<ReplicaSet>(c.client, RS, 'roll', (all) => {
      const rss = [...all.values()];
      const spec = rss.reduce((n, rs) => n + (rs.spec.replicas ?? 0), 0);
      const available = rss.reduce((n, rs) => n + Math.min(rs.spec.replicas ?? 0, rs.status?.availableReplicas ?? 0), 0);
      maxSpec = Math.max(maxSpec, spec);
      if (spec > 5) violations.push(`replicas ${spec} > 4 + maxSurge 1`);
      if (available < 3) violations.push(`available ${available} < 4 - maxUnavailable 1`);
    });
    const podWatch = await record<Pod>(c.client, PODS, 'roll', (all) => {
      const ready = [...all.values()].filter((p) => !p.metadata.deletionTimestamp && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True')).length;
      if (ready < 3) violations.push(`${ready} ready pods < 3`);
    });
    await setImage('roll', 'agnhost:v2');
    const d = await rolledOut('roll');
    await rsWatch.stop();
    await podWatch.stop();
    assert.deepEqual(violations, []);
    assert.equal(maxSpec, 5, 'the rollout used its surge');
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    const rss = await replicaSets('roll');
    const newRS = rss.find((rs) => rs.metadata.uid !== oldRS.metadata.uid)!;
    assert.deepEqual([rss.length, newRS.spec.replicas, rss.find((rs) => rs.metadata.uid === oldRS.metadata.uid)?.spec.replicas], [2, 4, 0]);
    assert.equal(newRS.metadata.annotations?.['deployment.kubernetes.io/revision'], '2');
    assert.deepEqual([newRS.metadata.annotations?.['deployment.kubernetes.io/desired-replicas'], newRS.metadata.annotations?.['deployment.kubernetes.io/max-replicas']], ['4', '5']);
    assert.equal(d.status?.conditions?.find((x) => x.type === 'Available')?.reason, 'MinimumReplicasAvailable');
    const events = (await c.client.list(EVENTS, 'default', { fieldSelector: 'involvedObject.name=roll' })).items as unknown as { reason: string; message: string }[];
    assert.ok(events.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled up replica set ${newRS.metadata.name} from 0 to 1`));
    assert.ok(events.some((e) => e.reason === 'ScalingReplicaSet' && e.message === `Scaled down replica set ${oldRS.metadata.name} from 1 to 0`));
  });

  it('with Recreate deletes every old pod before creating a new one', async () => {
    await c.client.create(DEPLOYMENTS, deployment('recreate', 3, { strategy: { type: 'Recreate' } }));
    await rolledOut('recreate');
    const oldNames = new Set((await c.client.list<Pod>(PODS, 'default', { labelSelector: 'app=recreate' })).items.map((p) => p.metadata.name));
    const overlaps: string[] = [];
    const watch = await record<Pod>(c.client, PODS, 'recreate', (all) => {
      const names = [...all.keys()];
      if (names.some((n) => oldNames.has(n)) && names.some((n) => !oldNames.has(n))) overlaps.push(names.join(','));
    });
    await setImage('recreate', 'agnhost:v2');
    await rolledOut('recreate');
    await watch.stop();
    assert.deepEqual(overlaps, []);
    const pods = (await c.client.list<Pod>(PODS, 'default', { labelSelector: 'app=recreate' })).items;
    assert.equal(pods.length, 3);
    assert.ok(pods.every((p) => p.spec.containers[0].image === 'agnhost:v2'));
  });

  it('rolls back by reusing the old ReplicaSet with the next revision', async () => {
    await c.client.create(DEPLOYMENTS, deployment('undo', 2));
    await rolledOut('undo');
    const [v1] = await replicaSets('undo');
    await setImage('undo', 'agnhost:v2');
    await rolledOut('undo');
    // What `kubectl rollout undo` sends: the old ReplicaSet's template without its hash label.
    const template = structuredClone(v1.spec.template);
    delete template.metadata!.labels!['pod-template-hash'];
    await c.client.patch(DEPLOYMENTS, 'default', 'undo', [{ op: 'replace', path: '/spec/template', value: template }], { type: 'json' });
    const d = await rolledOut('undo');
    const rss = await replicaSets('undo');
    assert.equal(rss.length, 2, 'no third ReplicaSet');
    const back = rss.find((rs) => rs.metadata.uid === v1.metadata.uid)!;
    assert.equal(back.spec.replicas, 2);
    assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
    assert.equal(back.metadata.annotations?.['deployment.kubernetes.io/revision-history'], '1');
    assert.equal(d.metadata.annotations?.['deployment.kubernetes.io/revision'], '3');
  });

  it('scales proportionally across ReplicaSets when scaled mid-rollout', async () => {
    await c.client.create(DEPLOYMENTS, deployment('prop', 10, { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 3, maxUnavailable: 2 } } }));
    await rolledOut('prop');
    kubelet.isAutoReady = false;
    try {
      await setImage('prop', 'agnhost:broken');
      const sizes = async () => Object.fromEntries((await replicaSets('prop')).map((rs) => [rs.spec.template.spec!.containers[0].image, rs.spec.replicas]));
      await waitFor('stuck at 8 old + 5 new', async () => JSON.stringify(await sizes()) === JSON.stringify({ 'agnhost:v1': 8, 'agnhost:broken': 5 }) || JSON.stringify(await sizes()) === JSON.stringify({ 'agnhost:broken': 5, 'agnhost:v1': 8 }));
      await c.client.patch(DEPLOYMENTS, 'default', 'prop', { spec: { replicas: 15 } });
      await waitFor('11 old + 7 new', async () => {
        const s = await sizes();
        return s['agnhost:v1'] === 11 && s['agnhost:broken'] === 7;
      });
    } finally {
      kubelet.isAutoReady = true;
    }
    for (const p of kubelet.live('prop-')) if (p.status?.phase === 'Pending') await kubelet.setReady(p, true).catch(() => undefined); // may be deleted by then
    const d = await rolledOut('prop');
    assert.equal(d.status?.availableReplicas, 15);
  });

  it('does not roll out while paused, and continues on resume', async () => {
    await c.client.create(DEPLOYMENTS, deployment('pause', 2));
    await rolledOut('pause');
    await c.client.patch(DEPLOYMENTS, 'default', 'pause', { spec: { paused: true } });
    await setImage('pause', 'agnhost:v2');
    const d = await waitFor('paused observed', async () => {
      const x = await getD('pause');
      return x.status?.observedGeneration === x.metadata.generation && x.status?.conditions?.find((k) => k.type === 'Progressing')?.reason === 'DeploymentPaused' && x;
    });
    assert.equal(d.status?.conditions?.find((k) => k.type === 'Progressing')?.status, 'Unknown');
    assert.equal((await replicaSets('pause')).length, 1, 'no new ReplicaSet while paused');
    await c.client.patch(DEPLOYMENTS, 'default', 'pause', { spec: { paused: false } });
    await rolledOut('pause');
    assert.equal((await replicaSets('pause')).length, 2);
  });

  it('reports ProgressDeadlineExceeded when the new pods never become ready', async () => {
    await c.client.create(DEPLOYMENTS, deployment('deadline', 1, { progressDeadlineSeconds: 1 }));
    await rolledOut('deadline');
    kubelet.isAutoReady = false;
    try {
      await setImage('deadline', 'agnhost:broken');
      const cond = await waitFor('deadline exceeded', async () => (await getD('deadline')).status?.conditions?.find((k) => k.type === 'Progressing' && k.reason === 'ProgressDeadlineExceeded'), { timeoutMs: 10_000 });
      assert.equal(cond.status, 'False');
      assert.match(cond.message ?? '', /^ReplicaSet "deadline-\w+" has timed out progressing\.$/);
    } finally {
      kubelet.isAutoReady = true;
    }
  });

  it('deletes old ReplicaSets beyond revisionHistoryLimit', async () => {
    await c.client.create(DEPLOYMENTS, deployment('history', 1, { revisionHistoryLimit: 1 }));
    await rolledOut('history');
    for (const image of ['agnhost:v2', 'agnhost:v3']) {
      await setImage('history', image);
      await rolledOut('history');
    }
    const rss = await waitFor('two ReplicaSets left', async () => {
      const list = await replicaSets('history');
      return list.length === 2 && list;
    });
    assert.deepEqual(rss.map((rs) => rs.spec.template.spec!.containers[0].image).sort(), ['agnhost:v2', 'agnhost:v3']);
  });
});
