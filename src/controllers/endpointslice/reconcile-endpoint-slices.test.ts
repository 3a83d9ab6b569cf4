import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoint, EndpointSlice, Pod, Service } from '../../api/types.ts';
import { reconcileEndpointSlices } from './reconcile-endpoint-slices.ts';
import type { EndpointSliceInput } from './reconcile-endpoint-slices.ts';
import { applySliceChanges, NODES, pod, pods, service } from './test-fixtures.ts';

function run(svc: Service | undefined, podList: Pod[], slices: EndpointSlice[] = [], extra: Partial<EndpointSliceInput> = {}) {
  return reconcileEndpointSlices({ service: svc, pods: podList, slices, nodes: NODES, maxEndpointsPerSlice: 100, ...extra });
}

/** Reconciles from nothing and returns the slices the API server would then hold. */
function settle(svc: Service, podList: Pod[], extra: Partial<EndpointSliceInput> = {}): EndpointSlice[] {
  return applySliceChanges([], run(svc, podList, [], extra));
}

const byIP = (slice: EndpointSlice) => Object.fromEntries((slice.endpoints ?? []).map((e) => [e.addresses[0], e]));

describe('endpoints of one slice', () => {
  const cases: { name: string; svc?: Partial<Service['spec']>; pod: Pod; expected: Partial<Endpoint> | undefined }[] = [
    { name: 'a ready pod is ready and serving', pod: pod('a', { ip: '198.18.128.5' }), expected: { conditions: { ready: true, serving: true, terminating: false } } },
    { name: 'a not-ready pod is neither ready nor serving', pod: pod('a', { ip: '198.18.128.5', ready: false }), expected: { conditions: { ready: false, serving: false, terminating: false } } },
    { name: 'a terminating ready pod is serving but not ready', pod: pod('a', { ip: '198.18.128.5', isTerminating: true }), expected: { conditions: { ready: false, serving: true, terminating: true } } },
    { name: 'publishNotReadyAddresses forces ready on a not-ready pod', svc: { publishNotReadyAddresses: true }, pod: pod('a', { ip: '198.18.128.5', ready: false }), expected: { conditions: { ready: true, serving: false, terminating: false } } },
    { name: 'publishNotReadyAddresses forces ready on a terminating pod', svc: { publishNotReadyAddresses: true }, pod: pod('a', { ip: '198.18.128.5', isTerminating: true }), expected: { conditions: { ready: true, serving: true, terminating: true } } },
    { name: 'a pod without an IP is left out', pod: pod('a', { ip: null }), expected: undefined },
    { name: 'a Succeeded pod is left out', pod: pod('a', { ip: '198.18.128.5', phase: 'Succeeded' }), expected: undefined },
    { name: 'a Failed pod is left out', pod: pod('a', { ip: '198.18.128.5', phase: 'Failed', ready: false }), expected: undefined },
    { name: 'a pod on an unknown node is left out', pod: pod('a', { ip: '198.18.128.5', node: 'ghost' }), expected: undefined },
    { name: 'a pod on an unknown node is kept when not-ready addresses are published', svc: { publishNotReadyAddresses: true }, pod: pod('a', { ip: '198.18.128.5', node: 'ghost' }), expected: { nodeName: 'ghost', zone: undefined } },
    { name: 'the node zone and name are copied', pod: pod('a', { ip: '198.18.128.5' }), expected: { nodeName: 'node-1', zone: 'zone-a' } },
    { name: 'hostname is set when the subdomain names the service', pod: pod('a', { ip: '198.18.128.5', hostname: 'h0', subdomain: 'web' }), expected: { hostname: 'h0' } },
    { name: 'hostname is not set for another subdomain', pod: pod('a', { ip: '198.18.128.5', hostname: 'h0', subdomain: 'other' }), expected: { hostname: undefined } },
    { name: 'IPv4 from podIPs wins over podIP', pod: { ...pod('a', { ip: '198.18.128.9' }), status: { ...pod('a').status, podIP: '198.18.128.9', podIPs: [{ ip: 'fd00::9' }, { ip: '198.18.128.5' }] } }, expected: { addresses: ['198.18.128.5'] } },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const slices = settle(service({ spec: c.svc }), [c.pod]);
      assert.equal(slices.length, 1);
      const ep = byIP(slices[0])['198.18.128.5'];
      if (!c.expected) return assert.deepEqual(slices[0].endpoints, []);
      assert.ok(ep, 'endpoint present');
      for (const [k, v] of Object.entries(c.expected)) assert.deepEqual(ep[k as keyof Endpoint], v, k);
      assert.deepEqual(ep.targetRef, { kind: 'Pod', namespace: 'default', name: 'a', uid: 'uid-a' });
    });
  }
});

