import { it } from 'node:test';
import assert from 'node:assert/strict';
import { repackSubsets, subsetsEqual } from './endpoints-subsets.ts';

const a = { ip: '192.0.2.1' };
const b = { ip: '192.0.2.2' };
const p80 = { name: 'http', port: 80, protocol: 'TCP' };
const p443 = { name: 'https', port: 443, protocol: 'TCP' };

it('merges subsets that list the same ports and regroups ports by the addresses offering them', () => {
  const packed = repackSubsets([{ addresses: [a], ports: [p80, p443] }, { addresses: [b], ports: [p80] }, { addresses: [a], ports: [p80] }]);
  assert.deepEqual(packed, [{ addresses: [a, b], ports: [p80] }, { addresses: [a], ports: [p443] }]);
});

it('counts an address not ready on a port if any subset says so', () => {
  assert.deepEqual(repackSubsets([{ addresses: [a], ports: [p80] }, { notReadyAddresses: [a], ports: [p80] }]), [{ notReadyAddresses: [a], ports: [p80] }]);
});

it('keeps addresses of subsets without ports', () => {
  assert.deepEqual(repackSubsets([{ addresses: [b, a] }]), [{ addresses: [a, b] }]);
});

it('compares subsets ignoring order, empty lists, default protocol and target resourceVersions', () => {
  const x = [{ addresses: [{ ...a, targetRef: { kind: 'Pod', name: 'p', resourceVersion: '1' } }, b], notReadyAddresses: [], ports: [{ port: 80 }] }];
  const y = [{ addresses: [b, { ...a, targetRef: { kind: 'Pod', name: 'p', resourceVersion: '2' } }], ports: [{ port: 80, protocol: 'TCP' }] }];
  assert.ok(subsetsEqual(x, y));
  assert.ok(!subsetsEqual(x, [{ addresses: [b], notReadyAddresses: [a], ports: [{ port: 80 }] }]));
  assert.ok(subsetsEqual(null, []));
});
