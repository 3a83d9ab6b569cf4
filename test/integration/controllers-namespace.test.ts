// The namespace controller against the in-process API server: deleting a namespace empties it, then removes it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../src/api/resources.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { isStatusError } from '../../src/api/status.ts';
import { createNamespaceController } from '../../src/controllers/namespace/namespace-controller.ts';
import type { Namespace } from '../../src/controllers/namespace/namespace-deletion.ts';
import { SharedInformers } from '../../src/controllers/runtime/shared-informers.ts';
import type { Controller } from '../../src/controllers/runtime/shared-informers.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

const NAMESPACES = findResource('', 'v1', 'namespaces')!;
const PODS = findResource('', 'v1', 'pods')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const SERVICES = findResource('', 'v1', 'services')!;
const REPLICASETS = findResource('apps', 'v1', 'replicasets')!;

async function isGone(c: TestCluster, r: typeof NAMESPACES, ns: string | undefined, name: string): Promise<boolean> {
  try {
    await c.client.get(r, ns, name);
    return false;
  } catch (e) {
    if (isStatusError(e, 'NotFound')) return true;
    throw e;
  }
}

describe('namespace controller', () => {
  let c: TestCluster;
  let informers: SharedInformers;
  let controller: Controller;
  before(async () => {
    c = await startTestCluster();
    informers = new SharedInformers(c.client);
    controller = createNamespaceController(informers, { retryBaseDelayMs: 10, maxRetryDelayMs: 200 });
    informers.start();
    await controller.start();
  });
  after(async () => {
    controller.stop();
    informers.stop();
    await c.stop();
  });

  it('deletes every object in a deleted namespace, then the namespace itself', async () => {
    await c.client.create(NAMESPACES, { metadata: { name: 'doomed' } });
    await c.client.create(CONFIGMAPS, { metadata: { name: 'cfg', namespace: 'doomed' }, data: { a: 'b' } });
    await c.client.create(PODS, { metadata: { name: 'p', namespace: 'doomed' }, spec: { containers: [{ name: 'c', image: 'pause' }] } });
    await c.client.create(SERVICES, { metadata: { name: 'svc', namespace: 'doomed' }, spec: { selector: { app: 'x' }, ports: [{ port: 80 }] } });
    await c.client.create(REPLICASETS, {
      metadata: { name: 'rs', namespace: 'doomed' },
      spec: { replicas: 0, selector: { matchLabels: { app: 'x' } }, template: { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'pause' }] } } },
    });
    await c.client.create(CONFIGMAPS, { metadata: { name: 'survivor', namespace: 'default' } });
    await c.client.delete(NAMESPACES, undefined, 'doomed');
    await waitFor('namespace gone', () => isGone(c, NAMESPACES, undefined, 'doomed'));
    for (const [r, name] of [[CONFIGMAPS, 'cfg'], [PODS, 'p'], [SERVICES, 'svc'], [REPLICASETS, 'rs']] as const) {
      assert.equal((await c.client.list(r, 'doomed')).items.length, 0, `${r.plural} left in doomed`);
      assert.ok(await isGone(c, r, 'doomed', name));
    }
    assert.equal((await c.client.get(CONFIGMAPS, 'default', 'survivor')).metadata.name, 'survivor');
  });

  it('waits for content held by a finalizer and says so in the conditions', async () => {
    await c.client.create(NAMESPACES, { metadata: { name: 'held' } });
    await c.client.create(CONFIGMAPS, { metadata: { name: 'cfg', namespace: 'held', finalizers: ['example.com/hold'] } });
    await c.client.delete(NAMESPACES, undefined, 'held');
    const ns = await waitFor('NamespaceContentRemaining=True', async () => {
      const got = await c.client.get<Namespace>(NAMESPACES, undefined, 'held');
      return got.status?.conditions?.some((x) => x.type === 'NamespaceContentRemaining' && x.status === 'True') ? got : undefined;
    });
    assert.equal(ns.status?.phase, 'Terminating');
    const byType = Object.fromEntries((ns.status?.conditions ?? []).map((x) => [x.type, x]));
    assert.equal(byType.NamespaceContentRemaining.message, 'Some resources are remaining: configmaps. has 1 resource instances');
    assert.equal(byType.NamespaceFinalizersRemaining.message, 'Some content in the namespace has finalizers remaining: example.com/hold in 1 resource instances');
    assert.equal(byType.NamespaceDeletionContentFailure.status, 'False');
    assert.deepEqual(ns.spec?.finalizers, ['kubernetes']);

    const cm = await c.client.get<KubeObject>(CONFIGMAPS, 'held', 'cfg');
    assert.ok(cm.metadata.deletionTimestamp);
    await c.client.patch(CONFIGMAPS, 'held', 'cfg', { metadata: { finalizers: null } });
    await waitFor('namespace gone', () => isGone(c, NAMESPACES, undefined, 'held'));
  });

  it('leaves active namespaces alone', async () => {
    await c.client.create(NAMESPACES, { metadata: { name: 'alive' } });
    await c.client.create(CONFIGMAPS, { metadata: { name: 'cfg', namespace: 'alive' } });
    await c.client.create(NAMESPACES, { metadata: { name: 'tick' } });
    await c.client.delete(NAMESPACES, undefined, 'tick');
    await waitFor('tick gone', () => isGone(c, NAMESPACES, undefined, 'tick'));
    assert.equal((await c.client.get(CONFIGMAPS, 'alive', 'cfg')).metadata.name, 'cfg');
    assert.equal((await c.client.get<Namespace>(NAMESPACES, undefined, 'alive')).status?.phase, 'Active');
  });
});
