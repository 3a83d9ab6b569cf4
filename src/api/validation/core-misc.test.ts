import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, ObjectMeta } from '../types.ts';
import { validateCreate, validateUpdate } from './index.ts';

type Json = Record<string, unknown>;
const NS = { isNamespaced: true };
const CLUSTER = { isNamespaced: false };
const summary = (causes: { field: string; reason: string }[]) => causes.map((c) => `${c.field} ${c.reason}`);

const obj = (kind: string, metadata: ObjectMeta, fields: Json = {}): KubeObject => ({ apiVersion: 'v1', kind, metadata, ...fields });
const cm = (fields: Json = {}, meta: ObjectMeta = {}) => obj('ConfigMap', { name: 'settings', namespace: 'default', ...meta }, fields);
const b64 = (s: string) => btoa(s);

const CASES: { name: string; kind: string; obj: KubeObject; isNamespaced: boolean; expect: string[] }[] = [
  { name: 'a ConfigMap without a name', kind: 'ConfigMap', obj: cm({}, { name: '' }), isNamespaced: true, expect: ['metadata.name FieldValueRequired'] },
  { name: 'a ConfigMap name with capitals', kind: 'ConfigMap', obj: cm({}, { name: 'Settings' }), isNamespaced: true, expect: ['metadata.name FieldValueInvalid'] },
  { name: 'a namespaced object without a namespace', kind: 'ConfigMap', obj: cm({}, { namespace: '' }), isNamespaced: true, expect: ['metadata.namespace FieldValueRequired'] },
  { name: 'a bad generateName', kind: 'ConfigMap', obj: cm({}, { name: 'Web-x1z2q', generateName: 'Web-' }), isNamespaced: true, expect: ['metadata.generateName FieldValueInvalid', 'metadata.name FieldValueInvalid'] },
  { name: 'a label key with two slashes', kind: 'ConfigMap', obj: cm({}, { labels: { 'a/b/c': 'x' } }), isNamespaced: true, expect: ['metadata.labels FieldValueInvalid'] },
  { name: 'a label value of 64 characters', kind: 'ConfigMap', obj: cm({}, { labels: { app: 'x'.repeat(64) } }), isNamespaced: true, expect: ['metadata.labels FieldValueInvalid'] },
  { name: 'an annotation key with a space', kind: 'ConfigMap', obj: cm({}, { annotations: { 'my note': 'x' } }), isNamespaced: true, expect: ['metadata.annotations FieldValueInvalid'] },
  { name: 'annotations above 256KiB', kind: 'ConfigMap', obj: cm({}, { annotations: { big: 'x'.repeat(256 * 1024) } }), isNamespaced: true, expect: ['metadata.annotations FieldValueTooLong'] },
  {
    name: 'an owner reference without uid',
    kind: 'ConfigMap',
    obj: cm({}, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'api', uid: '' }] }),
    isNamespaced: true,
    expect: ['metadata.ownerReferences.uid FieldValueInvalid'],
  },
  {
    name: 'two controller owner references',
    kind: 'ConfigMap',
    obj: cm({}, { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'a', uid: '1', controller: true }, { apiVersion: 'apps/v1', kind: 'Deployment', name: 'b', uid: '2', controller: true }] }),
    isNamespaced: true,
    expect: ['metadata.ownerReferences FieldValueInvalid'],
  },
  { name: 'an unqualified non-standard finalizer', kind: 'ConfigMap', obj: cm({}, { finalizers: ['keep'] }), isNamespaced: true, expect: ['metadata.finalizers[0] FieldValueInvalid'] },
  { name: 'a ConfigMap key with a slash', kind: 'ConfigMap', obj: cm({ data: { 'a/b': 'x' } }), isNamespaced: true, expect: ['data[a/b] FieldValueInvalid'] },
  { name: 'a key in both data and binaryData', kind: 'ConfigMap', obj: cm({ data: { k: 'x' }, binaryData: { k: b64('y') } }), isNamespaced: true, expect: ['data[k] FieldValueInvalid'] },
  { name: 'a Secret key with a space', kind: 'Secret', obj: obj('Secret', { name: 's', namespace: 'default' }, { type: 'Opaque', data: { 'my key': b64('x') } }), isNamespaced: true, expect: ['data[my key] FieldValueInvalid'] },
  { name: 'a TLS Secret without a key', kind: 'Secret', obj: obj('Secret', { name: 's', namespace: 'default' }, { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('cert') } }), isNamespaced: true, expect: ['data[tls.key] FieldValueRequired'] },
  { name: 'a Namespace name with dots', kind: 'Namespace', obj: obj('Namespace', { name: 'team.a' }), isNamespaced: false, expect: ['metadata.name FieldValueInvalid'] },
  { name: 'a Namespace with a namespace', kind: 'Namespace', obj: obj('Namespace', { name: 'team-a', namespace: 'default' }), isNamespaced: false, expect: ['metadata.namespace FieldValueForbidden'] },
  { name: 'a Node podCIDR that is no CIDR', kind: 'Node', obj: obj('Node', { name: 'node-1' }, { spec: { podCIDR: '10.244.1.0', podCIDRs: ['10.244.1.0'] } }), isNamespaced: false, expect: ['spec.podCIDRs[0] FieldValueInvalid'] },
  { name: 'two IPv4 podCIDRs', kind: 'Node', obj: obj('Node', { name: 'node-1' }, { spec: { podCIDRs: ['10.244.1.0/24', '10.244.2.0/24'] } }), isNamespaced: false, expect: ['spec.podCIDRs FieldValueInvalid'] },
  {
    name: 'an Event about an object in another namespace',
    kind: 'Event',
    obj: obj('Event', { name: 'api.17a', namespace: 'default' }, { involvedObject: { kind: 'Pod', name: 'api', namespace: 'other' }, reason: 'Started', type: 'Normal' }),
    isNamespaced: true,
    expect: ['involvedObject.namespace FieldValueInvalid'],
  },
  { name: 'an Event name with a slash', kind: 'Event', obj: obj('Event', { name: 'a/b', namespace: 'default' }, { involvedObject: { kind: 'Pod', name: 'api', namespace: 'default' } }), isNamespaced: true, expect: ['metadata.name FieldValueInvalid'] },
  { name: 'a Lease with zero duration', kind: 'Lease', obj: obj('Lease', { name: 'node-1', namespace: 'kube-node-lease' }, { spec: { holderIdentity: 'node-1', leaseDurationSeconds: 0 } }), isNamespaced: true, expect: ['spec.leaseDurationSeconds FieldValueInvalid'] },
  { name: 'a Lease with negative transitions', kind: 'Lease', obj: obj('Lease', { name: 'node-1', namespace: 'kube-node-lease' }, { spec: { leaseTransitions: -1 } }), isNamespaced: true, expect: ['spec.leaseTransitions FieldValueInvalid'] },
  { name: 'a ServiceAccount name with capitals', kind: 'ServiceAccount', obj: obj('ServiceAccount', { name: 'Builder', namespace: 'default' }), isNamespaced: true, expect: ['metadata.name FieldValueInvalid'] },
  { name: 'an object of an unknown kind named ".."', kind: 'Widget', obj: obj('Widget', { name: '..', namespace: 'default' }), isNamespaced: true, expect: ['metadata.name FieldValueInvalid'] },
];

