import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deploymentPrinter, replicaSetPrinter } from './apps.ts';

const now = new Date('2025-06-01T12:00:00Z');
const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: '2025-05-29T08:00:00Z' });
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27' }, { name: 'log', image: 'busybox' }] } };

test('deployments print ready/desired, up-to-date, available and the wide template columns', () => {
  const d = {
    metadata: meta('web'),
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template },
    status: { replicas: 3, readyReplicas: 2, updatedReplicas: 3, availableReplicas: 2 },
  };
  assert.deepEqual(deploymentPrinter.cells(d, now), ['web', '2/3', 3, 2, '3d4h', 'web,log', 'nginx:1.27,busybox', 'app=web']);
  const fresh = { metadata: meta('new'), spec: { replicas: 1, selector: {}, template }, status: {} };
  assert.deepEqual(deploymentPrinter.cells(fresh, now).slice(1, 4), ['0/1', 0, 0]);
  assert.equal(deploymentPrinter.cells(fresh, now)[7], '');
  assert.deepEqual(deploymentPrinter.columns.map((c) => c.name), ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
});

test('replica sets print desired, current and ready as integers', () => {
  const rs = {
    metadata: meta('web-7d4b9c'),
    spec: { replicas: 3, selector: { matchLabels: { app: 'web', 'pod-template-hash': '7d4b9c' } }, template },
    status: { replicas: 3, readyReplicas: 1 },
  };
  assert.deepEqual(replicaSetPrinter.cells(rs, now), ['web-7d4b9c', 3, 3, 1, '3d4h', 'web,log', 'nginx:1.27,busybox', 'app=web,pod-template-hash=7d4b9c']);
  assert.deepEqual(replicaSetPrinter.columns.slice(1, 4).map((c) => c.type), ['integer', 'integer', 'integer']);
});
