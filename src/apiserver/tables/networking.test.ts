import { test } from 'node:test';
import assert from 'node:assert/strict';
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter, leasePrinter, networkPolicyPrinter } from './networking.ts';

const now = new Date('2025-06-01T12:00:00Z');
const meta = (name: string) => ({ name, namespace: 'default', creationTimestamp: '2025-05-29T08:00:00Z' });

test('endpoint slices print address type, ports and addresses', () => {
  const slice = {
    metadata: meta('web-x7k2p'),
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.0.8'] }, { addresses: ['10.244.0.9'] }, { addresses: ['10.244.1.2'] }, { addresses: ['10.244.1.3'] }],
    ports: [{ name: '', port: 80, protocol: 'TCP' }, { name: 'metrics', protocol: 'TCP' }],
  };
  assert.deepEqual(endpointSlicePrinter.cells(slice, now), ['web-x7k2p', 'IPv4', '80,metrics', '10.244.0.8,10.244.0.9,10.244.1.2 + 1 more...', '3d4h']);
  const empty = { metadata: meta('web-empty'), addressType: 'IPv4', endpoints: null, ports: null };
  assert.deepEqual(endpointSlicePrinter.cells(empty, now), ['web-empty', 'IPv4', '<unset>', '<unset>', '3d4h']);
});

test('ingresses print class, hosts, address and ports', () => {
  const ing = {
    metadata: meta('shop'),
    spec: { ingressClassName: 'skiff', rules: [{ host: 'a.example' }, { host: 'b.example' }], tls: [{ hosts: ['a.example'] }] },
    status: { loadBalancer: { ingress: [{ ip: '192.0.2.5' }] } },
  };
  assert.deepEqual(ingressPrinter.cells(ing, now), ['shop', 'skiff', 'a.example,b.example', '192.0.2.5', '80, 443', '3d4h']);
  const catchAll = { metadata: meta('all'), spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } } };
  assert.deepEqual(ingressPrinter.cells(catchAll, now), ['all', '<none>', '*', '', '80', '3d4h']);
  const many = { metadata: meta('many'), spec: { rules: [{ host: 'a' }, {}, { host: 'c' }, { host: 'd' }, { host: 'e' }] } };
  assert.equal(ingressPrinter.cells(many, now)[2], 'a,c,d + 2 more...');
});

test('ingress classes, network policies and leases print their one detail column', () => {
  assert.deepEqual(
    ingressClassPrinter.cells({ metadata: meta('skiff'), spec: { controller: 'skiff.dev/ingress', parameters: { apiGroup: 'k8s.example.com', kind: 'IngressParameters', name: 'p' } } }, now),
    ['skiff', 'skiff.dev/ingress', 'IngressParameters.k8s.example.com/p', '3d4h'],
  );
  assert.deepEqual(ingressClassPrinter.cells({ metadata: meta('plain'), spec: { controller: 'x/y' } }, now), ['plain', 'x/y', '<none>', '3d4h']);
  assert.deepEqual(networkPolicyPrinter.cells({ metadata: meta('deny'), spec: { podSelector: {} } }, now), ['deny', '<none>', '3d4h']);
  assert.deepEqual(networkPolicyPrinter.cells({ metadata: meta('web'), spec: { podSelector: { matchLabels: { app: 'web' } } } }, now), ['web', 'app=web', '3d4h']);
  assert.deepEqual(leasePrinter.cells({ metadata: meta('node-1'), spec: { holderIdentity: 'node-1' } }, now), ['node-1', 'node-1', '3d4h']);
  assert.deepEqual(leasePrinter.cells({ metadata: meta('free'), spec: {} }, now), ['free', '', '3d4h']);
});
