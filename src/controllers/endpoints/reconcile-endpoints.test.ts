import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod, Service } from '../../api/types.ts';
import type { Endpoints, EndpointSubset } from '../endpointslice/endpoints-types.ts';
import { pod, pods, service } from '../endpointslice/test-fixtures.ts';
import { reconcileEndpoints } from './reconcile-endpoints.ts';
import type { EndpointsAction, EndpointsInput } from './reconcile-endpoints.ts';

function written(action: EndpointsAction): Endpoints {
  assert.ok(action.type === 'create' || action.type === 'update', `expected a write, got ${action.type}`);
  return action.endpoints;
}

function subsetsOf(svc: Service, podList: Pod[], extra: Partial<EndpointsInput> = {}): EndpointSubset[] {
  return written(reconcileEndpoints({ service: svc, pods: podList, current: undefined, ...extra })).subsets ?? [];
}

const ref = (name: string) => ({ kind: 'Pod', namespace: 'default', name, uid: `uid-${name}` });
const addr = (ip: string, name: string, extra: object = {}) => ({ ip, targetRef: ref(name), nodeName: 'node-1', ...extra });
const HTTP = [{ name: 'http', port: 8080, protocol: 'TCP' }];

describe('subsets', () => {
  const cases: { name: string; svc?: Partial<Service['spec']>; pods: Pod[]; expected: EndpointSubset[] }[] = [
    {
      name: 'ready and not-ready pods share a subset, sorted by IP',
      pods: [pod('b', { ip: '198.18.128.2', ready: false }), pod('a', { ip: '198.18.128.1' }), pod('c', { ip: '198.18.128.3' })],
      expected: [{ addresses: [addr('198.18.128.1', 'a'), addr('198.18.128.3', 'c')], notReadyAddresses: [addr('198.18.128.2', 'b')], ports: HTTP }],
    },
    { name: 'terminating pods are left out', pods: [pod('a', { ip: '198.18.128.1', isTerminating: true })], expected: [] },
    { name: 'pods without IP or in a terminal phase are left out', pods: [pod('a', { ip: null }), pod('b', { phase: 'Succeeded' })], expected: [] },
    {
      name: 'publishNotReadyAddresses publishes not-ready and terminating pods as ready',
      svc: { publishNotReadyAddresses: true },
      pods: [pod('a', { ip: '198.18.128.1', ready: false }), pod('b', { ip: '198.18.128.2', isTerminating: true })],
      expected: [{ addresses: [addr('198.18.128.1', 'a'), addr('198.18.128.2', 'b')], ports: HTTP }],
    },
    {
      name: 'a named target port resolving differently per pod gives one subset per port',
      svc: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] },
      pods: [pod('a', { ip: '198.18.128.1', ports: [{ name: 'web', containerPort: 8080 }] }), pod('b', { ip: '198.18.128.2', ports: [{ name: 'web', containerPort: 9090 }] })],
      expected: [
        { addresses: [addr('198.18.128.1', 'a')], ports: HTTP },
        { addresses: [addr('198.18.128.2', 'b')], ports: [{ name: 'http', port: 9090, protocol: 'TCP' }] },
      ],
    },
    {
      name: 'ports offered by different pods are split as upstream repacks them',
      svc: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }, { name: 'metrics', port: 9100, protocol: 'TCP', targetPort: 'metrics' }] },
      pods: [pod('a', { ip: '198.18.128.1', ports: [{ name: 'http', containerPort: 8080 }, { name: 'metrics', containerPort: 9100 }] }), pod('b', { ip: '198.18.128.2' })],
      expected: [
        { addresses: [addr('198.18.128.1', 'a'), addr('198.18.128.2', 'b')], ports: HTTP },
        { addresses: [addr('198.18.128.1', 'a')], ports: [{ name: 'metrics', port: 9100, protocol: 'TCP' }] },
      ],
    },
    { name: 'a headless service without ports publishes addresses alone', svc: { clusterIP: 'None', ports: [] }, pods: [pod('a', { ip: '198.18.128.1' })], expected: [{ addresses: [addr('198.18.128.1', 'a')] }] },
    { name: 'a non-headless service without ports publishes nothing', svc: { ports: [] }, pods: [pod('a', { ip: '198.18.128.1' })], expected: [] },
    {
      name: 'hostname is set when the subdomain names the service',
      pods: [pod('a', { ip: '198.18.128.1', hostname: 'h0', subdomain: 'web' })],
      expected: [{ addresses: [addr('198.18.128.1', 'a', { hostname: 'h0' })], ports: HTTP }],
    },
  ];
  for (const c of cases) {
    it(c.name, () => assert.deepEqual(subsetsOf(service({ spec: c.svc }), c.pods), c.expected));
  }
});

