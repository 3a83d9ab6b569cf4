import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.ts';
import { applyDefaults } from './index.ts';

test('a network policy without policyTypes implies Ingress, plus Egress when it has egress rules', () => {
  const ingressOnly: KubeObject = { metadata: { name: 'a' }, spec: { podSelector: {}, ingress: [{ ports: [{ port: 80 }] }] } };
  applyDefaults('NetworkPolicy', ingressOnly);
  assert.deepEqual(ingressOnly.spec, { podSelector: {}, ingress: [{ ports: [{ port: 80, protocol: 'TCP' }] }], policyTypes: ['Ingress'] });

  const both: KubeObject = { metadata: { name: 'b' }, spec: { podSelector: {}, egress: [{ ports: [{ port: 53, protocol: 'UDP' }] }] } };
  applyDefaults('NetworkPolicy', both);
  assert.deepEqual((both.spec as any).policyTypes, ['Ingress', 'Egress']);
  assert.deepEqual((both.spec as any).egress[0].ports, [{ port: 53, protocol: 'UDP' }]);

  const explicit: KubeObject = { metadata: { name: 'c' }, spec: { podSelector: {}, policyTypes: ['Egress'], egress: [] } };
  applyDefaults('NetworkPolicy', explicit);
  assert.deepEqual((explicit.spec as any).policyTypes, ['Egress']);
});

test('endpoint slice ports get protocol TCP and an empty name; endpoint conditions stay as given', () => {
  const slice: KubeObject = {
    metadata: { name: 'web-abc' },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'], conditions: { ready: false } }],
    ports: [{ port: 80 }, { name: 'dns', port: 53, protocol: 'UDP' }],
  };
  applyDefaults('EndpointSlice', slice);
  assert.deepEqual(slice.ports, [{ port: 80, name: '', protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }]);
  assert.deepEqual(slice.endpoints, [{ addresses: ['10.0.0.1'] }, { addresses: ['10.0.0.2'], conditions: { ready: false } }]);
});

test('ingress class parameters default to cluster scope', () => {
  const ic: KubeObject = { metadata: { name: 'skiff' }, spec: { controller: 'x/y', parameters: { kind: 'Config', name: 'c' } } };
  applyDefaults('IngressClass', ic);
  assert.deepEqual((ic.spec as any).parameters, { kind: 'Config', name: 'c', scope: 'Cluster' });
});
