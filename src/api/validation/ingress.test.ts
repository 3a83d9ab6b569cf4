import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.ts';
import { validateCreate, validateUpdate } from './index.ts';

type Json = Record<string, unknown>;
const summary = (causes: { field: string; reason: string }[]) => causes.map((c) => `${c.field} ${c.reason}`);

const backend = (name: string, port: Json = { number: 80 }) => ({ service: { name, port } });

/** The Ingress from the docs: /api to the api Service, / to the web Service, TLS for the host. */
function ingress(spec: Json = {}): KubeObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'shop', namespace: 'default' },
    spec: {
      ingressClassName: 'skiff',
      tls: [{ hosts: ['shop.example.com'], secretName: 'shop-tls' }],
      rules: [
        {
          host: 'shop.example.com',
          http: {
            paths: [
              { path: '/api', pathType: 'Prefix', backend: backend('api', { number: 3000 }) },
              { path: '/', pathType: 'Prefix', backend: backend('web', { name: 'http' }) },
            ],
          },
        },
      ],
      ...spec,
    },
  };
}

const rule = (path: Json, host = 'shop.example.com') => ({ rules: [{ host, http: { paths: [path] } }] });

const CASES: { name: string; ing: KubeObject; expect: string[] }[] = [
  { name: 'neither rules nor a default backend', ing: ingress({ rules: undefined }), expect: ['spec FieldValueInvalid'] },
  { name: 'a path without pathType', ing: ingress(rule({ path: '/', backend: backend('web') })), expect: ['spec.rules[0].http.paths[0].pathType FieldValueRequired'] },
  { name: 'an unknown pathType', ing: ingress(rule({ path: '/', pathType: 'Regex', backend: backend('web') })), expect: ['spec.rules[0].http.paths[0].pathType FieldValueNotSupported'] },
  { name: 'a Prefix path not starting with /', ing: ingress(rule({ path: 'api', pathType: 'Prefix', backend: backend('web') })), expect: ['spec.rules[0].http.paths[0].path FieldValueInvalid'] },
  { name: 'an Exact path containing //', ing: ingress(rule({ path: '/a//b', pathType: 'Exact', backend: backend('web') })), expect: ['spec.rules[0].http.paths[0].path FieldValueInvalid'] },
  { name: 'a host that is an IP address', ing: ingress(rule({ path: '/', pathType: 'Prefix', backend: backend('web') }, '10.0.0.1')), expect: ['spec.rules[0].host FieldValueInvalid'] },
  { name: 'a wildcard that is not the first label', ing: ingress(rule({ path: '/', pathType: 'Prefix', backend: backend('web') }, 'shop.*.com')), expect: ['spec.rules[0].host FieldValueInvalid'] },
  { name: 'a backend with neither service nor resource', ing: ingress(rule({ path: '/', pathType: 'Prefix', backend: {} })), expect: ['spec.rules[0].http.paths[0].backend FieldValueInvalid'] },
  {
    name: 'a backend with both service and resource',
    ing: ingress(rule({ path: '/', pathType: 'Prefix', backend: { ...backend('web'), resource: { kind: 'Bucket', name: 'b' } } })),
    expect: ['spec.rules[0].http.paths[0].backend FieldValueInvalid'],
  },
  { name: 'a service port with name and number', ing: ingress(rule({ path: '/', pathType: 'Prefix', backend: backend('web', { name: 'http', number: 80 }) })), expect: ['spec.rules[0].http.paths[0].backend FieldValueInvalid'] },
  { name: 'a service port with neither', ing: ingress(rule({ path: '/', pathType: 'Prefix', backend: backend('web', {}) })), expect: ['spec.rules[0].http.paths[0].backend FieldValueRequired'] },
  { name: 'a service name that is no DNS-1035 label', ing: ingress(rule({ path: '/', pathType: 'Prefix', backend: backend('2web') })), expect: ['spec.rules[0].http.paths[0].backend.service.name FieldValueInvalid'] },
  { name: 'a service port number out of range', ing: ingress({ defaultBackend: backend('web', { number: 65536 }), rules: [] }), expect: ['spec.defaultBackend.service.port.number FieldValueInvalid'] },
  { name: 'a TLS host with capitals', ing: ingress({ tls: [{ hosts: ['Shop.example.com'] }] }), expect: ['spec.tls[0].hosts[0] FieldValueInvalid'] },
  { name: 'an ingressClassName with capitals', ing: ingress({ ingressClassName: 'Skiff' }), expect: ['spec.ingressClassName FieldValueInvalid'] },
  { name: 'a rule with an empty path list', ing: ingress({ rules: [{ host: 'shop.example.com', http: { paths: [] } }] }), expect: ['spec.rules[0].http.paths FieldValueRequired'] },
];

