import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Taint, Toleration } from './node-fit.ts';
import { effectiveTaints, matchesNodeAffinity, tolerates } from './node-fit.ts';

describe('tolerates', () => {
  const taint: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const cases: { name: string; toleration: Toleration; expect: boolean }[] = [
    { name: 'Equal with the same key, value and effect', toleration: { key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }, expect: true },
    { name: 'Equal is the default operator', toleration: { key: 'dedicated', value: 'gpu' }, expect: true },
    { name: 'Equal with another value', toleration: { key: 'dedicated', value: 'cpu' }, expect: false },
    { name: 'Exists on the key, any value', toleration: { key: 'dedicated', operator: 'Exists' }, expect: true },
    { name: 'another effect', toleration: { key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }, expect: false },
    { name: 'an empty effect matches every effect', toleration: { key: 'dedicated', operator: 'Exists', effect: '' }, expect: true },
    { name: 'empty key with Exists matches every taint', toleration: { operator: 'Exists' }, expect: true },
  ];
  for (const c of cases) it(c.name, () => assert.equal(tolerates(c.toleration, taint), c.expect));
});

describe('effectiveTaints', () => {
  const node = (status: 'True' | 'False' | 'Unknown' | undefined, taints: Taint[] = []): Node => ({
    metadata: { name: 'n' },
    spec: { taints },
    status: { conditions: status ? [{ type: 'Ready', status }] : [] },
  });
  it('adds nothing to a Ready node', () => assert.deepEqual(effectiveTaints(node('True')), []));
  it('adds not-ready for Ready=False or missing', () => {
    assert.deepEqual(effectiveTaints(node('False')), [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
    assert.deepEqual(effectiveTaints(node(undefined)), [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }]);
  });
  it('adds unreachable for Ready=Unknown, once', () => {
    const existing: Taint = { key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule' };
    assert.deepEqual(effectiveTaints(node('Unknown', [existing])), [existing]);
  });
});

describe('matchesNodeAffinity', () => {
  const node: Node = { metadata: { name: 'n1', labels: { zone: 'a', tier: 'web' } } };
  const cases: { name: string; spec: Parameters<typeof matchesNodeAffinity>[0]; expect: boolean }[] = [
    { name: 'no constraints', spec: {}, expect: true },
    { name: 'a matching nodeSelector', spec: { nodeSelector: { zone: 'a' } }, expect: true },
    { name: 'a nodeSelector label the node lacks', spec: { nodeSelector: { zone: 'a', gpu: 'yes' } }, expect: false },
    { name: 'nodeSelector and affinity must both hold', spec: { nodeSelector: { zone: 'a' }, affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['web'] }] }] } } } }, expect: false },
    { name: 'matchFields on metadata.name', spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } } }, expect: true },
    { name: 'an empty term list matches nothing', spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } } } }, expect: false },
    { name: 'preferred-only affinity does not constrain', spec: { affinity: { nodeAffinity: {} } }, expect: true },
  ];
  for (const c of cases) it(c.name, () => assert.equal(matchesNodeAffinity(c.spec, node), c.expect));
});
