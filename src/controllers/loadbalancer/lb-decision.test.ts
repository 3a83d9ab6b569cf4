import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from '../../api/types.ts';
import { Allocations, parsePool } from './ip-pool.ts';
import type { LbDecision } from './lb-decision.ts';
import { decide, isManaged, rebuildAllocations } from './lb-decision.ts';

const CLASS = 'skiff.dev/l2';

function svc(spec: Partial<Service['spec']> = {}, ingress?: { ip: string; ipMode?: string }[], meta: Record<string, unknown> = {}): Service {
  return { metadata: { name: 's', namespace: 'ns', ...meta }, spec: { type: 'LoadBalancer', ...spec }, status: { loadBalancer: ingress ? { ingress } : {} } };
}

describe('isManaged', () => {
  const cases: [string, Service, boolean][] = [
    ['a LoadBalancer without class', svc(), true],
    ['a LoadBalancer of our class', svc({ loadBalancerClass: CLASS }), true],
    ['a LoadBalancer of another class', svc({ loadBalancerClass: 'example.com/other' }), false],
    ['a ClusterIP service', svc({ type: 'ClusterIP' }), false],
  ];
  for (const [name, s, expect] of cases) it(name, () => assert.equal(isManaged(s, CLASS), expect));
});

describe('decide', () => {
  const cases: { name: string; held?: Record<string, string>; svc: Service | undefined; expect: LbDecision; after: Record<string, string> }[] = [
    { name: 'a new LoadBalancer gets the lowest free address', svc: svc(), expect: { type: 'assign', ip: '10.0.0.1', isNew: true }, after: { 'ns/s': '10.0.0.1' } },
    { name: 'skips addresses held by others', held: { 'ns/x': '10.0.0.1' }, svc: svc(), expect: { type: 'assign', ip: '10.0.0.2', isNew: true }, after: { 'ns/x': '10.0.0.1', 'ns/s': '10.0.0.2' } },
    { name: 'an up-to-date status needs nothing', held: { 'ns/s': '10.0.0.2' }, svc: svc({}, [{ ip: '10.0.0.2', ipMode: 'VIP' }]), expect: { type: 'none' }, after: { 'ns/s': '10.0.0.2' } },
    { name: 'a status without ipMode is rewritten, not re-announced', held: { 'ns/s': '10.0.0.2' }, svc: svc({}, [{ ip: '10.0.0.2' }]), expect: { type: 'assign', ip: '10.0.0.2', isNew: false }, after: { 'ns/s': '10.0.0.2' } },
    { name: 'keeps a free address its status already shows', svc: svc({}, [{ ip: '10.0.0.6', ipMode: 'VIP' }]), expect: { type: 'none' }, after: { 'ns/s': '10.0.0.6' } },
    { name: 'a requested free address in the pool is honoured', svc: svc({ loadBalancerIP: '10.0.0.5' }), expect: { type: 'assign', ip: '10.0.0.5', isNew: true }, after: { 'ns/s': '10.0.0.5' } },
    { name: 'a requested address outside the pool fails', svc: svc({ loadBalancerIP: '192.0.2.1' }), expect: { type: 'fail', message: 'Failed to allocate IP for "ns/s": "192.0.2.1" is not allowed in config', shouldClearStatus: false }, after: {} },
    { name: 'a requested address in use fails', held: { 'ns/x': '10.0.0.5' }, svc: svc({ loadBalancerIP: '10.0.0.5' }), expect: { type: 'fail', message: 'Failed to allocate IP for "ns/s": "10.0.0.5" is already in use', shouldClearStatus: false }, after: { 'ns/x': '10.0.0.5' } },
    {
      name: 'a changed request moves the service and frees the old address',
      held: { 'ns/s': '10.0.0.1' },
      svc: svc({ loadBalancerIP: '10.0.0.3' }, [{ ip: '10.0.0.1', ipMode: 'VIP' }]),
      expect: { type: 'assign', ip: '10.0.0.3', isNew: true },
      after: { 'ns/s': '10.0.0.3' },
    },
    {
      name: 'an exhausted pool fails with upstream-style words',
      held: Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`ns/x${i}`, `10.0.0.${i}`])),
      svc: svc(),
      expect: { type: 'fail', message: 'Failed to allocate IP for "ns/s": no available IPs', shouldClearStatus: false },
      after: Object.fromEntries([1, 2, 3, 4, 5, 6].map((i) => [`ns/x${i}`, `10.0.0.${i}`])),
    },
    { name: 'a type change to ClusterIP releases and clears the status', held: { 'ns/s': '10.0.0.1' }, svc: svc({ type: 'ClusterIP' }, [{ ip: '10.0.0.1' }]), expect: { type: 'release', shouldClearStatus: true }, after: {} },
    { name: 'a deleted service releases', held: { 'ns/s': '10.0.0.1' }, svc: undefined, expect: { type: 'release', shouldClearStatus: false }, after: {} },
    { name: 'another class is left alone', svc: svc({ loadBalancerClass: 'example.com/other' }, [{ ip: '10.0.0.1' }]), expect: { type: 'release', shouldClearStatus: false }, after: {} },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const a = new Allocations(parsePool('10.0.0.0/29'));
      for (const [k, ip] of Object.entries(c.held ?? {})) a.reserve(k, ip);
      assert.deepEqual(decide(c.svc, 'ns/s', a, CLASS), c.expect);
      const after: Record<string, string> = {};
      for (const k of ['ns/s', ...Object.keys(c.held ?? {})]) if (a.ipOf(k)) after[k] = a.ipOf(k)!;
      assert.deepEqual(after, c.after);
    });
  }
});

it('rebuildAllocations restores addresses from status, oldest service winning a contested one', () => {
  const a = new Allocations(parsePool('10.0.0.0/29'));
  const key = (s: Service) => `${s.metadata.namespace}/${s.metadata.name}`;
  rebuildAllocations([
    svc({}, [{ ip: '10.0.0.1' }], { name: 'young', creationTimestamp: '2024-02-01T00:00:00Z' }),
    svc({}, [{ ip: '10.0.0.1' }], { name: 'old', creationTimestamp: '2024-01-01T00:00:00Z' }),
    svc({ type: 'ClusterIP' }, [{ ip: '10.0.0.2' }], { name: 'cip' }),
    svc({}, [{ ip: '192.0.2.9' }], { name: 'outside' }),
  ], a, CLASS, key);
  assert.equal(a.holderOf('10.0.0.1'), 'ns/old');
  assert.equal(a.size, 1);
  assert.deepEqual(decide(svc({}, [{ ip: '10.0.0.1' }], { name: 'young' }), 'ns/young', a, CLASS), { type: 'assign', ip: '10.0.0.2', isNew: true });
});
