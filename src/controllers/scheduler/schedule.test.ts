import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.ts';
import { countPodsByNode, fitErrorMessage, needsScheduling, schedulePod, unschedulableCondition } from './schedule.ts';
import type { Node, Taint } from './node-fit.ts';

function node(name: string, extra: { labels?: Record<string, string>; ready?: 'True' | 'False' | 'Unknown' | 'none'; unschedulable?: boolean; taints?: Taint[] } = {}): Node {
  const ready = extra.ready ?? 'True';
  return {
    metadata: { name, labels: extra.labels },
    spec: { unschedulable: extra.unschedulable, taints: extra.taints },
    status: { conditions: ready === 'none' ? [] : [{ type: 'Ready', status: ready }] },
  };
}

function pod(spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}): Pod {
  return { metadata: { name: 'p', namespace: 'default', ...meta }, spec: { containers: [{ name: 'c' }], schedulerName: 'default-scheduler', ...spec } };
}

describe('schedulePod', () => {
  const cases: { name: string; pod: Pod; nodes: Node[]; counts?: Record<string, number>; expect: { nodeName: string } | { message: string } }[] = [
    { name: 'picks the only ready node', pod: pod(), nodes: [node('a')], expect: { nodeName: 'a' } },
    { name: 'picks the node with fewest pods', pod: pod(), nodes: [node('a'), node('b')], counts: { a: 2, b: 1 }, expect: { nodeName: 'b' } },
    { name: 'breaks ties by node name', pod: pod(), nodes: [node('b'), node('a')], expect: { nodeName: 'a' } },
    { name: 'says no nodes when there are none', pod: pod(), nodes: [], expect: { message: 'no nodes available to schedule pods' } },
    {
      name: 'reports affinity and unschedulable nodes as upstream does',
      pod: pod({ nodeSelector: { disk: 'ssd' } }),
      nodes: [node('a'), node('b', { labels: { disk: 'ssd' }, unschedulable: true })],
      expect: { message: "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable." },
    },
    {
      name: 'treats a not-ready node as carrying the not-ready taint',
      pod: pod(),
      nodes: [node('a', { ready: 'False' }), node('b', { ready: 'none' }), node('c', { ready: 'Unknown' })],
      expect: { message: '0/3 nodes are available: 1 node(s) had untolerated taint {node.kubernetes.io/unreachable: }, 2 node(s) had untolerated taint {node.kubernetes.io/not-ready: }.' },
    },
    {
      name: 'skips a NoSchedule taint the pod does not tolerate',
      pod: pod(),
      nodes: [node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }), node('b')],
      counts: { b: 5 },
      expect: { nodeName: 'b' },
    },
    {
      name: 'uses a tainted node the pod tolerates',
      pod: pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }),
      nodes: [node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })],
      expect: { nodeName: 'a' },
    },
    {
      name: 'ignores PreferNoSchedule taints',
      pod: pod(),
      nodes: [node('a', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] })],
      expect: { nodeName: 'a' },
    },
    {
      name: 'an Exists toleration with no key tolerates every taint, unschedulable included',
      pod: pod({ tolerations: [{ operator: 'Exists' }] }),
      nodes: [node('a', { ready: 'False', unschedulable: true, taints: [{ key: 'k', value: 'v', effect: 'NoExecute' }] })],
      expect: { nodeName: 'a' },
    },
    {
      name: 'reports a taint with its value',
      pod: pod({ tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu', effect: 'NoSchedule' }] }),
      nodes: [node('a', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] })],
      expect: { message: '0/1 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}.' },
    },
    {
      name: 'honours required node affinity terms (OR of ANDs)',
      pod: pod({
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1'] }, { key: 'gpu', operator: 'DoesNotExist' }] },
                { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['c'] }] },
              ],
            },
          },
        },
      }),
      nodes: [node('a', { labels: { zone: 'z1', gpu: 'yes' } }), node('b', { labels: { zone: 'z1' } }), node('c')],
      counts: { b: 3, c: 1 },
      expect: { nodeName: 'c' },
    },
    {
      name: 'an affinity with only empty terms matches nothing',
      pod: pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } }),
      nodes: [node('a')],
      expect: { message: "0/1 nodes are available: 1 node(s) didn't match Pod's node affinity/selector." },
    },
    {
      name: 'Gt on a numeric label',
      pod: pod({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'cores', operator: 'Gt', values: ['4'] }] }] } } } }),
      nodes: [node('a', { labels: { cores: '4' } }), node('b', { labels: { cores: '8' } })],
      expect: { nodeName: 'b' },
    },
    {
      name: 'reports only the first failing filter of a node',
      pod: pod({ nodeSelector: { disk: 'ssd' } }),
      nodes: [node('a', { unschedulable: true, ready: 'False' })],
      expect: { message: '0/1 nodes are available: 1 node(s) were unschedulable.' },
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      assert.deepEqual(schedulePod(c.pod, c.nodes, new Map(Object.entries(c.counts ?? {}))), c.expect);
    });
  }
});

describe('needsScheduling', () => {
  const cases: { name: string; pod: Pod; expect: boolean }[] = [
    { name: 'an unbound pending pod', pod: pod(), expect: true },
    { name: 'a pod with no schedulerName gets the default', pod: pod({ schedulerName: undefined }), expect: true },
    { name: 'a bound pod', pod: pod({ nodeName: 'a' }), expect: false },
    { name: 'a terminating pod', pod: pod({}, { deletionTimestamp: '2024-01-01T00:00:00Z' }), expect: false },
    { name: 'a pod for another scheduler', pod: pod({ schedulerName: 'other' }), expect: false },
    { name: 'a gated pod', pod: pod({ schedulingGates: [{ name: 'g' }] }), expect: false },
    { name: 'a finished pod', pod: { ...pod(), status: { phase: 'Failed' } }, expect: false },
  ];
  for (const c of cases) it(c.name, () => assert.equal(needsScheduling(c.pod), c.expect));
});

it('counts running pods per node and leaves out finished ones', () => {
  const p = (nodeName: string | undefined, phase: string) => ({ ...pod({ nodeName }), status: { phase } });
  const counts = countPodsByNode([p('a', 'Running'), p('a', 'Pending'), p('a', 'Succeeded'), p('b', 'Running'), p(undefined, 'Pending')]);
  assert.deepEqual(Object.fromEntries(counts), { a: 2, b: 1 });
});

it('fitErrorMessage sorts the counted reasons as strings', () => {
  assert.equal(fitErrorMessage(3, ['z', 'a', 'z']), '0/3 nodes are available: 1 a, 2 z.');
});

describe('unschedulableCondition', () => {
  const now = new Date('2024-05-01T10:00:00.123Z');
  it('builds PodScheduled=False Unschedulable with the message', () => {
    assert.deepEqual(unschedulableCondition(pod(), 'm', now), { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message: 'm', lastProbeTime: null, lastTransitionTime: '2024-05-01T10:00:00Z' });
  });
  it('returns nothing when the pod already carries the same condition', () => {
    const p = { ...pod(), status: { conditions: [{ type: 'PodScheduled', status: 'False' as const, reason: 'Unschedulable', message: 'm' }] } };
    assert.equal(unschedulableCondition(p, 'm', now), undefined);
  });
  it('keeps the transition time when only the message changes', () => {
    const p = { ...pod(), status: { conditions: [{ type: 'PodScheduled', status: 'False' as const, reason: 'Unschedulable', message: 'old', lastTransitionTime: '2020-01-01T00:00:00Z' }] } };
    assert.equal(unschedulableCondition(p, 'new', now)?.lastTransitionTime, '2020-01-01T00:00:00Z');
  });
});
