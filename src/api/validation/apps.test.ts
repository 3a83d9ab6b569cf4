import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.ts';
import { validateCreate, validateUpdate } from './index.ts';

const NS = { isNamespaced: true };
type Json = Record<string, unknown>;

function template(spec: Json = {}, labels: Record<string, string> = { app: 'api' }): Json {
  return {
    metadata: { labels },
    spec: { containers: [{ name: 'api', image: 'api:1.0', terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent' }], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, ...spec },
  };
}

/** A Deployment as it arrives after apps/v1 defaulting. */
function deployment(spec: Json = {}): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'default' },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'api' } },
      template: template(),
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      ...spec,
    },
  };
}

function replicaSet(spec: Json = {}): KubeObject {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'api-5d4f', namespace: 'default' }, spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: template(), ...spec } };
}

const summary = (causes: { field: string; reason: string }[]) => causes.map((c) => `${c.field} ${c.reason}`);

const CASES: { name: string; kind: string; obj: KubeObject; expect: string[] }[] = [
  { name: 'a Deployment without a selector', kind: 'Deployment', obj: deployment({ selector: undefined }), expect: ['spec.selector FieldValueRequired', 'spec.template.metadata.labels FieldValueInvalid'] },
  { name: 'an empty selector', kind: 'Deployment', obj: deployment({ selector: {} }), expect: ['spec.selector FieldValueInvalid'] },
  { name: 'a selector that misses the template labels', kind: 'Deployment', obj: deployment({ selector: { matchLabels: { app: 'web' } } }), expect: ['spec.template.metadata.labels FieldValueInvalid'] },
  { name: 'negative replicas', kind: 'Deployment', obj: deployment({ replicas: -1 }), expect: ['spec.replicas FieldValueInvalid'] },
  { name: 'an unknown strategy type', kind: 'Deployment', obj: deployment({ strategy: { type: 'BlueGreen' } }), expect: ['spec.strategy FieldValueNotSupported'] },
  {
    name: 'maxSurge and maxUnavailable both 0',
    kind: 'Deployment',
    obj: deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: '0%' } } }),
    expect: ['spec.strategy.rollingUpdate.maxUnavailable FieldValueInvalid'],
  },
  {
    name: 'maxUnavailable that is no percentage',
    kind: 'Deployment',
    obj: deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 'half', maxSurge: 1 } } }),
    expect: ['spec.strategy.rollingUpdate.maxUnavailable FieldValueInvalid'],
  },
  { name: 'maxUnavailable above 100%', kind: 'Deployment', obj: deployment({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '150%', maxSurge: 1 } } }), expect: ['spec.strategy.rollingUpdate.maxUnavailable FieldValueInvalid'] },
  { name: 'rollingUpdate with Recreate', kind: 'Deployment', obj: deployment({ strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } }), expect: ['spec.strategy.rollingUpdate FieldValueForbidden'] },
  { name: 'a template restartPolicy of Never', kind: 'Deployment', obj: deployment({ template: template({ restartPolicy: 'Never' }) }), expect: ['spec.template.spec.restartPolicy FieldValueNotSupported'] },
  {
    name: 'a template container without an image',
    kind: 'Deployment',
    obj: deployment({ template: template({ containers: [{ name: 'api', image: '' }] }) }),
    expect: ['spec.template.spec.containers[0].image FieldValueRequired'],
  },
  { name: 'a progress deadline not above minReadySeconds', kind: 'Deployment', obj: deployment({ minReadySeconds: 600 }), expect: ['spec.progressDeadlineSeconds FieldValueInvalid'] },
  {
    name: 'a selector expression In without values',
    kind: 'Deployment',
    obj: deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }),
    expect: ['spec.selector.matchExpressions[0].values FieldValueRequired', 'spec.selector FieldValueInvalid'],
  },
  {
    name: 'a selector expression Exists with values',
    kind: 'ReplicaSet',
    obj: replicaSet({ selector: { matchExpressions: [{ key: 'app', operator: 'Exists', values: ['api'] }] } }),
    expect: ['spec.selector.matchExpressions[0].values FieldValueForbidden', 'spec.selector FieldValueInvalid'],
  },
  {
    name: 'a selector operator that does not exist',
    kind: 'ReplicaSet',
    obj: replicaSet({ selector: { matchExpressions: [{ key: 'app', operator: 'Like', values: ['api'] }] } }),
    expect: ['spec.selector.matchExpressions[0].operator FieldValueInvalid', 'spec.selector FieldValueInvalid'],
  },
  { name: 'a ReplicaSet with negative replicas', kind: 'ReplicaSet', obj: replicaSet({ replicas: -3 }), expect: ['spec.replicas FieldValueInvalid'] },
  { name: 'template labels with an invalid key', kind: 'ReplicaSet', obj: replicaSet({ selector: { matchLabels: { 'bad key': 'x' } }, template: template({}, { 'bad key': 'x' }) }), expect: ['spec.selector.matchLabels FieldValueInvalid', 'spec.selector FieldValueInvalid', 'spec.template.labels FieldValueInvalid'] },
];

describe('Deployment and ReplicaSet validation', () => {
  it('accepts defaulted objects, including a selector with expressions', () => {
    assert.deepEqual(validateCreate('Deployment', deployment(), NS), []);
    assert.deepEqual(validateCreate('ReplicaSet', replicaSet(), NS), []);
    const expr = deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['api', 'web'] }, { key: 'canary', operator: 'DoesNotExist' }] } });
    assert.deepEqual(validateCreate('Deployment', expr, NS), []);
  });

  for (const c of CASES) {
    it(`rejects ${c.name}`, () => assert.deepEqual(summary(validateCreate(c.kind, c.obj, NS)), c.expect));
  }

  it('uses upstream words for a selector that does not match', () => {
    const cause = validateCreate('Deployment', deployment({ selector: { matchLabels: { app: 'web' } } }), NS)[0];
    assert.equal(cause.message, 'Invalid value: {"app":"api"}: `selector` does not match template `labels`');
  });

  it('keeps the selector immutable but lets replicas and the template change', () => {
    const old = deployment();
    assert.deepEqual(validateUpdate('Deployment', deployment({ replicas: 5, template: template({ containers: [{ name: 'api', image: 'api:2.0' }] }) }), old, NS), []);
    const moved = deployment({ selector: { matchLabels: { app: 'api', tier: 'be' } }, template: template({}, { app: 'api', tier: 'be' }) });
    assert.deepEqual(summary(validateUpdate('Deployment', moved, old, NS)), ['spec.selector FieldValueInvalid']);
    assert.deepEqual(summary(validateUpdate('ReplicaSet', replicaSet({ selector: { matchLabels: { app: 'api', v: '2' } }, template: template({}, { app: 'api', v: '2' }) }), replicaSet(), NS)), ['spec.selector FieldValueInvalid']);
  });
});
