import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from '../../api/types.ts';
import type { Node, PodAction, Taint, Toleration } from './node-health.ts';
import { desiredNoExecuteTaint, evictionTime, isHealthy, observeProbe, podActions, reconcileTaints, unknownConditions } from './node-health.ts';

const T0 = Date.parse('2024-03-01T00:00:00Z');
const sec = (n: number) => T0 + n * 1000;
const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('observeProbe and isHealthy', () => {
  it('a first sighting starts the clock now (a restarted controller gives every node its grace period)', () => {
    assert.deepEqual(observeProbe(undefined, { renewTime: 'r1' }, sec(0)), { renewTime: 'r1', heartbeatTime: undefined, observedAt: sec(0) });
  });
  it('an unchanged renewal keeps the old observation', () => {
    const p = observeProbe(undefined, { renewTime: 'r1' }, sec(0));
    assert.equal(observeProbe(p, { renewTime: 'r1' }, sec(30)), p);
  });
  it('a new renewal or heartbeat resets the clock', () => {
    const p = observeProbe(undefined, { renewTime: 'r1', heartbeatTime: 'h1' }, sec(0));
    assert.equal(observeProbe(p, { renewTime: 'r2', heartbeatTime: 'h1' }, sec(30)).observedAt, sec(30));
    assert.equal(observeProbe(p, { renewTime: 'r1', heartbeatTime: 'h2' }, sec(31)).observedAt, sec(31));
  });
  const cases: [number, boolean][] = [[0, true], [40, true], [41, false]];
  for (const [after, expect] of cases) {
    it(`with a 40s grace period, ${after}s after the last renewal the node is ${expect ? 'healthy' : 'unhealthy'}`, () => {
      assert.equal(isHealthy({ observedAt: sec(0) }, sec(after), 40_000), expect);
    });
  }
});

describe('unknownConditions', () => {
  it('turns Ready and pressure conditions Unknown, keeping heartbeat and other conditions', () => {
    const node: Node = {
      metadata: { name: 'n' },
      status: {
        conditions: [
          { type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: 'hb', lastTransitionTime: 'old' },
          { type: 'MemoryPressure', status: 'False' },
          { type: 'NetworkUnavailable', status: 'False' },
        ],
      },
    };
    assert.deepEqual(unknownConditions(node, sec(0)), [
      { type: 'Ready', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastHeartbeatTime: 'hb', lastTransitionTime: iso(sec(0)) },
      { type: 'MemoryPressure', status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: iso(sec(0)) },
    ]);
  });
  it('says the kubelet never posted when there is no Ready condition', () => {
    const [c] = unknownConditions({ metadata: { name: 'n' } }, sec(0));
    assert.equal(c.reason, 'NodeStatusNeverUpdated');
    assert.equal(c.message, 'Kubelet never posted node status.');
  });
  it('writes nothing when everything already says Unknown', () => {
    assert.deepEqual(unknownConditions({ metadata: { name: 'n' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } }, sec(0)), []);
  });
});

describe('taints', () => {
  const unreachable: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: 'old' };
  const other: Taint = { key: 'dedicated', value: 'x', effect: 'NoSchedule' };
  const cases: { name: string; ready?: 'True' | 'False' | 'Unknown'; alive: boolean; taints?: Taint[]; expect: Taint[] | undefined }[] = [
    { name: 'a dead node gets the unreachable taint', ready: 'True', alive: false, taints: [other], expect: [other, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(sec(0)) }] },
    { name: 'an already tainted dead node keeps its taint time', ready: 'Unknown', alive: false, taints: [unreachable], expect: undefined },
    { name: 'a live node loses the unreachable taint', ready: 'Unknown', alive: true, taints: [other, unreachable], expect: [other] },
    { name: 'a live node reporting Ready=False gets not-ready instead', ready: 'False', alive: true, taints: [unreachable], expect: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoExecute', timeAdded: iso(sec(0)) }] },
    { name: 'a healthy untainted node needs nothing', ready: 'True', alive: true, taints: undefined, expect: undefined },
  ];
  for (const c of cases) it(c.name, () => assert.deepEqual(reconcileTaints(c.taints, desiredNoExecuteTaint(c.ready, c.alive), sec(0)), c.expect));
});

describe('eviction', () => {
  const taint: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: iso(sec(0)) };
  const pod = (tolerations: Toleration[] = [], extra: Partial<Pod> = {}, meta: Record<string, unknown> = {}): Pod => ({
    metadata: { name: 'p', namespace: 'ns', ...meta },
    spec: { containers: [], nodeName: 'n', tolerations },
    ...extra,
  });
  const default300: Toleration = { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 };
  const timeCases: { name: string; tolerations: Toleration[]; expect: number | undefined }[] = [
    { name: 'the admission default of 300s', tolerations: [default300], expect: sec(300) },
    { name: 'the shortest of several matching tolerations', tolerations: [default300, { operator: 'Exists', tolerationSeconds: 5 }], expect: sec(5) },
    { name: 'never, for a toleration without a limit', tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists' }], expect: undefined },
    { name: 'the default delay when nothing matches', tolerations: [{ key: 'other', operator: 'Exists', tolerationSeconds: 1 }], expect: sec(60) },
    { name: 'a NoSchedule toleration does not match', tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoSchedule', tolerationSeconds: 1 }], expect: sec(60) },
  ];
  for (const c of timeCases) it(`evictionTime: ${c.name}`, () => assert.equal(evictionTime(pod(c.tolerations), taint, 60_000), c.expect));

  const readyPod = (meta: Record<string, unknown> = {}) => pod([default300], { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, meta);
  const actionCases: { name: string; pod: Pod; now: number; expect: PodAction[] }[] = [
    { name: 'a ready pod is marked not ready at once', pod: readyPod(), now: sec(41), expect: ['markNotReady'] },
    { name: 'a pod without a Ready condition is left alone until eviction', pod: pod([default300]), now: sec(41), expect: [] },
    { name: 'a pod past its toleration is evicted', pod: pod([default300], { status: { conditions: [{ type: 'Ready', status: 'False' }] } }), now: sec(300), expect: ['evict'] },
    { name: 'a terminating pod within its grace waits', pod: pod([default300], {}, { deletionTimestamp: iso(sec(330)) }), now: sec(310), expect: [] },
    { name: 'a terminating pod past its grace is force-deleted', pod: pod([default300], {}, { deletionTimestamp: iso(sec(330)) }), now: sec(331), expect: ['forceDelete'] },
  ];
  for (const c of actionCases) it(`podActions: ${c.name}`, () => assert.deepEqual(podActions(c.pod, taint, c.now, 60_000), c.expect));
});
