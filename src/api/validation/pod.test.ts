import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.ts';
import { validateCreate, validateUpdate } from './index.ts';

const NS = { isNamespaced: true };
type Json = Record<string, unknown>;

function container(extra: Json = {}): Json {
  return { name: 'web', image: 'nginx:1.27', ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }], terminationMessagePolicy: 'File', imagePullPolicy: 'IfNotPresent', ...extra };
}

/** A Pod as it arrives after defaulting. */
function pod(spec: Json = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-1', namespace: 'default', labels: { app: 'web' } },
    spec: { containers: [container()], restartPolicy: 'Always', dnsPolicy: 'ClusterFirst', terminationGracePeriodSeconds: 30, ...spec },
  };
}

const summary = (causes: { field: string; reason: string }[]) => causes.map((c) => `${c.field} ${c.reason}`);
const probe = (handler: Json) => ({ ...handler, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 });

const CASES: { name: string; pod: KubeObject; expect: string[] }[] = [
  { name: 'no containers', pod: pod({ containers: [] }), expect: ['spec.containers FieldValueRequired'] },
  { name: 'a container without an image', pod: pod({ containers: [container({ image: '' })] }), expect: ['spec.containers[0].image FieldValueRequired'] },
  { name: 'a container name with an underscore', pod: pod({ containers: [container({ name: 'web_1' })] }), expect: ['spec.containers[0].name FieldValueInvalid'] },
  {
    name: 'an init container named like a container',
    pod: pod({ initContainers: [container({ ports: [] })] }),
    expect: ['spec.initContainers[0].name FieldValueDuplicate'],
  },
  { name: 'containerPort 0', pod: pod({ containers: [container({ ports: [{ containerPort: 0, protocol: 'TCP' }] })] }), expect: ['spec.containers[0].ports[0].containerPort FieldValueRequired'] },
  { name: 'containerPort 70000', pod: pod({ containers: [container({ ports: [{ containerPort: 70000, protocol: 'TCP' }] })] }), expect: ['spec.containers[0].ports[0].containerPort FieldValueInvalid'] },
  { name: 'hostPort 70000', pod: pod({ containers: [container({ ports: [{ containerPort: 80, hostPort: 70000, protocol: 'TCP' }] })] }), expect: ['spec.containers[0].ports[0].hostPort FieldValueInvalid'] },
  { name: 'an unknown port protocol', pod: pod({ containers: [container({ ports: [{ containerPort: 80, protocol: 'ICMP' }] })] }), expect: ['spec.containers[0].ports[0].protocol FieldValueNotSupported'] },
  { name: 'a port name longer than 15', pod: pod({ containers: [container({ ports: [{ name: 'a-very-long-port-name', containerPort: 80, protocol: 'TCP' }] })] }), expect: ['spec.containers[0].ports[0].name FieldValueInvalid'] },
  {
    name: 'two ports with one name',
    pod: pod({ containers: [container({ ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }, { name: 'http', containerPort: 81, protocol: 'TCP' }] })] }),
    expect: ['spec.containers[0].ports[1].name FieldValueDuplicate'],
  },
  { name: 'an env name starting with a digit', pod: pod({ containers: [container({ env: [{ name: '1PORT', value: '80' }] })] }), expect: ['spec.containers[0].env[0].name FieldValueInvalid'] },
  { name: 'an env var without a name', pod: pod({ containers: [container({ env: [{ value: '80' }] })] }), expect: ['spec.containers[0].env[0].name FieldValueRequired'] },
  {
    name: 'env valueFrom with a value too',
    pod: pod({ containers: [container({ env: [{ name: 'NODE', value: 'x', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.nodeName' } } }] })] }),
    expect: ['spec.containers[0].env[0].valueFrom FieldValueInvalid'],
  },
  {
    name: 'an env fieldRef to an unsupported field',
    pod: pod({ containers: [container({ env: [{ name: 'X', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'spec.hostname' } } }] })] }),
    expect: ['spec.containers[0].env[0].valueFrom.fieldRef.fieldPath FieldValueNotSupported'],
  },
  { name: 'restartPolicy Sometimes', pod: pod({ restartPolicy: 'Sometimes' }), expect: ['spec.restartPolicy FieldValueNotSupported'] },
  { name: 'an unknown dnsPolicy', pod: pod({ dnsPolicy: 'Google' }), expect: ['spec.dnsPolicy FieldValueNotSupported'] },
  { name: 'dnsPolicy None without dnsConfig', pod: pod({ dnsPolicy: 'None' }), expect: ['spec.dnsConfig FieldValueRequired'] },
  {
    name: 'a probe with two handlers',
    pod: pod({ containers: [container({ livenessProbe: probe({ httpGet: { path: '/', port: 80, scheme: 'HTTP' }, tcpSocket: { port: 80 } }) })] }),
    expect: ['spec.containers[0].livenessProbe.tcpSocket FieldValueForbidden'],
  },
  { name: 'a probe with no handler', pod: pod({ containers: [container({ readinessProbe: probe({}) })] }), expect: ['spec.containers[0].readinessProbe FieldValueRequired'] },
  {
    name: 'a liveness probe needing two successes',
    pod: pod({ containers: [container({ livenessProbe: { ...probe({ tcpSocket: { port: 'http' } }), successThreshold: 2 } })] }),
    expect: ['spec.containers[0].livenessProbe.successThreshold FieldValueInvalid'],
  },
  {
    name: 'requests above limits',
    pod: pod({ containers: [container({ resources: { requests: { cpu: '2' }, limits: { cpu: '500m' } } })] }),
    expect: ['spec.containers[0].resources.requests FieldValueInvalid'],
  },
  { name: 'a resource quantity that is no quantity', pod: pod({ containers: [container({ resources: { limits: { memory: '1 GB' } } })] }), expect: ['spec.containers[0].resources.limits[memory] FieldValueInvalid'] },
  { name: 'a volume mount of no volume', pod: pod({ containers: [container({ volumeMounts: [{ name: 'data', mountPath: '/data' }] })] }), expect: ['spec.containers[0].volumeMounts[0].name FieldValueNotFound'] },
  { name: 'a volume with two sources', pod: pod({ volumes: [{ name: 'data', emptyDir: {}, hostPath: { path: '/tmp' } }] }), expect: ['spec.volumes[0].hostPath FieldValueForbidden'] },
  { name: 'a toleration with an unknown operator', pod: pod({ tolerations: [{ key: 'k', operator: 'Like', effect: 'NoSchedule' }] }), expect: ['spec.tolerations[0].operator FieldValueNotSupported'] },
  { name: 'a hostname with dots', pod: pod({ hostname: 'web.local' }), expect: ['spec.hostname FieldValueInvalid'] },
  { name: 'an image with trailing whitespace', pod: pod({ containers: [container({ image: 'nginx ' })] }), expect: ['spec.containers[0].image FieldValueInvalid'] },
  {
    name: 'hostNetwork with a different hostPort',
    pod: pod({ hostNetwork: true, containers: [container({ ports: [{ containerPort: 80, hostPort: 8080, protocol: 'TCP' }] })] }),
    expect: ['spec.containers[0].ports[0].hostPort FieldValueInvalid'],
  },
];

describe('Pod validation', () => {
  it('accepts a defaulted pod with probes, env, volumes and resources', () => {
    const ok = pod({
      volumes: [{ name: 'config', configMap: { name: 'web' } }],
      containers: [
        container({
          env: [{ name: 'MY_ENV.NAME', value: 'x' }, { name: 'POD_IP', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'status.podIP' } } }],
          volumeMounts: [{ name: 'config', mountPath: '/etc/web' }],
          resources: { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '1', memory: '128Mi' } },
          readinessProbe: probe({ httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' } }),
          livenessProbe: probe({ tcpSocket: { port: 80 } }),
        }),
      ],
    });
    assert.deepEqual(validateCreate('Pod', ok, NS), []);
  });

  for (const c of CASES) {
    it(`rejects ${c.name}`, () => assert.deepEqual(summary(validateCreate('Pod', c.pod, NS)), c.expect));
  }

  it('says "Required value" for a missing image, as upstream', () => {
    const [cause] = validateCreate('Pod', pod({ containers: [container({ image: '' })] }), NS);
    assert.equal(cause.message, 'Required value');
  });

  it('allows an update of images, a shorter deadline and added tolerations', () => {
    const old = pod({ activeDeadlineSeconds: 600, tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }] });
    const next = pod({
      containers: [container({ image: 'nginx:1.28' })],
      activeDeadlineSeconds: 300,
      tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }, { key: 'b', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }],
    });
    assert.deepEqual(validateUpdate('Pod', next, old, NS), []);
  });

  it('forbids other spec changes with upstream message', () => {
    const old = pod();
    const next = pod({ containers: [container({ ports: [{ name: 'http', containerPort: 81, protocol: 'TCP' }] })] });
    const causes = validateUpdate('Pod', next, old, NS);
    assert.deepEqual(summary(causes), ['spec FieldValueForbidden']);
    assert.match(causes[0].message, /^Forbidden: pod updates may not change fields other than `spec\.containers\[\*\]\.image`,`spec\.initContainers\[\*\]\.image`,`spec\.activeDeadlineSeconds`,/);
    assert.match(causes[0].message, /spec\.containers\[0\]\.ports\[0\]\.containerPort/);
  });

  it('forbids adding containers, lengthening the deadline and editing tolerations', () => {
    assert.deepEqual(summary(validateUpdate('Pod', pod({ containers: [container(), container({ name: 'sidecar', ports: [] })] }), pod(), NS)), ['spec.containers FieldValueForbidden']);
    assert.deepEqual(summary(validateUpdate('Pod', pod({ activeDeadlineSeconds: 900 }), pod({ activeDeadlineSeconds: 600 }), NS)), ['spec.activeDeadlineSeconds FieldValueInvalid']);
    const old = pod({ tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoSchedule' }] });
    assert.deepEqual(summary(validateUpdate('Pod', pod({ tolerations: [{ key: 'a', operator: 'Exists', effect: 'NoExecute' }] }), old, NS)), ['spec.tolerations FieldValueForbidden']);
  });

  it('forbids adding a finalizer to a pod being deleted', () => {
    const old = pod();
    old.metadata.deletionTimestamp = '2025-01-01T00:00:00Z';
    const next = pod();
    next.metadata = { ...next.metadata, deletionTimestamp: '2025-01-01T00:00:00Z', finalizers: ['example.com/keep'] };
    assert.deepEqual(summary(validateUpdate('Pod', next, old, NS)), ['metadata.finalizers FieldValueForbidden']);
  });
});