describe('the Endpoints object', () => {
  it('is created named after the service, with its labels, the managed-by label and the trigger time', () => {
    const ep = written(reconcileEndpoints({ service: service({ labels: { team: 'blue' }, spec: { clusterIP: 'None' } }), pods: [pod('a')], current: undefined, triggerTime: '2025-03-01T10:00:00Z' }));
    assert.deepEqual(ep.metadata, {
      name: 'web',
      namespace: 'default',
      labels: { team: 'blue', 'service.kubernetes.io/headless': '', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': '2025-03-01T10:00:00Z' },
    });
  });

  it('is not rewritten when nothing changed, whatever the order, resourceVersions or trigger time', () => {
    const podList = [pod('a', { ip: '198.18.128.1' }), pod('b', { ip: '198.18.128.2', ready: false })];
    const current = written(reconcileEndpoints({ service: service(), pods: podList, current: undefined }));
    current.metadata.resourceVersion = '7';
    const shuffled = structuredClone(current);
    shuffled.subsets![0].addresses!.reverse();
    shuffled.subsets![0].notReadyAddresses![0].targetRef!.resourceVersion = '99';
    assert.deepEqual(reconcileEndpoints({ service: service(), pods: [...podList].reverse(), current: shuffled, triggerTime: '2031-01-01T00:00:00Z' }), { type: 'none' });
  });

  it('is updated in place, keeping its metadata, when a pod becomes ready or labels change', () => {
    const current = written(reconcileEndpoints({ service: service(), pods: [pod('a', { ready: false })], current: undefined }));
    current.metadata.resourceVersion = '7';
    const ready = written(reconcileEndpoints({ service: service(), pods: [pod('a')], current }));
    assert.equal(ready.metadata.resourceVersion, '7');
    assert.equal(ready.subsets![0].addresses!.length, 1);
    const relabelled = written(reconcileEndpoints({ service: service({ labels: { tier: 'x' } }), pods: [pod('a', { ready: false })], current }));
    assert.equal(relabelled.metadata.labels!.tier, 'x');
  });

  it('is truncated to the capacity with the over-capacity annotation, and then left alone', () => {
    const podList = [...pods(8), ...pods(12).map((p, i) => pod(`nr-${i}`, { ip: `198.18.130.${i + 1}`, ready: false }))];
    const ep = written(reconcileEndpoints({ service: service(), pods: podList, current: undefined, maxCapacity: 10 }));
    assert.equal(ep.metadata.annotations!['endpoints.kubernetes.io/over-capacity'], 'truncated');
    assert.deepEqual([ep.subsets![0].addresses!.length, ep.subsets![0].notReadyAddresses!.length], [8, 2]);
    assert.deepEqual(reconcileEndpoints({ service: service(), pods: podList, current: ep, maxCapacity: 10 }), { type: 'none' });
    const fewer = written(reconcileEndpoints({ service: service(), pods: podList.slice(0, 9), current: ep, maxCapacity: 10 }));
    assert.equal(fewer.metadata.annotations?.['endpoints.kubernetes.io/over-capacity'], undefined);
  });

  const ours = { metadata: { name: 'web', namespace: 'default', labels: { 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' } }, subsets: [] };
  const users = { metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ port: 80 }] }] };
  const lifecycle: [string, Service | undefined, Endpoints | undefined, EndpointsAction['type']][] = [
    ['is deleted with its service', undefined, users, 'delete'],
    ['is left alone when neither exists', undefined, undefined, 'none'],
    ['is deleted when the service loses its selector and the object is ours', service({ spec: { selector: undefined } }), ours, 'delete'],
    ['is left alone when a selector-less service has user-managed Endpoints', service({ spec: { selector: undefined } }), users, 'none'],
    ['is left alone for an ExternalName service with user-managed Endpoints', service({ spec: { type: 'ExternalName' } }), users, 'none'],
    ['replaces user data once the service has a selector', service(), users, 'update'],
  ];
  for (const [name, svc, current, type] of lifecycle) {
    it(name, () => assert.equal(reconcileEndpoints({ service: svc, pods: [pod('a')], current }).type, type));
  }
});
