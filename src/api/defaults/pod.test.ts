import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.ts';
import { applyDefaults } from './index.ts';
import { imageTag } from './pod.ts';

function pod(spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'default' }, spec };
}

test('a minimal pod gets the spec, container and admission defaults upstream gives it', () => {
  const p = pod({ containers: [{ name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] });
  applyDefaults('Pod', p);
  assert.deepEqual(p.spec, {
    containers: [
      {
        name: 'web',
        image: 'nginx:1.27',
        ports: [{ containerPort: 80, protocol: 'TCP' }],
        imagePullPolicy: 'IfNotPresent',
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        resources: {},
      },
    ],
    dnsPolicy: 'ClusterFirst',
    restartPolicy: 'Always',
    securityContext: {},
    terminationGracePeriodSeconds: 30,
    schedulerName: 'default-scheduler',
    enableServiceLinks: true,
    serviceAccountName: 'default',
    serviceAccount: 'default',
    priority: 0,
    preemptionPolicy: 'PreemptLowerPriority',
    tolerations: [
      { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
      { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    ],
  });
});

test('image pull policy is Always for :latest or an untagged image, IfNotPresent otherwise', () => {
  const cases: [string, string][] = [
    ['nginx', 'Always'],
    ['nginx:latest', 'Always'],
    ['localhost:5000/nginx', 'Always'],
    ['localhost:5000/nginx:1.2', 'IfNotPresent'],
    ['nginx:1.27', 'IfNotPresent'],
    ['nginx@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'IfNotPresent'],
    ['nginx:latest@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', 'Always'],
    ['Registry.Example:5000/team/app', 'Always'],
    ['Nginx', 'IfNotPresent'],
    ['nginx:', 'IfNotPresent'],
    ['', 'IfNotPresent'],
  ];
  for (const [image, want] of cases) {
    const p = pod({ containers: [{ name: 'c', image }], initContainers: [{ name: 'i', image }] });
    applyDefaults('Pod', p);
    const spec = p.spec as { containers: { imagePullPolicy: string }[]; initContainers: { imagePullPolicy: string }[] };
    assert.equal(spec.containers[0].imagePullPolicy, want, image);
    assert.equal(spec.initContainers[0].imagePullPolicy, want, `init ${image}`);
  }
  assert.equal(imageTag(''), '');
});

test('a given pull policy, grace period or restart policy is kept', () => {
  const p = pod({
    containers: [{ name: 'c', image: 'busybox', imagePullPolicy: 'Never' }],
    terminationGracePeriodSeconds: 0,
    restartPolicy: 'Never',
  });
  applyDefaults('Pod', p);
  const spec = p.spec as Record<string, any>;
  assert.equal(spec.containers[0].imagePullPolicy, 'Never');
  assert.equal(spec.terminationGracePeriodSeconds, 0);
  assert.equal(spec.restartPolicy, 'Never');
});

test('probes and lifecycle handlers get timing and httpGet defaults', () => {
  const p = pod({
    containers: [
      {
        name: 'c',
        image: 'x:1',
        livenessProbe: { httpGet: { port: 8080 } },
        readinessProbe: { tcpSocket: { port: 80 }, periodSeconds: 5 },
        startupProbe: { grpc: { port: 9000 } },
        lifecycle: { preStop: { httpGet: { port: 80, path: '/quit' } } },
      },
    ],
  });
  applyDefaults('Pod', p);
  const c = (p.spec as any).containers[0];
  assert.deepEqual(c.livenessProbe, {
    httpGet: { port: 8080, path: '/', scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
  assert.equal(c.readinessProbe.periodSeconds, 5);
  assert.equal(c.readinessProbe.timeoutSeconds, 1);
  assert.deepEqual(c.startupProbe.grpc, { port: 9000, service: '' });
  assert.deepEqual(c.lifecycle.preStop.httpGet, { port: 80, path: '/quit', scheme: 'HTTP' });
});

test('requests default to limits on pods only', () => {
  const c = () => ({ name: 'c', image: 'x:1', resources: { limits: { cpu: '500m', memory: '64Mi' }, requests: { cpu: '100m' } } });
  const p = pod({ containers: [c()] });
  applyDefaults('Pod', p);
  assert.deepEqual((p.spec as any).containers[0].resources, {
    limits: { cpu: '500m', memory: '64Mi' },
    requests: { cpu: '100m', memory: '64Mi' },
  });
  const d: KubeObject = { metadata: { name: 'd' }, spec: { template: { spec: { containers: [c()] } } } };
  applyDefaults('Deployment', d);
  assert.deepEqual((d.spec as any).template.spec.containers[0].resources.requests, { cpu: '100m' });
});

test('host-network pods get host ports equal to container ports', () => {
  const p = pod({ hostNetwork: true, containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 53, protocol: 'UDP' }] }] });
  applyDefaults('Pod', p);
  assert.deepEqual((p.spec as any).containers[0].ports, [{ containerPort: 53, protocol: 'UDP', hostPort: 53 }]);
});

test('existing tolerations for the node taints are respected, as DefaultTolerationSeconds does', () => {
  const p = pod({
    containers: [{ name: 'c', image: 'x:1' }],
    tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 }],
  });
  applyDefaults('Pod', p);
  assert.deepEqual((p.spec as any).tolerations, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 10 },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  ]);
  const tolerateAll = pod({ containers: [{ name: 'c', image: 'x:1' }], tolerations: [{ operator: 'Exists' }] });
  applyDefaults('Pod', tolerateAll);
  assert.deepEqual((tolerateAll.spec as any).tolerations, [{ operator: 'Exists' }]);
});