describe('metadata and the smaller kinds', () => {
  it('accepts valid objects of every kind', () => {
    const valid: [string, KubeObject, boolean][] = [
      ['Namespace', obj('Namespace', { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'team-a' } }, { spec: { finalizers: ['kubernetes'] } }), false],
      ['Node', obj('Node', { name: 'node-1.local' }, { spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24', 'fd00:1::/64'], taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] } }), false],
      ['ConfigMap', cm({ data: { 'app.properties': 'a=b', KEY_NAME: 'x' }, binaryData: { 'logo.png': b64('png') } }, { finalizers: ['example.com/protect'] }), true],
      ['Secret', obj('Secret', { name: 'tls', namespace: 'default' }, { type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c'), 'tls.key': b64('k') } }), true],
      ['Secret', obj('Secret', { name: 'reg', namespace: 'default' }, { type: 'kubernetes.io/dockerconfigjson', stringData: { '.dockerconfigjson': '{"auths":{}}' } }), true],
      ['ServiceAccount', obj('ServiceAccount', { name: 'default', namespace: 'default' }), true],
      ['Event', obj('Event', { name: 'api.17a', namespace: 'default' }, { involvedObject: { kind: 'Pod', name: 'api', namespace: 'default' }, reason: 'Started', type: 'Normal' }), true],
      ['Lease', obj('Lease', { name: 'node-1', namespace: 'kube-node-lease' }, { spec: { holderIdentity: 'node-1', leaseDurationSeconds: 40 } }), true],
      ['Widget', obj('Widget', { name: 'Any_Name.x', namespace: 'default' }), true],
    ];
    for (const [kind, o, isNamespaced] of valid) assert.deepEqual(validateCreate(kind, o, { isNamespaced }), [], kind);
  });

  for (const c of CASES) {
    it(`rejects ${c.name}`, () => assert.deepEqual(summary(validateCreate(c.kind, c.obj, { isNamespaced: c.isNamespaced })), c.expect));
  }

  it('reports a missing name as upstream does', () => {
    assert.equal(validateCreate('ConfigMap', cm({}, { name: '' }), NS)[0].message, 'Required value: name or generateName is required');
  });

  it('keeps name, namespace, uid and creationTimestamp immutable', () => {
    const old = cm({}, { uid: 'u1', creationTimestamp: '2025-01-01T00:00:00Z' });
    const next = cm({}, { name: 'other', namespace: 'kube-system', uid: 'u2', creationTimestamp: '2025-02-01T00:00:00Z' });
    assert.deepEqual(summary(validateUpdate('ConfigMap', next, old, NS)), ['metadata.name FieldValueInvalid', 'metadata.namespace FieldValueInvalid', 'metadata.uid FieldValueInvalid', 'metadata.creationTimestamp FieldValueInvalid']);
  });

  it('keeps immutable ConfigMaps and Secret types unchanged', () => {
    const old = cm({ immutable: true, data: { a: '1' } });
    assert.deepEqual(summary(validateUpdate('ConfigMap', cm({ immutable: true, data: { a: '2' } }), old, NS)), ['data FieldValueForbidden']);
    const secret = (type: string) => obj('Secret', { name: 's', namespace: 'default' }, { type, data: { username: b64('u') } });
    assert.deepEqual(summary(validateUpdate('Secret', secret('kubernetes.io/basic-auth'), secret('Opaque'), NS)), ['type FieldValueInvalid']);
  });

  it('allows a node its first podCIDR but not a different one', () => {
    const bare = obj('Node', { name: 'node-1' }, { spec: {} });
    const assigned = obj('Node', { name: 'node-1' }, { spec: { podCIDR: '10.244.1.0/24', podCIDRs: ['10.244.1.0/24'] } });
    assert.deepEqual(validateUpdate('Node', assigned, bare, CLUSTER), []);
    const moved = obj('Node', { name: 'node-1' }, { spec: { podCIDR: '10.244.2.0/24', podCIDRs: ['10.244.2.0/24'] } });
    assert.deepEqual(summary(validateUpdate('Node', moved, assigned, CLUSTER)), ['spec.podCIDRs FieldValueForbidden']);
  });
});
