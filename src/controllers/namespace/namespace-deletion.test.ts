import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource, RESOURCES } from '../../api/resources.ts';
import type { ContentTotals, Namespace, NamespaceCondition } from './namespace-deletion.ts';
import { deletionConditions, finalizedNamespace, isContentGone, mergeConditions, namespacedResources, needsContentDeletion, tallyRemaining } from './namespace-deletion.ts';

const empty = (): ContentTotals => ({ remainingByResource: {}, remainingByFinalizer: {}, deleteErrors: [] });

describe('needsContentDeletion', () => {
  const cases: { name: string; ns: Namespace; expect: boolean }[] = [
    { name: 'an active namespace', ns: { metadata: { name: 'a' }, spec: { finalizers: ['kubernetes'] } }, expect: false },
    { name: 'a terminating namespace with the kubernetes finalizer', ns: { metadata: { name: 'a', deletionTimestamp: 't' }, spec: { finalizers: ['kubernetes'] } }, expect: true },
    { name: 'a terminating namespace already finalized', ns: { metadata: { name: 'a', deletionTimestamp: 't' }, spec: { finalizers: ['example.com/x'] } }, expect: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(needsContentDeletion(c.ns), c.expect));
});

it('lists every namespaced resource once, events last, and no cluster-scoped one', () => {
  const list = namespacedResources(RESOURCES);
  assert.equal(list.at(-1)?.kind, 'Event');
  assert.ok(list.some((r) => r.kind === 'Pod') && list.some((r) => r.kind === 'Lease'));
  assert.ok(!list.some((r) => r.kind === 'Namespace' || r.kind === 'Node' || r.kind === 'IngressClass'));
  assert.equal(list.length, RESOURCES.filter((r) => r.isNamespaced).length);
});

describe('deletionConditions', () => {
  const pods = findResource('', 'v1', 'pods')!;
  const rs = findResource('apps', 'v1', 'replicasets')!;
  const cases: { name: string; totals: () => ContentTotals; expect: Record<string, [string, string, string]> }[] = [
    {
      name: 'all clear: five False conditions with upstream reasons',
      totals: empty,
      expect: {
        NamespaceDeletionDiscoveryFailure: ['False', 'ResourcesDiscovered', 'All resources successfully discovered'],
        NamespaceDeletionGroupVersionParsingFailure: ['False', 'ParsedGroupVersions', 'All legacy kube types successfully parsed'],
        NamespaceDeletionContentFailure: ['False', 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'],
        NamespaceContentRemaining: ['False', 'ContentRemoved', 'All content successfully removed'],
        NamespaceFinalizersRemaining: ['False', 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'],
      },
    },
    {
      name: 'remaining content and finalizers are counted and sorted',
      totals: () => {
        const t = empty();
        tallyRemaining(t, rs, [{ metadata: { finalizers: ['b/x'] } }]);
        tallyRemaining(t, pods, [{ metadata: { finalizers: ['b/x', 'a/y'] } }, { metadata: {} }]);
        return t;
      },
      expect: {
        NamespaceContentRemaining: ['True', 'SomeResourcesRemain', 'Some resources are remaining: pods. has 2 resource instances, replicasets.apps has 1 resource instances'],
        NamespaceFinalizersRemaining: ['True', 'SomeFinalizersRemain', 'Some content in the namespace has finalizers remaining: a/y in 1 resource instances, b/x in 2 resource instances'],
      },
    },
    {
      name: 'failed deletions are reported',
      totals: () => ({ ...empty(), deleteErrors: ['secrets: boom', 'configmaps: bang'] }),
      expect: { NamespaceDeletionContentFailure: ['True', 'ContentDeletionFailed', 'Failed to delete all resource types, 2 remaining: configmaps: bang, secrets: boom'] },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const conds = deletionConditions(c.totals());
      assert.equal(conds.length, 5);
      for (const [type, [status, reason, message]] of Object.entries(c.expect)) {
        assert.deepEqual(conds.find((x) => x.type === type), { type, status, reason, message });
      }
    });
  }
});

describe('isContentGone', () => {
  it('is true for an empty pass', () => assert.equal(isContentGone(empty()), true));
  it('is false while objects remain', () => assert.equal(isContentGone({ ...empty(), remainingByResource: { 'pods.': 1 } }), false));
  it('is false when a deletion failed', () => assert.equal(isContentGone({ ...empty(), deleteErrors: ['x'] }), false));
});

describe('mergeConditions', () => {
  const now = new Date('2024-02-02T02:02:02.500Z');
  const cond = (type: string, status: 'True' | 'False', message: string, t?: string): NamespaceCondition => ({ type, status, reason: 'R', message, lastTransitionTime: t });
  it('adds missing conditions with the current time', () => {
    const r = mergeConditions([], [cond('A', 'False', 'm')], now);
    assert.deepEqual(r, { conditions: [cond('A', 'False', 'm', '2024-02-02T02:02:02Z')], hasChanged: true });
  });
  it('reports no change for identical conditions', () => {
    const r = mergeConditions([cond('A', 'False', 'm', 'old')], [cond('A', 'False', 'm')], now);
    assert.equal(r.hasChanged, false);
  });
  it('moves the transition time only when the status flips', () => {
    const msgOnly = mergeConditions([cond('A', 'True', 'm', 'old')], [cond('A', 'True', 'n')], now);
    assert.equal(msgOnly.conditions[0].lastTransitionTime, 'old');
    assert.equal(msgOnly.conditions[0].message, 'n');
    const flipped = mergeConditions([cond('A', 'True', 'm', 'old')], [cond('A', 'False', 'm')], now);
    assert.equal(flipped.conditions[0].lastTransitionTime, '2024-02-02T02:02:02Z');
  });
  it('keeps conditions it does not manage', () => {
    const r = mergeConditions([cond('Other', 'True', 'x', 'old')], [cond('A', 'False', 'm')], now);
    assert.deepEqual(r.conditions.map((c) => c.type), ['Other', 'A']);
  });
});

it('finalizedNamespace drops only the kubernetes finalizer', () => {
  const ns: Namespace = { metadata: { name: 'a', resourceVersion: '7' }, spec: { finalizers: ['example.com/x', 'kubernetes'] } };
  assert.deepEqual(finalizedNamespace(ns), { metadata: { name: 'a', resourceVersion: '7' }, spec: { finalizers: ['example.com/x'] } });
});