describe('slice shape', () => {
  it('labels, owner, generateName, addressType and ports follow upstream', () => {
    const r = run(service({ labels: { team: 'blue', 'kubernetes.io/service-name': 'spoof' } }), [pod('a')]);
    assert.equal(r.create.length, 1);
    const s = r.create[0];
    assert.equal(s.metadata.generateName, 'web-');
    assert.equal(s.addressType, 'IPv4');
    assert.deepEqual(s.metadata.labels, { team: 'blue', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'uid-web', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  });

  it('headless services get slices with the headless label, and no ports when they have none', () => {
    const [s] = settle(service({ spec: { clusterIP: 'None', ports: [] } }), [pod('a')]);
    assert.equal(s.metadata.labels!['service.kubernetes.io/headless'], '');
    assert.deepEqual(s.ports, []);
    assert.equal(s.endpoints!.length, 1);
  });

  it('multi-port services put every resolved port in one slice, with appProtocol', () => {
    const svc = service({ spec: { ports: [{ name: 'http', port: 80, targetPort: 'http' }, { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353, appProtocol: 'dns' }] } });
    const slices = settle(svc, [pod('a'), pod('b', { ip: '198.18.128.11' })]);
    assert.equal(slices.length, 1);
    assert.deepEqual(slices[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }, { name: 'dns', port: 5353, protocol: 'UDP', appProtocol: 'dns' }]);
    assert.equal(slices[0].endpoints!.length, 2);
  });

  it('a named targetPort resolving to different container ports gives one slice per port set', () => {
    const svc = service({ spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] } });
    const a = pod('a', { ip: '198.18.128.1', ports: [{ name: 'web', containerPort: 8080 }] });
    const b = pod('b', { ip: '198.18.128.2', ports: [{ name: 'web', containerPort: 9090 }] });
    const c = pod('c', { ip: '198.18.128.3', ports: [{ name: 'web', containerPort: 9090 }] });
    const slices = settle(svc, [a, b, c]);
    const summary = slices.map((s) => [s.ports![0].port, (s.endpoints ?? []).map((e) => e.addresses[0])]).sort();
    assert.deepEqual(summary, [[8080, ['198.18.128.1']], [9090, ['198.18.128.2', '198.18.128.3']]]);
  });

  it('a pod whose named port does not resolve (or only with another protocol) lands in a slice without that port', () => {
    const svc = service({ spec: { ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'web' }] } });
    const a = pod('a', { ip: '198.18.128.1', ports: [{ name: 'web', containerPort: 8080 }] });
    const b = pod('b', { ip: '198.18.128.2', ports: [{ name: 'web', containerPort: 8080, protocol: 'UDP' }] });
    const slices = settle(svc, [a, b]);
    const summary = slices.map((s) => [JSON.stringify(s.ports), (s.endpoints ?? []).map((e) => e.addresses[0])]).sort();
    assert.deepEqual(summary, [['[]', ['198.18.128.2']], ['[{"name":"http","port":8080,"protocol":"TCP"}]', ['198.18.128.1']]]);
  });

  it('250 pods fill 3 slices of at most 100', () => {
    const slices = settle(service(), pods(250));
    assert.deepEqual(slices.map((s) => s.endpoints!.length).sort(), [100, 100, 50]);
    const ips = new Set(slices.flatMap((s) => s.endpoints!.map((e) => e.addresses[0])));
    assert.equal(ips.size, 250);
  });

  it('the last-change trigger time is written on created slices', () => {
    const [s] = settle(service(), [pod('a')], { triggerTime: '2025-03-01T10:00:00Z' });
    assert.equal(s.metadata.annotations!['endpoints.kubernetes.io/last-change-trigger-time'], '2025-03-01T10:00:00Z');
  });
});

