import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.ts';
import { applyDefaults } from './index.ts';

const samples: [string, () => KubeObject][] = [
  ['Namespace', () => ({ metadata: { name: 'ns' } })],
  ['Pod', () => ({ metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'nginx', livenessProbe: { httpGet: { port: 80 } } }], volumes: [{ name: 'v' }] } })],
  ['Service', () => ({ metadata: { name: 's' }, spec: { type: 'LoadBalancer', sessionAffinity: 'ClientIP', ports: [{ port: 80 }] } })],
  ['Deployment', () => ({ metadata: { name: 'd' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } })],
  ['ReplicaSet', () => ({ metadata: { name: 'r' }, spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx' }] } } } })],
  ['EndpointSlice', () => ({ metadata: { name: 'e' }, addressType: 'IPv4', endpoints: [], ports: [{ port: 80 }] })],
  ['Endpoints', () => ({ metadata: { name: 'e' }, subsets: [{ ports: [{ port: 80 }] }] })],
  ['Secret', () => ({ metadata: { name: 's' } })],
  ['NetworkPolicy', () => ({ metadata: { name: 'n' }, spec: { podSelector: {}, egress: [{}] } })],
  ['Node', () => ({ metadata: { name: 'n' }, status: { capacity: { cpu: '1' } } })],
];

test('applying defaults twice gives the same object as applying them once', () => {
  for (const [kind, make] of samples) {
    const once = make();
    applyDefaults(kind, once);
    const twice = structuredClone(once);
    applyDefaults(kind, twice);
    assert.deepEqual(twice, once, kind);
    assert.notDeepEqual(once, make(), `${kind} should have been defaulted`);
  }
});

test('kinds without defaults are left untouched', () => {
  for (const kind of ['ConfigMap', 'ServiceAccount', 'Event', 'Lease', 'Ingress']) {
    const obj: KubeObject = { metadata: { name: 'x' }, data: { a: 'b' } };
    applyDefaults(kind, obj);
    assert.deepEqual(obj, { metadata: { name: 'x' }, data: { a: 'b' } }, kind);
  }
});
