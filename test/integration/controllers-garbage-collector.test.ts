// The garbage collector against the in-process API server, with a hand-made ReplicaSet and its pods
// (no ReplicaSet controller runs here): Background, Foreground and Orphan propagation.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../src/api/resources.ts';
import type { ResourceInfo } from '../../src/api/resources.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { isStatusError } from '../../src/api/status.ts';
import { createGarbageCollectorController } from '../../src/controllers/garbage-collector/garbage-collector.ts';
import { SharedInformers } from '../../src/controllers/runtime/shared-informers.ts';
import type { Controller } from '../../src/controllers/runtime/shared-informers.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

const PODS = findResource('', 'v1', 'pods')!;
const RS = findResource('apps', 'v1', 'replicasets')!;
const CONFIGMAPS = findResource('', 'v1', 'configmaps')!;
const NS = 'default';

describe('garbage collector', () => {
  let c: TestCluster;
  let informers: SharedInformers;
  let controller: Controller;
  before(async () => {
    c = await startTestCluster();
    informers = new SharedInformers(c.client);
    controller = createGarbageCollectorController(informers);
    informers.start();
    await controller.start();
  });
  after(async () => {
    controller.stop();
    informers.stop();
    await c.stop();
  });

  const exists = async (r: ResourceInfo, name: string) => {
    try {
      return await c.client.get(r, NS, name);
    } catch (e) {
      if (isStatusError(e, 'NotFound')) return undefined;
      throw e;
    }
  };
  const gone = async (r: ResourceInfo, name: string) => (await exists(r, name)) === undefined;

  async function replicaSet(name: string): Promise<KubeObject> {
    return c.client.create(RS, {
      metadata: { name, namespace: NS },
      spec: { replicas: 2, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'pause' }] } } },
    });
  }
  async function podOf(owner: KubeObject, name: string, extra: Partial<KubeObject['metadata']> = {}): Promise<KubeObject> {
    const ref = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
    return c.client.create(PODS, { metadata: { name, namespace: NS, labels: { app: owner.metadata.name! }, ownerReferences: [ref], ...extra }, spec: { containers: [{ name: 'c', image: 'pause' }] } });
  }

  it('Background: deleting the owner deletes its dependents afterwards', async () => {
    const rs = await replicaSet('bg');
    await podOf(rs, 'bg-1');
    await podOf(rs, 'bg-2');
    await c.client.delete(RS, NS, 'bg', { propagationPolicy: 'Background' });
    assert.ok(await gone(RS, 'bg'), 'the owner goes at once');
    await waitFor('dependents deleted', async () => (await gone(PODS, 'bg-1')) && (await gone(PODS, 'bg-2')));
  });

  it('Foreground: the owner waits, with its finalizer, until blocking dependents are gone', async () => {
    const rs = await replicaSet('fg');
    await podOf(rs, 'fg-1');
    await podOf(rs, 'fg-held', { finalizers: ['example.com/hold'] });
    await c.client.delete(RS, NS, 'fg', { propagationPolicy: 'Foreground' });
    await waitFor('fg-1 deleted', () => gone(PODS, 'fg-1'));
    const held = await waitFor('fg-held terminating', async () => ((await exists(PODS, 'fg-held'))?.metadata.deletionTimestamp ? true : undefined));
    assert.ok(held);
    const owner = await exists(RS, 'fg');
    assert.ok(owner?.metadata.deletionTimestamp, 'owner still there, terminating');
    assert.deepEqual(owner?.metadata.finalizers, ['foregroundDeletion']);
    await c.client.patch(PODS, NS, 'fg-held', { metadata: { finalizers: null } });
    await waitFor('owner deleted last', () => gone(RS, 'fg'));
  });

  it('Orphan: dependents stay and lose their owner reference, then the owner goes', async () => {
    const rs = await replicaSet('orph');
    await podOf(rs, 'orph-1');
    const other = await c.client.create(CONFIGMAPS, { metadata: { name: 'second-owner', namespace: NS } });
    const twoOwners = await podOf(rs, 'orph-2');
    await c.client.patch(PODS, NS, 'orph-2', {
      metadata: { ownerReferences: [...twoOwners.metadata.ownerReferences!, { apiVersion: 'v1', kind: 'ConfigMap', name: 'second-owner', uid: other.metadata.uid! }] },
    });
    await c.client.delete(RS, NS, 'orph', { propagationPolicy: 'Orphan' });
    await waitFor('owner deleted', () => gone(RS, 'orph'));
    const p1 = await exists(PODS, 'orph-1');
    const p2 = await exists(PODS, 'orph-2');
    assert.ok(p1 && !p1.metadata.deletionTimestamp, 'orph-1 kept');
    assert.equal(p1.metadata.ownerReferences, undefined);
    assert.deepEqual(p2?.metadata.ownerReferences?.map((r) => r.name), ['second-owner']);
  });

  it('deletes a dependent whose owner name now belongs to an object with another uid', async () => {
    await replicaSet('impostor');
    await c.client.create(PODS, {
      metadata: { name: 'stale-ref', namespace: NS, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'impostor', uid: '00000000-0000-0000-0000-000000000000' }] },
      spec: { containers: [{ name: 'c', image: 'pause' }] },
    });
    await waitFor('stale-ref deleted', () => gone(PODS, 'stale-ref'));
    assert.ok(await exists(RS, 'impostor'), 'the unrelated owner-named object stays');
  });

  it('keeps a dependent with one live owner and drops only the reference to the gone one', async () => {
    const a = await replicaSet('owner-a');
    const b = await replicaSet('owner-b');
    const ref = (o: KubeObject) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: o.metadata.name!, uid: o.metadata.uid! });
    await c.client.create(CONFIGMAPS, { metadata: { name: 'shared', namespace: NS, ownerReferences: [ref(a), ref(b)] } });
    await c.client.delete(RS, NS, 'owner-a');
    const cm = await waitFor('reference dropped', async () => {
      const got = await exists(CONFIGMAPS, 'shared');
      return got?.metadata.ownerReferences?.length === 1 ? got : undefined;
    });
    assert.equal(cm.metadata.ownerReferences?.[0].name, 'owner-b');
    await c.client.delete(RS, NS, 'owner-b');
    await waitFor('shared deleted with its last owner', () => gone(CONFIGMAPS, 'shared'));
  });
});
