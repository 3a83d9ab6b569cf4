import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES } from '../../api/resources.ts';
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { buildTable } from './index.ts';

const now = new Date('2025-06-01T12:00:00Z');
const resource = (kind: string) => RESOURCES.find((r) => r.kind === kind)!;
const svc: KubeObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default', uid: 'u1', resourceVersion: '42', creationTimestamp: '2025-06-01T11:55:00Z', labels: { app: 'web' } },
  spec: { type: 'ClusterIP', clusterIPs: ['198.19.0.12'], ports: [{ port: 80, protocol: 'TCP' }] },
};

test('a list table carries columns, rows with partial object metadata, resourceVersion and continue', () => {
  const t = buildTable(resource('Service'), [svc], { now, includeObject: 'Metadata', resourceVersion: '99', continueToken: 'abc' });
  assert.equal(t.kind, 'Table');
  assert.equal(t.apiVersion, 'meta.k8s.io/v1');
  assert.deepEqual(t.metadata, { resourceVersion: '99', continue: 'abc' });
  assert.deepEqual((t.columnDefinitions as any[])[0], {
    name: 'Name',
    type: 'string',
    format: 'name',
    description: 'Name must be unique within a namespace.',
    priority: 0,
  });
  assert.deepEqual(t.rows, [
    {
      cells: ['web', 'ClusterIP', '198.19.0.12', '<none>', '80/TCP', '5m', '<none>'],
      object: { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: svc.metadata },
    },
  ]);
});

test('includeObject=Object embeds the whole object, None embeds nothing', () => {
  const full = buildTable(resource('Service'), [svc], { now, includeObject: 'Object' });
  assert.deepEqual((full.rows as any[])[0].object, svc);
  const bare = { metadata: { name: 'cfg', creationTimestamp: '2025-06-01T11:55:00Z' }, data: {} };
  const filled = buildTable(resource('ConfigMap'), [bare], { now, includeObject: 'Object' });
  assert.deepEqual((filled.rows as any[])[0].object, { apiVersion: 'v1', kind: 'ConfigMap', ...bare });
  const none = buildTable(resource('Service'), [svc], { now, includeObject: 'None' });
  assert.deepEqual(none.rows, [{ cells: ['web', 'ClusterIP', '198.19.0.12', '<none>', '80/TCP', '5m', '<none>'] }]);
});

test('a single-object table takes the object resourceVersion; an empty list has none', () => {
  assert.deepEqual(buildTable(resource('Service'), [svc], { now, includeObject: 'Metadata' }).metadata, { resourceVersion: '42' });
  const empty = buildTable(resource('Pod'), [], { now, includeObject: 'Metadata' });
  assert.deepEqual(empty.metadata, {});
  assert.deepEqual(empty.rows, []);
  assert.equal((empty.columnDefinitions as any[]).length, 9);
});

test('finished pods carry row conditions', () => {
  const p: KubeObject = { metadata: { name: 'job-x', creationTimestamp: '2025-06-01T11:00:00Z' }, spec: { containers: [{ name: 'c' }] }, status: { phase: 'Succeeded' } };
  const row = (buildTable(resource('Pod'), [p], { now, includeObject: 'None' }).rows as any[])[0];
  assert.equal(row.conditions[0].type, 'Completed');
});

test('a kind without a printer gets Name and Age', () => {
  const widget: ResourceInfo = { ...resource('ConfigMap'), group: 'example.com', kind: 'Widget', plural: 'widgets', singular: 'widget' };
  const t = buildTable(widget, [{ metadata: { name: 'w', creationTimestamp: '2025-06-01T09:00:00Z' } }], { now, includeObject: 'None' });
  assert.deepEqual((t.columnDefinitions as any[]).map((c) => c.name), ['Name', 'Age']);
  assert.deepEqual((t.rows as any[])[0].cells, ['w', '3h']);
});

test('every served kind prints as many cells as it has columns', () => {
  for (const r of RESOURCES) {
    const t = buildTable(r, [{ metadata: { name: 'x', creationTimestamp: '2025-06-01T11:00:00Z' } }], { now, includeObject: 'None' });
    const cols = t.columnDefinitions as { priority: number }[];
    const cells = (t.rows as { cells: unknown[] }[])[0].cells;
    assert.equal(cells.length, cols.length, r.kind);
    assert.ok(cols.every((c) => c.priority === 0 || c.priority === 1), r.kind);
  }
});
