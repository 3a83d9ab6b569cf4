// Verbs beyond the basics: 410 Expired for a too-old watch, deletecollection, field selectors, dryRun on every write.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findResource } from '../../src/api/resources.ts';
import { StatusError } from '../../src/api/status.ts';
import { SqliteStore } from '../../src/storage/sqlite-store.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

const configmaps = findResource('', 'v1', 'configmaps')!;
const pods = findResource('', 'v1', 'pods')!;
const events = findResource('', 'v1', 'events')!;

describe('API server verbs', () => {
  let c: TestCluster;
  before(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-it-'));
    c = await startTestCluster({ dir, store: SqliteStore.open(join(dir, 'state.db'), { historyLimit: 20 }) });
  });
  after(async () => c.stop());

  it('answers a watch from a resourceVersion older than the kept history with a 410 Expired event', async () => {
    const old = (await c.client.list(configmaps, 'default')).metadata.resourceVersion!;
    for (let i = 0; i < 40; i++) await c.client.create(configmaps, { metadata: { name: `churn-${i}`, namespace: 'default' } });
    const stream = await c.client.watch(configmaps, 'default', { resourceVersion: old });
    const first = await stream[Symbol.asyncIterator]().next();
    stream.stop();
    assert.equal(first.value.type, 'ERROR');
    assert.equal(first.value.object.code, 410);
    assert.equal(first.value.object.reason, 'Expired');
  });

  it('deletes a collection by label selector and leaves the rest', async () => {
    for (const [name, group] of [['dc-a', 'x'], ['dc-b', 'x'], ['dc-c', 'y']]) {
      await c.client.create(configmaps, { metadata: { name, namespace: 'default', labels: { group } } });
    }
    await c.client.request('DELETE', `${c.client.path(configmaps, 'default')}?labelSelector=group%3Dx`);
    const left = (await c.client.list(configmaps, 'default', { labelSelector: 'group' })).items.map((o) => o.metadata.name);
    assert.deepEqual(left, ['dc-c']);
  });

  it('selects pods by spec.nodeName and status.phase, and events by involvedObject fields', async () => {
    await c.client.create(pods, { metadata: { name: 'on-n1', namespace: 'default' }, spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'pause' }] } });
    await c.client.create(pods, { metadata: { name: 'unbound', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'pause' }] } });
    const onN1 = await c.client.list(pods, undefined, { fieldSelector: 'spec.nodeName=n1' });
    assert.deepEqual(onN1.items.map((p) => p.metadata.name), ['on-n1']);
    const unbound = await c.client.list(pods, 'default', { fieldSelector: 'spec.nodeName=,status.phase=Pending' });
    assert.deepEqual(unbound.items.map((p) => p.metadata.name), ['unbound']);
    await c.client.create(events, { metadata: { name: 'ev1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'on-n1', namespace: 'default' }, reason: 'Test', message: 'hello', type: 'Normal' });
    const evs = await c.client.list(events, 'default', { fieldSelector: 'involvedObject.kind=Pod,involvedObject.name=on-n1' });
    assert.deepEqual(evs.items.map((e) => e.metadata.name), ['ev1']);
    const none = await c.client.list(events, 'default', { fieldSelector: 'involvedObject.name!=on-n1' });
    assert.equal(none.items.length, 0);
  });

  it('does not persist dryRun=All updates, patches and deletes', async () => {
    const cm = await c.client.create(configmaps, { metadata: { name: 'dry-target', namespace: 'default' }, data: { v: '1' } });
    const base = c.client.path(configmaps, 'default', 'dry-target');
    const put = await c.client.request<{ data: { v: string } }>('PUT', `${base}?dryRun=All`, { body: { ...cm, data: { v: 'put' } } });
    assert.equal(put.data.v, 'put');
    const patched = await c.client.request<{ data: { v: string } }>('PATCH', `${base}?dryRun=All`, { body: { data: { v: 'patched' } }, contentType: 'application/merge-patch+json' });
    assert.equal(patched.data.v, 'patched');
    await c.client.request('DELETE', `${base}?dryRun=All`);
    const got = await c.client.get(configmaps, 'default', 'dry-target');
    assert.deepEqual(got.data, { v: '1' });
    assert.equal(got.metadata.resourceVersion, cm.metadata.resourceVersion);
  });

  it('refuses an unknown dryRun value and an unknown field selector with 400', async () => {
    await assert.rejects(c.client.request('POST', `${c.client.path(configmaps, 'default')}?dryRun=Some`, { body: { metadata: { name: 'x' } } }), (e: StatusError) => e.code === 400);
    await assert.rejects(c.client.list(configmaps, 'default', { fieldSelector: 'data.v=1' }), (e: StatusError) => e.code === 400);
  });
});

describe('Service type changes', () => {
  let c: TestCluster;
  const services = findResource('', 'v1', 'services')!;
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => c.stop());

  it('drops and releases nodePorts when a NodePort Service becomes ClusterIP, and allocates again on the way back', async () => {
    const np = await c.client.create(services, { metadata: { name: 'flip', namespace: 'default' }, spec: { type: 'NodePort', selector: { app: 'f' }, ports: [{ port: 80 }] } });
    const port = (np.spec as { ports: { nodePort: number }[] }).ports[0].nodePort;
    assert.ok(port >= 30000 && port <= 32767);
    const used = c.allocator.usedNodePorts;
    const cip = await c.client.patch(services, 'default', 'flip', { spec: { type: 'ClusterIP' } });
    assert.equal((cip.spec as { ports: { nodePort?: number }[] }).ports[0].nodePort, undefined);
    assert.equal(c.allocator.usedNodePorts, used - 1);
    const back = await c.client.patch(services, 'default', 'flip', { spec: { type: 'LoadBalancer' } });
    assert.ok((back.spec as { ports: { nodePort: number }[] }).ports[0].nodePort >= 30000);
    const ext = await c.client.patch(services, 'default', 'flip', { spec: { type: 'ExternalName', externalName: 'example.test', selector: null } });
    assert.equal((ext.spec as { clusterIP?: string }).clusterIP, undefined);
    assert.equal((ext.spec as { ports: { nodePort?: number }[] }).ports[0].nodePort, undefined);
  });
});
