import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.ts';
import { applyDefaults } from './index.ts';

const template = () => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx' }] } });

test('a deployment gets replicas, rolling update strategy, history and deadline, and pod template defaults', () => {
  const d: KubeObject = { metadata: { name: 'web' }, spec: { selector: { matchLabels: { app: 'web' } }, template: template() } };
  applyDefaults('Deployment', d);
  const spec = d.spec as any;
  assert.equal(spec.replicas, 1);
  assert.deepEqual(spec.strategy, { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } });
  assert.equal(spec.revisionHistoryLimit, 10);
  assert.equal(spec.progressDeadlineSeconds, 600);
  assert.deepEqual(spec.template.spec, {
    containers: [
      { name: 'web', image: 'nginx', imagePullPolicy: 'Always', terminationMessagePath: '/dev/termination-log', terminationMessagePolicy: 'File', resources: {} },
    ],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler',
  });
});

test('a deployment keeps zero replicas, Recreate and explicit limits', () => {
  const d: KubeObject = {
    metadata: { name: 'web' },
    spec: { replicas: 0, strategy: { type: 'Recreate' }, revisionHistoryLimit: 0, template: template() },
  };
  applyDefaults('Deployment', d);
  const spec = d.spec as any;
  assert.equal(spec.replicas, 0);
  assert.deepEqual(spec.strategy, { type: 'Recreate' });
  assert.equal(spec.revisionHistoryLimit, 0);
});

test('a replica set gets one replica and pod template defaults but no pod-only admission defaults', () => {
  const rs: KubeObject = { metadata: { name: 'web-1' }, spec: { template: template() } };
  applyDefaults('ReplicaSet', rs);
  const spec = rs.spec as any;
  assert.equal(spec.replicas, 1);
  assert.equal(spec.template.spec.restartPolicy, 'Always');
  assert.equal(spec.template.spec.serviceAccountName, undefined);
  assert.equal(spec.template.spec.tolerations, undefined);
  assert.equal(spec.template.spec.enableServiceLinks, undefined);
});
