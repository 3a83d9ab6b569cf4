import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../api/types.ts';
import { EnvError, envReferences, renderEnv, serviceEnv } from './env.ts';
import type { EnvContext } from './env.ts';
import type { NodePod, PodContainer } from './pod-types.ts';

function pod(containers: PodContainer[], spec: Partial<NodePod['spec']> = {}): NodePod {
  return { metadata: { name: 'web-1', namespace: 'shop', uid: 'u-1', labels: { app: 'web' } }, spec: { containers, serviceAccountName: 'default', ...spec } };
}

function svc(namespace: string, name: string, clusterIP: string, ports: Service['spec']['ports'] = []): Service {
  return { metadata: { namespace, name }, spec: { clusterIP, ports } };
}

const services = [
  svc('default', 'kubernetes', '198.19.0.1', [{ name: 'https', port: 443, protocol: 'TCP' }]),
  svc('shop', 'redis-primary', '198.19.0.20', [{ port: 6379, protocol: 'TCP' }, { name: 'metrics', port: 9121, protocol: 'TCP' }]),
  svc('shop', 'headless', 'None', [{ port: 80 }]),
  svc('other', 'elsewhere', '198.19.0.30', [{ port: 80 }]),
];

function ctx(p: NodePod, extra: Partial<EnvContext> = {}): EnvContext {
  return { pod: p, nodeName: 'node-1', podIPs: ['198.18.128.5'], hostIPs: ['198.18.0.11'], services, configMap: () => undefined, secret: () => undefined, ...extra };
}

describe('serviceEnv', () => {
  it('gives Service and Docker link variables for services in the namespace and the master service', () => {
    const env = new Map(serviceEnv(services, { namespace: 'shop', hasServiceLinks: true }));
    assert.equal(env.get('KUBERNETES_SERVICE_HOST'), '198.19.0.1');
    assert.equal(env.get('KUBERNETES_SERVICE_PORT'), '443');
    assert.equal(env.get('KUBERNETES_SERVICE_PORT_HTTPS'), '443');
    assert.equal(env.get('KUBERNETES_PORT'), 'tcp://198.19.0.1:443');
    assert.equal(env.get('REDIS_PRIMARY_SERVICE_HOST'), '198.19.0.20');
    assert.equal(env.get('REDIS_PRIMARY_SERVICE_PORT'), '6379');
    assert.equal(env.get('REDIS_PRIMARY_SERVICE_PORT_METRICS'), '9121');
    assert.equal(env.get('REDIS_PRIMARY_PORT_6379_TCP'), 'tcp://198.19.0.20:6379');
    assert.equal(env.get('REDIS_PRIMARY_PORT_6379_TCP_PROTO'), 'tcp');
    assert.equal(env.get('REDIS_PRIMARY_PORT_6379_TCP_PORT'), '6379');
    assert.equal(env.get('REDIS_PRIMARY_PORT_6379_TCP_ADDR'), '198.19.0.20');
    assert.equal(env.get('REDIS_PRIMARY_PORT_9121_TCP_ADDR'), '198.19.0.20');
    assert.equal(env.has('HEADLESS_SERVICE_HOST'), false);
    assert.equal(env.has('ELSEWHERE_SERVICE_HOST'), false);
  });

  it('keeps only the master service when service links are off', () => {
    const names = serviceEnv(services, { namespace: 'shop', hasServiceLinks: false }).map(([k]) => k);
    assert.ok(names.includes('KUBERNETES_SERVICE_HOST'));
    assert.ok(!names.some((n) => n.startsWith('REDIS')));
  });
});

describe('renderEnv', () => {
  it('resolves fieldRefs, expands $(VAR) against earlier variables and lets env override service variables', () => {
    const c: PodContainer = {
      name: 'app',
      env: [
        { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
        { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
        { name: 'POD_UID', valueFrom: { fieldRef: { fieldPath: 'metadata.uid' } } },
        { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
        { name: 'POD_IPS', valueFrom: { fieldRef: { fieldPath: 'status.podIPs' } } },
        { name: 'HOST_IP', valueFrom: { fieldRef: { fieldPath: 'status.hostIP' } } },
        { name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
        { name: 'APP', valueFrom: { fieldRef: { fieldPath: "metadata.labels['app']" } } },
        { name: 'URL', value: 'http://$(POD_IP):8080/$(UNDEFINED)' },
        { name: 'KUBERNETES_SERVICE_PORT', value: '1' },
      ],
    };
    const env = new Map(renderEnv(c, ctx(pod([c]))));
    assert.equal(env.get('POD_NAME'), 'web-1');
    assert.equal(env.get('POD_NS'), 'shop');
    assert.equal(env.get('POD_UID'), 'u-1');
    assert.equal(env.get('POD_IP'), '198.18.128.5');
    assert.equal(env.get('POD_IPS'), '198.18.128.5');
    assert.equal(env.get('HOST_IP'), '198.18.0.11');
    assert.equal(env.get('NODE'), 'node-1');
    assert.equal(env.get('APP'), 'web');
    assert.equal(env.get('URL'), 'http://198.18.128.5:8080/$(UNDEFINED)');
    assert.equal(env.get('KUBERNETES_SERVICE_PORT'), '1');
    assert.equal(env.get('HOSTNAME'), 'web-1');
    assert.match(env.get('PATH')!, /\/usr\/bin/);
  });

  it('reads configMap and secret keys and envFrom with a prefix', () => {
    const c: PodContainer = {
      name: 'app',
      envFrom: [{ prefix: 'CFG_', configMapRef: { name: 'settings' } }],
      env: [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'creds', key: 'password' } } }, { name: 'MODE', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }],
    };
    assert.deepEqual(envReferences(c), { configMaps: ['settings'], secrets: ['creds'] });
    const env = new Map(renderEnv(c, ctx(pod([c]), { configMap: (n) => (n === 'settings' ? { mode: 'fast' } : undefined), secret: (n) => (n === 'creds' ? { password: 's3cret' } : undefined) })));
    assert.equal(env.get('CFG_mode'), 'fast');
    assert.equal(env.get('MODE'), 'fast');
    assert.equal(env.get('PASSWORD'), 's3cret');
  });

  it('fails with the kubelet message when a required configMap is missing, and skips an optional one', () => {
    const required: PodContainer = { name: 'a', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k' } } }] };
    assert.throws(() => renderEnv(required, ctx(pod([required]))), (e: unknown) => e instanceof EnvError && e.message === 'configmap "nope" not found');
    const optional: PodContainer = { name: 'a', env: [{ name: 'X', valueFrom: { configMapKeyRef: { name: 'nope', key: 'k', optional: true } } }] };
    assert.equal(new Map(renderEnv(optional, ctx(pod([optional])))).has('X'), false);
  });

  it('gives resourceFieldRef limits, falling back to node allocatable', () => {
    const c: PodContainer = { name: 'a', resources: { limits: { memory: '64Mi' } }, env: [{ name: 'MEM', valueFrom: { resourceFieldRef: { resource: 'limits.memory', divisor: '1Mi' } } }, { name: 'CPU', valueFrom: { resourceFieldRef: { resource: 'limits.cpu' } } }] };
    const env = new Map(renderEnv(c, ctx(pod([c]), { allocatable: { cpu: '4', memory: '8Gi' } })));
    assert.equal(env.get('MEM'), '64');
    assert.equal(env.get('CPU'), '4');
  });
});
