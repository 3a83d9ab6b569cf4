import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.ts';
import { applyDefaults } from './index.ts';

function svc(spec: Record<string, unknown>, status?: unknown): KubeObject {
  const o: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'default' }, spec };
  if (status) o.status = status;
  return o;
}

test('a namespace gets its name label, the kubernetes finalizer and the Active phase', () => {
  const ns: KubeObject = { metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'wrong', env: 'dev' } } };
  applyDefaults('Namespace', ns);
  assert.deepEqual(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a', env: 'dev' });
  assert.deepEqual(ns.spec, { finalizers: ['kubernetes'] });
  assert.deepEqual(ns.status, { phase: 'Active' });
});

test('a namespace keeps other finalizers and does not regain kubernetes once it is being deleted', () => {
  const ns: KubeObject = { metadata: { name: 'a' }, spec: { finalizers: ['example.com/x'] } };
  applyDefaults('Namespace', ns);
  assert.deepEqual(ns.spec, { finalizers: ['example.com/x', 'kubernetes'] });
  const dying: KubeObject = { metadata: { name: 'b', deletionTimestamp: '2025-01-01T00:00:00Z' }, spec: {}, status: { phase: 'Terminating' } };
  applyDefaults('Namespace', dying);
  assert.deepEqual(dying.spec, {});
  assert.deepEqual(dying.status, { phase: 'Terminating' });
});

test('a nameless namespace (generateName) gets no name label', () => {
  const ns: KubeObject = { metadata: { generateName: 'x-' } };
  applyDefaults('Namespace', ns);
  assert.equal(ns.metadata.labels, undefined);
});

test('a ClusterIP service gets type, protocol, targetPort, affinity and internal policy', () => {
  const s = svc({ selector: { app: 'web' }, ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] });
  applyDefaults('Service', s);
  assert.deepEqual(s.spec, {
    selector: { app: 'web' },
    ports: [
      { port: 80, protocol: 'TCP', targetPort: 80 },
      { port: 53, protocol: 'UDP', targetPort: 'dns' },
    ],
    sessionAffinity: 'None',
    type: 'ClusterIP',
    internalTrafficPolicy: 'Cluster',
  });
});

test('NodePort and LoadBalancer services get external traffic policy, LB node port allocation and ipMode', () => {
  const np = svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] });
  applyDefaults('Service', np);
  assert.equal((np.spec as any).externalTrafficPolicy, 'Cluster');
  assert.equal((np.spec as any).allocateLoadBalancerNodePorts, undefined);
  const lb = svc({ type: 'LoadBalancer', ports: [{ port: 443 }] }, { loadBalancer: { ingress: [{ ip: '192.0.2.1' }, { hostname: 'lb.example' }] } });
  applyDefaults('Service', lb);
  assert.equal((lb.spec as any).externalTrafficPolicy, 'Cluster');
  assert.equal((lb.spec as any).allocateLoadBalancerNodePorts, true);
  assert.deepEqual((lb.status as any).loadBalancer.ingress, [{ ip: '192.0.2.1', ipMode: 'VIP' }, { hostname: 'lb.example' }]);
  const withExternalIPs = svc({ externalIPs: ['198.51.100.7'], ports: [{ port: 80 }] });
  applyDefaults('Service', withExternalIPs);
  assert.equal((withExternalIPs.spec as any).externalTrafficPolicy, 'Cluster');
});

test('an ExternalName service gets no traffic policies', () => {
  const s = svc({ type: 'ExternalName', externalName: 'example.com' });
  applyDefaults('Service', s);
  assert.deepEqual(s.spec, { type: 'ExternalName', externalName: 'example.com', sessionAffinity: 'None' });
});

test('ClientIP affinity gets the 10800s timeout; None drops any affinity config', () => {
  const sticky = svc({ sessionAffinity: 'ClientIP', ports: [{ port: 80 }] });
  applyDefaults('Service', sticky);
  assert.deepEqual((sticky.spec as any).sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
  const custom = svc({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
  applyDefaults('Service', custom);
  assert.deepEqual((custom.spec as any).sessionAffinityConfig, { clientIP: { timeoutSeconds: 60 } });
  const none = svc({ sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } });
  applyDefaults('Service', none);
  assert.equal((none.spec as any).sessionAffinityConfig, undefined);
});

test('secrets default to Opaque, endpoints ports to TCP, node allocatable to capacity', () => {
  const secret: KubeObject = { metadata: { name: 's' }, data: {} };
  applyDefaults('Secret', secret);
  assert.equal(secret.type, 'Opaque');
  const tls: KubeObject = { metadata: { name: 't' }, type: 'kubernetes.io/tls' };
  applyDefaults('Secret', tls);
  assert.equal(tls.type, 'kubernetes.io/tls');

  const ep: KubeObject = { metadata: { name: 'web' }, subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }] }] };
  applyDefaults('Endpoints', ep);
  assert.deepEqual((ep.subsets as any)[0].ports, [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }]);

  const node: KubeObject = { metadata: { name: 'n' }, status: { capacity: { cpu: '4', pods: '110' } } };
  applyDefaults('Node', node);
  assert.deepEqual((node.status as any).allocatable, { cpu: '4', pods: '110' });
});
