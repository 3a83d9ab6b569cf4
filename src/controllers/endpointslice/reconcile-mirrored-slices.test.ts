import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { EndpointSlice, Service } from '../../api/types.ts';
import type { Endpoints } from './endpoints-types.ts';
import { reconcileMirroredSlices } from './reconcile-mirrored-slices.ts';
import type { MirrorInput } from './reconcile-mirrored-slices.ts';
import { applySliceChanges, service } from './test-fixtures.ts';

const selectorless = service({ name: 'ext', spec: { selector: undefined, clusterIP: '198.19.0.30' } });

function endpoints(overrides: Partial<Endpoints> & { labels?: Record<string, string>; annotations?: Record<string, string> } = {}): Endpoints {
  return {
    apiVersion: 'v1',
    kind: 'Endpoints',
    metadata: { name: 'ext', namespace: 'default', uid: 'uid-ep', labels: overrides.labels ?? { team: 'x' }, annotations: overrides.annotations },
    subsets: overrides.subsets ?? [{ addresses: [{ ip: '192.0.2.1' }, { ip: '192.0.2.2', nodeName: 'node-1', hostname: 'h2' }], notReadyAddresses: [{ ip: '192.0.2.3' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }],
  };
}

function run(input: Partial<MirrorInput> & { slices?: EndpointSlice[] }) {
  return reconcileMirroredSlices({ endpoints: endpoints(), service: selectorless, slices: [], ...input });
}

describe('mirroring', () => {
  it('mirrors addresses as ready and not-ready endpoints with the mirroring labels and owner', () => {
    const r = run({ endpoints: endpoints({ annotations: { note: 'kept', 'endpoints.kubernetes.io/last-change-trigger-time': 'x', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } }) });
    assert.equal(r.create.length, 1);
    const s = r.create[0];
    assert.equal(s.metadata.generateName, 'ext-');
    assert.equal(s.addressType, 'IPv4');
    assert.deepEqual(s.metadata.labels, { team: 'x', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
    assert.deepEqual(s.metadata.annotations, { note: 'kept' });
    assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid: 'uid-ep', controller: true, blockOwnerDeletion: true }]);
    assert.deepEqual(s.ports, [{ name: 'http', port: 80, protocol: 'TCP' }]);
    assert.deepEqual(s.endpoints, [
      { addresses: ['192.0.2.1'], conditions: { ready: true } },
      { addresses: ['192.0.2.2'], conditions: { ready: true }, nodeName: 'node-1', hostname: 'h2' },
      { addresses: ['192.0.2.3'], conditions: { ready: false } },
    ]);
  });

  it('splits by address type and port set, and skips invalid IPs', () => {
    const r = run({
      endpoints: endpoints({
        subsets: [
          { addresses: [{ ip: '192.0.2.1' }, { ip: '2001:db8::1' }, { ip: 'bogus' }], ports: [{ port: 80, protocol: 'TCP' }] },
          { addresses: [{ ip: '192.0.2.9' }], ports: [{ port: 53, protocol: 'UDP' }] },
        ],
      }),
    });
    assert.equal(r.invalidAddresses, 1);
    assert.deepEqual(r.create.map((s) => [s.addressType, s.ports![0].port, s.endpoints!.map((e) => e.addresses[0])]).sort(), [['IPv4', 53, ['192.0.2.9']], ['IPv4', 80, ['192.0.2.1']], ['IPv6', 80, ['2001:db8::1']]]);
  });

  it('mirrors at most the per-subset maximum', () => {
    const addresses = Array.from({ length: 5 }, (_, i) => ({ ip: `192.0.2.${i + 1}` }));
    const r = run({ endpoints: endpoints({ subsets: [{ addresses, ports: [{ port: 80 }] }] }), maxEndpointsPerSubset: 3 });
    assert.deepEqual([r.create[0].endpoints!.length, r.skippedAddresses], [3, 2]);
  });

  it('does nothing when the mirror is current, and updates in place when an address changes', () => {
    const slices = applySliceChanges([], run({}));
    const same = run({ slices });
    assert.deepEqual([same.create.length, same.update.length, same.delete.length], [0, 0, 0]);
    const changed = run({ slices, endpoints: endpoints({ subsets: [{ addresses: [{ ip: '192.0.2.7' }], ports: [{ name: 'http', port: 80, protocol: 'TCP' }] }] }) });
    assert.deepEqual([changed.create.length, changed.delete.length], [0, 0]);
    assert.equal(changed.update[0].metadata.name, slices[0].metadata.name);
    assert.deepEqual(changed.update[0].endpoints, [{ addresses: ['192.0.2.7'], conditions: { ready: true } }]);
  });

  it('reuses a slice when the port set changes', () => {
    const slices = applySliceChanges([], run({}));
    const r = run({ slices, endpoints: endpoints({ subsets: [{ addresses: [{ ip: '192.0.2.1' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] }) });
    assert.deepEqual([r.create.length, r.delete.length, r.update.length], [0, 0, 1]);
    assert.equal(r.update[0].ports![0].port, 8080);
  });

  const removed: [string, Partial<MirrorInput>][] = [
    ['the Endpoints object is deleted', { endpoints: undefined }],
    ['the Service is deleted', { service: undefined }],
    ['the Service gains a selector', { service: { ...selectorless, spec: { ...selectorless.spec, selector: { app: 'x' } } } as Service }],
    ['the Endpoints opts out with skip-mirror', { endpoints: endpoints({ labels: { 'endpointslice.kubernetes.io/skip-mirror': 'true' } }) }],
    ['the Endpoints is a leader-election lock', { endpoints: endpoints({ annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } }) }],
    ['the Endpoints is managed by the endpoints controller', { endpoints: endpoints({ labels: { 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' } }) }],
    ['the Endpoints has no addresses left', { endpoints: endpoints({ subsets: [] }) }],
  ];
  for (const [name, input] of removed) {
    it(`deletes the mirrored slices when ${name}`, () => {
      const slices = applySliceChanges([], run({}));
      const r = run({ ...input, slices });
      assert.deepEqual([r.create.length, r.update.length, r.delete.map((s) => s.metadata.name)], [0, 0, [slices[0].metadata.name]]);
    });
  }
});
