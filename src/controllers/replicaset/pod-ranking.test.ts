import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.ts';
import { compareForDeletion, podsToDelete, rankBySameNode } from './pod-ranking.ts';

const NOW = new Date('2025-01-01T12:00:00Z');

function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readySince?: string; created?: string; cost?: string; restarts?: number; uid?: string } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: 'default',
      uid: o.uid ?? `uid-${name}`,
      creationTimestamp: o.created ?? '2025-01-01T10:00:00Z',
      annotations: o.cost === undefined ? undefined : { 'controller.kubernetes.io/pod-deletion-cost': o.cost },
    },
    spec: { nodeName: o.node, containers: [{ name: 'c' }] },
    status: {
      phase: o.phase ?? 'Running',
      conditions: o.ready === false ? [{ type: 'Ready', status: 'False' }] : [{ type: 'Ready', status: 'True', lastTransitionTime: o.readySince ?? '2025-01-01T10:00:00Z' }],
      containerStatuses: [{ name: 'c', restartCount: o.restarts ?? 0 }],
    },
  };
}

describe('compareForDeletion', () => {
  const cases: { name: string; first: Pod; second: Pod }[] = [
    { name: 'an unscheduled pod goes before a scheduled one', first: pod('a', { node: undefined, phase: 'Running' }), second: pod('b', { node: 'n1', phase: 'Pending' }) },
    { name: 'a pending pod goes before a running one', first: pod('a', { node: 'n1', phase: 'Pending', ready: false }), second: pod('b', { node: 'n1', phase: 'Running', ready: false }) },
    { name: 'an Unknown-phase pod goes before a running one', first: pod('a', { node: 'n1', phase: 'Unknown' }), second: pod('b', { node: 'n1', phase: 'Running' }) },
    { name: 'a not-ready pod goes before a ready one', first: pod('a', { node: 'n1', ready: false }), second: pod('b', { node: 'n1' }) },
    { name: 'a lower deletion cost goes first', first: pod('a', { node: 'n1', cost: '-5', created: '2025-01-01T09:00:00Z' }), second: pod('b', { node: 'n1', cost: '10', created: '2025-01-01T11:59:00Z' }) },
    { name: 'an invalid deletion cost counts as zero', first: pod('a', { node: 'n1', cost: 'lots' }), second: pod('b', { node: 'n1', cost: '1' }) },
    { name: 'a pod ready for less time goes first (different log buckets)', first: pod('a', { node: 'n1', readySince: '2025-01-01T11:59:00Z' }), second: pod('b', { node: 'n1', readySince: '2025-01-01T08:00:00Z' }) },
    { name: 'more container restarts go first', first: pod('a', { node: 'n1', restarts: 3 }), second: pod('b', { node: 'n1', restarts: 0 }) },
    { name: 'a newer pod goes before an older one', first: pod('a', { node: 'n1', created: '2025-01-01T11:59:00Z' }), second: pod('b', { node: 'n1', created: '2025-01-01T02:00:00Z' }) },
    { name: 'a pod with no creation time goes first', first: { ...pod('a', { node: 'n1' }), metadata: { name: 'a', uid: 'z' } }, second: pod('b', { node: 'n1' }) },
    { name: 'similar ages (same log bucket) fall back to uid order', first: pod('a', { node: 'n1', uid: 'aaa', created: '2025-01-01T10:00:00Z' }), second: pod('b', { node: 'n1', uid: 'bbb', created: '2025-01-01T10:00:01Z' }) },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.ok(compareForDeletion({ pod: c.first, rank: 0 }, { pod: c.second, rank: 0 }, NOW) < 0);
      assert.ok(compareForDeletion({ pod: c.second, rank: 0 }, { pod: c.first, rank: 0 }, NOW) > 0);
    });
  }

  it('puts a pod doubled up on its node before a lone one', () => {
    assert.ok(compareForDeletion({ pod: pod('a', { node: 'n1' }), rank: 2 }, { pod: pod('b', { node: 'n2' }), rank: 1 }, NOW) < 0);
  });

  it('treats identical pods as equal', () => {
    assert.equal(compareForDeletion({ pod: pod('a', { node: 'n1' }), rank: 0 }, { pod: pod('a', { node: 'n1' }), rank: 0 }, NOW), 0);
  });
});

describe('podsToDelete', () => {
  it('deletes not-ready and unscheduled pods before ready running ones, then the newest', () => {
    const pods = [
      pod('old-ready', { node: 'n1', created: '2025-01-01T01:00:00Z', readySince: '2025-01-01T01:00:00Z' }),
      pod('new-ready', { node: 'n1', created: '2025-01-01T11:58:00Z', readySince: '2025-01-01T11:59:00Z' }),
      pod('not-ready', { node: 'n1', ready: false }),
      pod('unscheduled', { phase: 'Pending', ready: false }),
    ];
    assert.deepEqual(podsToDelete(pods, pods, 3, NOW).map((p) => p.metadata.name), ['unscheduled', 'not-ready', 'new-ready']);
  });

  it('returns every pod when asked for at least as many as there are', () => {
    const pods = [pod('a'), pod('b')];
    assert.equal(podsToDelete(pods, pods, 5, NOW).length, 2);
  });

  it('ranks by active related pods on the same node, ignoring inactive ones', () => {
    const a = pod('a', { node: 'n1' });
    const b = pod('b', { node: 'n2' });
    const sibling = pod('sibling', { node: 'n1' });
    const failed = pod('failed', { node: 'n2', phase: 'Failed' });
    assert.deepEqual(rankBySameNode([a, b], [a, b, sibling, failed]).map((r) => r.rank), [2, 1]);
    assert.deepEqual(podsToDelete([a, b], [a, b, sibling, failed], 1, NOW).map((p) => p.metadata.name), ['a']);
  });
});
