// The real kubectl driving Deployments (scale, rollout restart/status/history/undo) against an in-process
// API server with the workload controllers and a fake kubelet that reports every pod Running and Ready.
// (In-process until `skiff server` runs the controllers; then this can move onto `skiff up`.)
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findResource } from '../../src/api/resources.ts';
import type { Pod } from '../../src/api/types.ts';
import { SharedInformers } from '../../src/controllers/runtime/shared-informers.ts';
import { createDeploymentController } from '../../src/controllers/deployment/deployment-controller.ts';
import { createReplicaSetController } from '../../src/controllers/replicaset/replica-set-controller.ts';
import type { ReplicaSet } from '../../src/controllers/replicaset/workload-types.ts';
import type { Controller } from '../../src/controllers/runtime/shared-informers.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';
import { run } from '../support/skiff-cli.ts';
import { FakeKubelet, PODS } from '../support/fake-kubelet.ts';

const RS = findResource('apps', 'v1', 'replicasets')!;
const REVISION = 'deployment.kubernetes.io/revision';

describe('kubectl rollouts against the workload controllers', () => {
  let c: TestCluster;
  let informers: SharedInformers;
  let controllers: Controller[];
  let kubelet: FakeKubelet;
  let home: string;

  async function kubectl(...args: string[]): Promise<string> {
    const r = await run('kubectl', ['--kubeconfig', c.kubeconfigPath, ...args], { env: { ...process.env, HOME: home, KUBECONFIG: '' }, timeoutMs: 90_000 });
    if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  }
  const replicaSets = async () => (await c.client.list<ReplicaSet>(RS, 'default', { labelSelector: 'app=x' })).items;
  const livePods = async () => (await c.client.list<Pod>(PODS, 'default', { labelSelector: 'app=x' })).items.filter((p) => !p.metadata.deletionTimestamp);

  before(async () => {
    home = mkdtempSync(join(tmpdir(), 'skiff-home-'));
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
    rmSync(home, { recursive: true, force: true });
  });

  it('creates a deployment and waits for it with rollout status', async () => {
    assert.match(await kubectl('create', 'deployment', 'x', '--image=registry.k8s.io/e2e-test-images/agnhost:2.53', '--replicas=2'), /deployment\.apps\/x created/);
    assert.match(await kubectl('rollout', 'status', 'deploy/x', '--timeout=60s'), /deployment "x" successfully rolled out/);
    const out = await kubectl('get', 'deploy', 'x');
    assert.match(out, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\n/);
    assert.match(out, /^x\s+2\/2\s+2\s+2\s+/m);
  });

  it('scales with kubectl scale', async () => {
    assert.match(await kubectl('scale', 'deploy/x', '--replicas=5'), /deployment\.apps\/x scaled/);
    await kubectl('rollout', 'status', 'deploy/x', '--timeout=60s');
    await waitFor('5 pods', async () => (await livePods()).length === 5);
    const [rs] = await replicaSets();
    assert.equal(rs.spec.replicas, 5);
    assert.match(await kubectl('get', 'rs', '-l', 'app=x'), new RegExp(`^${rs.metadata.name}\\s+5\\s+5\\s+5\\s+`, 'm'));
  });

  it('restarts with kubectl rollout restart into a new ReplicaSet', async () => {
    const [first] = await replicaSets();
    assert.match(await kubectl('rollout', 'restart', 'deploy/x'), /deployment\.apps\/x restarted/);
    assert.match(await kubectl('rollout', 'status', 'deploy/x', '--timeout=60s'), /successfully rolled out/);
    const rss = await replicaSets();
    assert.equal(rss.length, 2);
    const second = rss.find((rs) => rs.metadata.uid !== first.metadata.uid)!;
    assert.ok(second.spec.template.metadata?.annotations?.['kubectl.kubernetes.io/restartedAt']);
    assert.deepEqual([second.spec.replicas, second.metadata.annotations?.[REVISION]], [5, '2']);
    assert.equal(rss.find((rs) => rs.metadata.uid === first.metadata.uid)!.spec.replicas, 0);
    const pods = await waitFor('5 pods of the new ReplicaSet', async () => {
      const p = await livePods();
      return p.length === 5 && p.every((x) => x.metadata.ownerReferences?.[0]?.uid === second.metadata.uid) && p;
    });
    assert.equal(pods.length, 5);
    const describe = await kubectl('describe', 'deploy', 'x');
    assert.match(describe, new RegExp(`NewReplicaSet:\\s+${second.metadata.name} \\(5/5 replicas created\\)`));
    assert.match(describe, /ScalingReplicaSet/);
    const history = await kubectl('rollout', 'history', 'deploy/x');
    assert.match(history, /^1\s+<none>$/m);
    assert.match(history, /^2\s+<none>$/m);
  });

  it('rolls back with kubectl rollout undo, reusing the first ReplicaSet', async () => {
    const before = await replicaSets();
    const first = before.find((rs) => rs.metadata.annotations?.[REVISION] === '1')!;
    assert.match(await kubectl('rollout', 'undo', 'deploy/x'), /deployment\.apps\/x rolled back/);
    assert.match(await kubectl('rollout', 'status', 'deploy/x', '--timeout=60s'), /successfully rolled out/);
    const rss = await replicaSets();
    assert.equal(rss.length, 2, 'no new ReplicaSet for a rollback');
    const back = rss.find((rs) => rs.metadata.uid === first.metadata.uid)!;
    assert.deepEqual([back.spec.replicas, back.metadata.annotations?.[REVISION]], [5, '3']);
    await waitFor('5 pods of the first ReplicaSet', async () => {
      const p = await livePods();
      return p.length === 5 && p.every((x) => x.metadata.ownerReferences?.[0]?.uid === first.metadata.uid);
    });
    assert.match(await kubectl('get', 'deploy', 'x', '-o', `jsonpath={.metadata.annotations.deployment\\.kubernetes\\.io/revision}`), /^3$/);
  });
});