test('service account names are kept and mirrored into the deprecated field', () => {
  const p = pod({ containers: [{ name: 'c', image: 'x:1' }], serviceAccountName: 'robot' });
  applyDefaults('Pod', p);
  assert.equal((p.spec as any).serviceAccountName, 'robot');
  assert.equal((p.spec as any).serviceAccount, 'robot');
  const old = pod({ containers: [{ name: 'c', image: 'x:1' }], serviceAccount: 'legacy' });
  applyDefaults('Pod', old);
  assert.equal((old.spec as any).serviceAccountName, 'legacy');
});

test('system priority classes resolve to their values', () => {
  const p = pod({ containers: [{ name: 'c', image: 'x:1' }], priorityClassName: 'system-node-critical' });
  applyDefaults('Pod', p);
  assert.equal((p.spec as any).priority, 2000001000);
  const custom = pod({ containers: [{ name: 'c', image: 'x:1' }], priorityClassName: 'batch-low' });
  applyDefaults('Pod', custom);
  assert.equal((custom.spec as any).priority, undefined);
});

test('volumes get their upstream defaults', () => {
  const p = pod({
    containers: [{ name: 'c', image: 'x:1', env: [{ name: 'NODE', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } }] }],
    volumes: [
      { name: 'scratch' },
      { name: 's', secret: { secretName: 'x' } },
      { name: 'cm', configMap: { name: 'x', defaultMode: 0o600 } },
      { name: 'h', hostPath: { path: '/tmp' } },
      { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } },
    ],
  });
  applyDefaults('Pod', p);
  const spec = p.spec as any;
  assert.deepEqual(spec.volumes, [
    { name: 'scratch', emptyDir: {} },
    { name: 's', secret: { secretName: 'x', defaultMode: 420 } },
    { name: 'cm', configMap: { name: 'x', defaultMode: 0o600 } },
    { name: 'h', hostPath: { path: '/tmp', type: '' } },
    { name: 'proj', projected: { sources: [{ serviceAccountToken: { path: 'token', expirationSeconds: 3600 } }], defaultMode: 420 } },
  ]);
  assert.equal(spec.containers[0].env[0].valueFrom.fieldRef.apiVersion, 'v1');
});