describe('Ingress validation', () => {
  it('accepts the shop Ingress with /api and / paths and TLS', () => assert.deepEqual(validateCreate('Ingress', ingress(), { isNamespaced: true }), []));

  it('accepts a wildcard host, an ImplementationSpecific empty path and a resource backend', () => {
    const ing = ingress({ rules: [{ host: '*.example.com', http: { paths: [{ pathType: 'ImplementationSpecific', backend: { resource: { apiGroup: 'k8s.example.com', kind: 'StorageBucket', name: 'static' } } }] } }] });
    assert.deepEqual(validateCreate('Ingress', ing, { isNamespaced: true }), []);
  });

  for (const c of CASES) {
    it(`rejects ${c.name}`, () => assert.deepEqual(summary(validateCreate('Ingress', c.ing, { isNamespaced: true })), c.expect));
  }

  it('reports a missing pathType as upstream does', () => {
    const [cause] = validateCreate('Ingress', ingress(rule({ path: '/', backend: backend('web') })), { isNamespaced: true });
    assert.equal(cause.message, 'Required value: pathType must be specified');
  });
});

function ingressClass(spec: Json): KubeObject {
  return { apiVersion: 'networking.k8s.io/v1', kind: 'IngressClass', metadata: { name: 'skiff' }, spec };
}

describe('IngressClass validation', () => {
  const CLUSTER = { isNamespaced: false };

  it('accepts a domain-prefixed controller and cluster-scoped parameters', () => {
    assert.deepEqual(validateCreate('IngressClass', ingressClass({ controller: 'skiff.dev/ingress', parameters: { apiGroup: 'skiff.dev', kind: 'Config', name: 'default' } }), CLUSTER), []);
  });

  it('requires a domain-prefixed controller', () => {
    assert.deepEqual(summary(validateCreate('IngressClass', ingressClass({}), CLUSTER)), ['spec.controller FieldValueRequired']);
    assert.deepEqual(summary(validateCreate('IngressClass', ingressClass({ controller: 'nginx' }), CLUSTER)), ['spec.controller FieldValueInvalid']);
  });

  it('forbids a namespace on a cluster-scoped class and on Cluster-scoped parameters', () => {
    const ic = ingressClass({ controller: 'skiff.dev/ingress', parameters: { kind: 'Config', name: 'x', namespace: 'default' } });
    ic.metadata.namespace = 'default';
    assert.deepEqual(summary(validateCreate('IngressClass', ic, CLUSTER)), ['metadata.namespace FieldValueForbidden', 'spec.parameters.namespace FieldValueForbidden']);
  });

  it('keeps the controller immutable', () => {
    const old = ingressClass({ controller: 'skiff.dev/ingress' });
    assert.deepEqual(summary(validateUpdate('IngressClass', ingressClass({ controller: 'other.dev/ingress' }), old, CLUSTER)), ['spec.controller FieldValueInvalid']);
  });
});

describe('Ingress updates', () => {
  it('checks the ingress.class annotation against ingressClassName only on create', () => {
    const ing = ingress();
    ing.metadata.annotations = { 'kubernetes.io/ingress.class': 'nginx' };
    assert.deepEqual(summary(validateCreate('Ingress', ing, { isNamespaced: true })), ['annotations.kubernetes.io/ingress.class FieldValueInvalid']);
    assert.deepEqual(validateUpdate('Ingress', ing, ing, { isNamespaced: true }), []);
  });

  it('validates the new rules on update', () => {
    const next = ingress(rule({ path: 'api', pathType: 'Exact', backend: backend('api') }));
    assert.deepEqual(summary(validateUpdate('Ingress', next, ingress(), { isNamespaced: true })), ['spec.rules[0].http.paths[0].path FieldValueInvalid']);
  });
});
