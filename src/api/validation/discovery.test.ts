import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.ts';
import { validateCreate, validateUpdate } from './index.ts';

type Json = Record<string, unknown>;
const NS = { isNamespaced: true };
const summary = (causes: { field: string; reason: string }[]) => causes.map((c) => `${c.field} ${c.reason}`);

function slice(fields: Json = {}): KubeObject {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'api-abc12', namespace: 'default', labels: { 'kubernetes.io/service-name': 'api' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.1.5'], conditions: { ready: true }, nodeName: 'node-1', targetRef: { kind: 'Pod', name: 'api-1', namespace: 'default' } }],
    ports: [{ name: 'http', port: 3000, protocol: 'TCP' }],
    ...fields,
  };
}

const CASES: { name: string; obj: KubeObject; expect: string[] }[] = [
  { name: 'no addressType', obj: slice({ addressType: undefined }), expect: ['addressType FieldValueRequired'] },
  { name: 'an unknown addressType', obj: slice({ addressType: 'IP' }), expect: ['addressType FieldValueNotSupported'] },
  { name: 'an endpoint without addresses', obj: slice({ endpoints: [{ addresses: [] }] }), expect: ['endpoints[0].addresses FieldValueRequired'] },
  { name: 'an IPv6 address in an IPv4 slice', obj: slice({ endpoints: [{ addresses: ['fd00::5'] }] }), expect: ['endpoints[0].addresses[0] FieldValueInvalid'] },
  { name: 'a loopback address', obj: slice({ endpoints: [{ addresses: ['127.0.0.1'] }] }), expect: ['endpoints[0].addresses[0] FieldValueInvalid'] },
  { name: 'more than 100 addresses', obj: slice({ endpoints: [{ addresses: Array.from({ length: 101 }, (_, i) => `10.0.${i >> 8}.${(i & 255) + 1}`) }] }), expect: ['endpoints[0].addresses FieldValueTooMany'] },
  { name: 'more than 1000 endpoints', obj: slice({ endpoints: Array.from({ length: 1001 }, () => ({ addresses: ['10.0.0.1'] })) }), expect: ['endpoints FieldValueTooMany'] },
  { name: 'more than 100 ports', obj: slice({ ports: Array.from({ length: 101 }, (_, i) => ({ name: `p${i}`, port: 1000 + i, protocol: 'TCP' })) }), expect: ['ports FieldValueTooMany'] },
  { name: 'two ports with one name', obj: slice({ ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'http', port: 81, protocol: 'TCP' }] }), expect: ['ports[1].name FieldValueDuplicate'] },
  { name: 'an unknown port protocol', obj: slice({ ports: [{ name: 'http', port: 80, protocol: 'QUIC' }] }), expect: ['ports[0].protocol FieldValueNotSupported'] },
  { name: 'an FQDN with one label', obj: slice({ addressType: 'FQDN', endpoints: [{ addresses: ['localhost'] }] }), expect: ['endpoints[0].addresses[0] FieldValueInvalid'] },
  { name: 'a hostname with dots', obj: slice({ endpoints: [{ addresses: ['10.0.0.1'], hostname: 'a.b' }] }), expect: ['endpoints[0].hostname FieldValueInvalid'] },
];

describe('EndpointSlice validation', () => {
  it('accepts a slice as the EndpointSlice controller writes it', () => assert.deepEqual(validateCreate('EndpointSlice', slice(), NS), []));
  it('accepts an empty slice and an FQDN slice', () => {
    assert.deepEqual(validateCreate('EndpointSlice', slice({ endpoints: [], ports: [] }), NS), []);
    assert.deepEqual(validateCreate('EndpointSlice', slice({ addressType: 'FQDN', endpoints: [{ addresses: ['db.example.com'] }] }), NS), []);
  });

  for (const c of CASES) {
    it(`rejects ${c.name}`, () => assert.deepEqual(summary(validateCreate('EndpointSlice', c.obj, NS)), c.expect));
  }

  it('says how many is too many', () => {
    const [cause] = validateCreate('EndpointSlice', slice({ endpoints: Array.from({ length: 1001 }, () => ({ addresses: ['10.0.0.1'] })) }), NS);
    assert.equal(cause.message, 'Too many: 1001: must have at most 1000 items');
  });

  it('keeps addressType immutable', () => {
    assert.deepEqual(summary(validateUpdate('EndpointSlice', slice({ addressType: 'IPv6', endpoints: [] }), slice(), NS)), ['addressType FieldValueInvalid']);
  });
});

function endpoints(subsets: unknown[]): KubeObject {
  return { apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'api', namespace: 'default' }, subsets };
}

describe('Endpoints validation', () => {
  it('accepts ready and not-ready addresses with named ports', () => {
    const ep = endpoints([{ addresses: [{ ip: '10.244.1.5', nodeName: 'node-1' }], notReadyAddresses: [{ ip: '10.244.2.7' }], ports: [{ name: 'http', port: 3000, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }]);
    assert.deepEqual(validateCreate('Endpoints', ep, NS), []);
  });

  it('rejects a subset without addresses, a bad IP, and an unnamed port among several', () => {
    assert.deepEqual(summary(validateCreate('Endpoints', endpoints([{ ports: [{ port: 80, protocol: 'TCP' }] }]), NS)), ['subsets[0] FieldValueRequired']);
    // upstream reports a bad IP twice, once per check, with different words
    assert.deepEqual(validateCreate('Endpoints', endpoints([{ addresses: [{ ip: '10.0.0' }] }]), NS).map((c) => `${c.field} ${c.message}`), [
      'subsets[0].addresses[0].ip Invalid value: "10.0.0": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[0].addresses[0].ip Invalid value: "10.0.0": must be a valid IP address',
    ]);
    const twoPorts = endpoints([{ addresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'a', port: 80, protocol: 'TCP' }, { port: 81, protocol: 'TCP' }] }]);
    assert.deepEqual(summary(validateCreate('Endpoints', twoPorts, NS)), ['subsets[0].ports[1].name FieldValueRequired']);
  });
});
