// @kubernetes/client-node, the official JavaScript client, as a second client: list, watch, create, patch, delete.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

describe('@kubernetes/client-node against the API server', () => {
  let c: TestCluster;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  before(async () => {
    c = await startTestCluster();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(c.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
  });
  after(async () => c.stop());

  it('lists namespaces', async () => {
    const list = await core.listNamespace();
    assert.deepEqual(list.items.map((n) => n.metadata?.name).sort(), ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
  });

  it('creates, patches and deletes a Service, and a watch sees each step in order', async () => {
    const events: string[] = [];
    const from = (await core.listNamespacedService({ namespace: 'default' })).metadata?.resourceVersion;
    const seenDelete = new Promise<void>((resolve, reject) => {
      void new k8s.Watch(kc)
        .watch('/api/v1/namespaces/default/services', { labelSelector: 'client=node', resourceVersion: from }, (type, obj: k8s.V1Service) => {
          events.push(`${type} ${obj.metadata?.name} ${obj.metadata?.labels?.stage ?? ''}`.trim());
          if (type === 'DELETED') resolve();
        }, (err) => err && reject(err))
        .then((req) => after(() => req.abort()));
    });
    const created = await core.createNamespacedService({
      namespace: 'default',
      body: { metadata: { name: 'from-client-node', labels: { client: 'node' } }, spec: { selector: { app: 'x' }, ports: [{ port: 8080 }] } },
    });
    assert.match(created.spec?.clusterIP ?? '', /^198\.19\./);
    const patched = await core.patchNamespacedService(
      { name: 'from-client-node', namespace: 'default', body: { metadata: { labels: { stage: 'patched' } } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
    );
    assert.equal(patched.metadata?.labels?.stage, 'patched');
    await core.deleteNamespacedService({ name: 'from-client-node', namespace: 'default' });
    await seenDelete;
    assert.deepEqual(events, ['ADDED from-client-node', 'MODIFIED from-client-node patched', 'DELETED from-client-node patched']);
    await assert.rejects(core.readNamespacedService({ name: 'from-client-node', namespace: 'default' }), (e: { code?: number }) => e.code === 404);
  });

  it('works with the typed apps client', async () => {
    const apps = kc.makeApiClient(k8s.AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: 'default',
      body: {
        metadata: { name: 'web' },
        spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'registry.k8s.io/e2e-test-images/agnhost:2.53' }] } } },
      },
    });
    const d = await apps.readNamespacedDeployment({ name: 'web', namespace: 'default' });
    assert.equal(d.spec?.replicas, 1);
    assert.equal(d.spec?.strategy?.type, 'RollingUpdate');
  });
});