describe('changes to existing slices', () => {
  it('does nothing when nothing changed, including a new trigger time alone', () => {
    for (const podList of [[], [pod('a')], pods(250)]) {
      const slices = settle(service(), podList);
      const r = run(service(), podList, slices, { triggerTime: '2030-01-01T00:00:00Z' });
      assert.deepEqual([r.create.length, r.update.length, r.delete.length], [0, 0, 0], `${podList.length} pods`);
    }
  });

  it('a service with no endpoints keeps one placeholder slice', () => {
    const slices = settle(service(), []);
    assert.equal(slices.length, 1);
    assert.deepEqual([slices[0].endpoints, slices[0].ports], [[], []]);
  });

  it('a pod turning not ready updates its slice in place', () => {
    const before = settle(service(), [pod('a'), pod('b', { ip: '198.18.128.11' })]);
    const r = run(service(), [pod('a', { ready: false }), pod('b', { ip: '198.18.128.11' })], before);
    assert.deepEqual([r.create.length, r.delete.length], [0, 0]);
    assert.equal(r.update.length, 1);
    assert.equal(r.update[0].metadata.name, before[0].metadata.name);
    assert.equal(byIP(r.update[0])['198.18.128.10'].conditions!.ready, false);
  });

  it('the last pod going away turns its slice into the placeholder by an update', () => {
    const before = settle(service(), [pod('a')]);
    const r = run(service(), [], before);
    assert.deepEqual([r.create.length, r.delete.length, r.update.length], [0, 0, 1]);
    assert.deepEqual([r.update[0].metadata.name, r.update[0].endpoints, r.update[0].ports], [before[0].metadata.name, [], []]);
  });

  it('removing 60 of 250 pods shrinks slices and new pods top them up without new slices', () => {
    let slices = settle(service(), pods(250));
    const all = pods(250);
    slices = applySliceChanges(slices, run(service(), all.slice(60), slices));
    assert.deepEqual(slices.map((s) => s.endpoints!.length).sort((a, b) => a - b), [40, 50, 100]);
    const more = [...all.slice(60), ...pods(40).map((p, i) => ({ ...p, metadata: { ...p.metadata, name: `new-${i}`, uid: `uid-new-${i}` }, status: { ...p.status, podIP: `198.18.140.${i + 1}` } }))];
    const r = run(service(), more, slices);
    assert.equal(r.create.length, 0);
    slices = applySliceChanges(slices, r);
    assert.equal(slices.reduce((n, s) => n + s.endpoints!.length, 0), 230);
    assert.ok(slices.every((s) => s.endpoints!.length <= 100));
  });

  it('service label changes update slices; a slice owned by an older service of the same name is deleted, not reused', () => {
    const before = settle(service(), [pod('a')]);
    const relabelled = run(service({ labels: { tier: 'front' } }), [pod('a')], before);
    assert.equal(relabelled.update.length, 1);
    assert.equal(relabelled.update[0].metadata.labels!.tier, 'front');
    const recreated = run(service({ uid: 'uid-web-2' }), [pod('a')], before);
    assert.deepEqual(recreated.delete.map((s) => s.metadata.name), [before[0].metadata.name]);
    assert.equal(recreated.update.length, 0);
    assert.equal(recreated.create.length, 1);
    assert.equal(recreated.create[0].metadata.ownerReferences![0].uid, 'uid-web-2');
  });

  it('a duplicated endpoint across two slices is kept once', () => {
    const [s] = settle(service(), [pod('a')]);
    const twin = { ...structuredClone(s), metadata: { ...s.metadata, name: 'web-zz' } };
    const r = run(service(), [pod('a')], [s, twin]);
    assert.deepEqual([r.create.length, r.update.length, r.delete.map((x) => x.metadata.name)], [0, 0, ['web-zz']]);
  });

  it('unknown nodes are reported so the caller retries', () => {
    const r = run(service(), [pod('a', { node: 'ghost' })]);
    assert.deepEqual(r.problems, ['skipping Pod a for Service default/web: Node ghost Not Found']);
  });

  const gone: [string, Service | undefined][] = [
    ['the service is deleted', undefined],
    ['the selector is removed', service({ spec: { selector: undefined } })],
    ['the selector becomes empty', service({ spec: { selector: {} } })],
    ['the service becomes ExternalName', service({ spec: { type: 'ExternalName', externalName: 'example.com' } })],
  ];
  for (const [name, svc] of gone) {
    it(`deletes every slice when ${name}`, () => {
      const before = settle(service(), pods(150));
      const r = run(svc, pods(150), before);
      assert.deepEqual([r.create.length, r.update.length, r.delete.length], [0, 0, 2]);
    });
  }

  it('creates nothing for a service being deleted', () => {
    const svc = service();
    svc.metadata.deletionTimestamp = '2025-01-01T00:00:00Z';
    assert.equal(run(svc, [pod('a')]).create.length, 0);
  });
});
