import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKubernetesProtobuf } from './decode.ts';

// A tiny encoder for the tests: a message is a list of [field number, value] in wire order, the way
// Go's generated marshallers write them (zero-valued non-pointer fields included).
type Value = string | number | bigint | boolean | Uint8Array | Msg;
type Msg = Array<[number, Value]>;

function varint(v: bigint): number[] {
  let n = BigInt.asUintN(64, v);
  const out: number[] = [];
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
  return out;
}

function encode(msg: Msg): Uint8Array {
  const out: number[] = [];
  for (const [field, value] of msg) {
    if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean') {
      out.push(...varint(BigInt(field << 3)), ...varint(BigInt(typeof value === 'boolean' ? Number(value) : value)));
      continue;
    }
    const payload = typeof value === 'string' ? new TextEncoder().encode(value) : value instanceof Uint8Array ? value : encode(value);
    out.push(...varint(BigInt((field << 3) | 2)), ...varint(BigInt(payload.length)), ...payload);
  }
  return new Uint8Array(out);
}

const entry = (key: string, value: Value): Msg => [[1, key], [2, value]];
const intOrString = (v: number | string): Msg => (typeof v === 'number' ? [[1, 0], [2, v], [3, '']] : [[1, 1], [2, 0], [3, v]]);
/** ObjectMeta as Go writes it: every string present, an empty Time for creationTimestamp. */
const meta = (name: string, extra: Msg = []): Msg => [[1, name], [2, ''], [3, ''], [4, ''], [5, ''], [6, ''], [7, 0], [8, []], ...extra];

function envelope(apiVersion: string, kind: string, object: Msg, extra: Msg = [[3, ''], [4, '']]): Uint8Array {
  const body = encode([[1, [[1, apiVersion], [2, kind]]], [2, encode(object)], ...extra]);
  return new Uint8Array([0x6b, 0x38, 0x73, 0x00, ...body]);
}

describe('decodeKubernetesProtobuf', () => {
  it('decodes a Namespace, dropping zero-valued strings and the zero creationTimestamp', () => {
    const ns = [[1, meta('team-a', [[11, entry('env', 'prod')], [11, entry('tier', '')], [12, entry('note', 'hi')]])], [2, []], [3, [[1, '']]]] as Msg;
    const d = decodeKubernetesProtobuf(envelope('v1', 'Namespace', ns));
    assert.equal(d.apiVersion, 'v1');
    assert.equal(d.kind, 'Namespace');
    assert.deepEqual(d.object, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { env: 'prod', tier: '' }, annotations: { note: 'hi' } }, spec: {}, status: {} });
  });

  it('decodes the rest of ObjectMeta: uid, generation, timestamps, owner references and finalizers', () => {
    const owner: Msg = [[1, 'Deployment'], [3, 'web'], [4, 'u-1'], [5, 'apps/v1'], [6, true], [7, false]];
    const m: Msg = [[1, 'cm'], [3, 'default'], [5, 'uid-7'], [6, '42'], [7, 3], [8, [[1, 1714564800], [2, 500]]], [13, owner], [14, 'a/b'], [14, 'c/d']];
    const d = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', [[1, m]]));
    assert.deepEqual(d.object.metadata, {
      name: 'cm', namespace: 'default', uid: 'uid-7', resourceVersion: '42', generation: 3, creationTimestamp: '2024-05-01T12:00:00Z',
      ownerReferences: [{ kind: 'Deployment', name: 'web', uid: 'u-1', apiVersion: 'apps/v1', controller: true, blockOwnerDeletion: false }],
      finalizers: ['a/b', 'c/d'],
    });
  });

  it('decodes a ConfigMap with data, base64 binaryData and an explicit immutable: false', () => {
    const cm: Msg = [[1, meta('cfg')], [2, entry('a', '1')], [2, entry('b', 'two')], [3, entry('blob', new Uint8Array([0, 1, 255]))], [4, false]];
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', cm)).object, {
      apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg' }, data: { a: '1', b: 'two' }, binaryData: { blob: 'AAH/' }, immutable: false,
    });
  });

  it('decodes a Secret: bytes values become base64, stringData stays plain', () => {
    const s: Msg = [[1, meta('creds')], [2, entry('pass', 'p@ss')], [2, entry('raw', new Uint8Array([0xff, 0xfe]))], [3, 'Opaque'], [4, entry('user', 'admin')]];
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'Secret', s)).object, {
      apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds' }, data: { pass: 'cEBzcw==', raw: '//4=' }, type: 'Opaque', stringData: { user: 'admin' },
    });
  });

  it('decodes a ServiceAccount with secrets and imagePullSecrets', () => {
    const sa: Msg = [[1, meta('bot')], [2, [[1, 'Secret'], [3, 'tok']]], [3, [[1, 'regcred']]], [4, true]];
    assert.deepEqual(decodeKubernetesProtobuf(envelope('v1', 'ServiceAccount', sa)).object, {
      apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'bot' }, secrets: [{ kind: 'Secret', name: 'tok' }], imagePullSecrets: [{ name: 'regcred' }], automountServiceAccountToken: true,
    });
  });

  it('decodes a Service: repeated ports with int and string targetPorts, selector, clusterIPs and policies', () => {
    const port = (name: string, p: number, target: number | string, nodePort = 0): Msg => [[1, name], [2, 'TCP'], [3, p], [4, intOrString(target)], [5, nodePort]];
    const spec: Msg = [
      [1, port('http', 80, 8080)], [1, port('admin', 9000, 'admin', 30900)], [1, port('same', 81, 0)],
      [2, entry('app', 'web')], [3, '10.96.0.10'], [4, 'NodePort'], [5, '192.0.2.1'], [7, 'ClientIP'], [8, ''], [10, ''], [11, 'Local'], [12, 0], [13, false], [18, '10.96.0.10'],
    ];
    const d = decodeKubernetesProtobuf(envelope('v1', 'Service', [[1, meta('web')], [2, spec], [3, [[1, []]]]]));
    assert.deepEqual(d.object, {
      apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' },
      spec: {
        ports: [
          { name: 'http', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: 'admin', protocol: 'TCP', port: 9000, targetPort: 'admin', nodePort: 30900 },
          { name: 'same', protocol: 'TCP', port: 81 },
        ],
        selector: { app: 'web' }, clusterIP: '10.96.0.10', type: 'NodePort', externalIPs: ['192.0.2.1'], sessionAffinity: 'ClientIP', externalTrafficPolicy: 'Local', clusterIPs: ['10.96.0.10'],
      },
      status: { loadBalancer: {} },
    });
  });

  it('decodes an ExternalName Service', () => {
    const d = decodeKubernetesProtobuf(envelope('v1', 'Service', [[1, meta('e1')], [2, [[4, 'ExternalName'], [10, 'example.com']]]]));
    assert.deepEqual(d.object.spec, { type: 'ExternalName', externalName: 'example.com' });
  });

  it('decodes a Deployment down to the containers of its pod template', () => {
    const env: Msg[] = [
      [[1, 'MODE'], [2, 'prod']],
      [[1, 'LEVEL'], [2, ''], [3, [[3, [[1, [[1, 'app-config']]], [2, 'level'], [3, true]]]]]],
      [[1, 'POD'], [2, ''], [3, [[1, [[1, 'v1'], [2, 'metadata.name']]]]]],
    ];
    const container: Msg = [
      [1, 'web'], [2, 'nginx:1.27'], [3, 'nginx'], [4, '-g'], [4, 'daemon off;'], [5, ''],
      [6, [[1, 'http'], [2, 0], [3, 80], [4, 'TCP'], [5, '']]],
      ...env.map((e): [number, Value] => [7, e]),
      [8, [[1, entry('memory', [[1, '128Mi']])], [2, entry('cpu', [[1, '100m']])]]],
      [9, [[1, 'cfg'], [2, true], [3, '/etc/web'], [4, ''], [6, '']]],
      [11, [[1, [[2, [[1, '/healthz'], [2, intOrString('http')], [3, ''], [4, 'HTTP']]]]], [2, 0], [3, 1], [4, 10], [5, 1], [6, 3]]],
      [13, '/dev/termination-log'], [14, 'IfNotPresent'], [16, false], [17, false], [18, false],
    ];
    const podSpec: Msg = [
      [1, [[1, 'cfg'], [2, [[19, [[1, [[1, 'web-config']]], [3, 420]]]]]]],
      [1, [[1, 'tmp'], [2, [[2, [[1, 'Memory']]]]]]],
      [2, container], [3, 'Always'], [4, 30], [6, 'ClusterFirst'], [11, false],
      [14, [[4, 1000], [4, 2000], [5, 1000]]],
    ];
    const spec: Msg = [
      [1, 0],
      [2, [[1, entry('app', 'web')], [2, [[1, 'tier'], [2, 'In'], [3, 'front'], [3, 'edge']]]]],
      [3, [[1, meta('', [[11, entry('app', 'web')]])], [2, podSpec]]],
      [4, [[1, 'RollingUpdate'], [2, [[1, intOrString(1)], [2, intOrString('25%')]]]]],
      [5, 0], [6, 10], [7, false], [9, 600],
    ];
    const d = decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', [[1, meta('web', [[11, entry('app', 'web')]])], [2, spec], [3, [[1, 0], [2, 0]]]]));
    assert.equal(d.apiVersion, 'apps/v1');
    assert.deepEqual(d.object, {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'edge'] }] },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            volumes: [{ name: 'cfg', configMap: { name: 'web-config', defaultMode: 420 } }, { name: 'tmp', emptyDir: { medium: 'Memory' } }],
            containers: [{
              name: 'web', image: 'nginx:1.27', command: ['nginx'], args: ['-g', 'daemon off;'],
              ports: [{ name: 'http', containerPort: 80, protocol: 'TCP' }],
              env: [
                { name: 'MODE', value: 'prod' },
                { name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'level', optional: true } } },
                { name: 'POD', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
              ],
              resources: { limits: { memory: '128Mi' }, requests: { cpu: '100m' } },
              volumeMounts: [{ name: 'cfg', readOnly: true, mountPath: '/etc/web' }],
              readinessProbe: { httpGet: { path: '/healthz', port: 'http', scheme: 'HTTP' }, timeoutSeconds: 1, periodSeconds: 10, successThreshold: 1, failureThreshold: 3 },
              terminationMessagePath: '/dev/termination-log', imagePullPolicy: 'IfNotPresent',
            }],
            restartPolicy: 'Always', terminationGracePeriodSeconds: 30, dnsPolicy: 'ClusterFirst',
            securityContext: { supplementalGroups: [1000, 2000], fsGroup: 1000 },
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
        revisionHistoryLimit: 10, progressDeadlineSeconds: 600,
      },
      status: {},
    });
  });

  it('accepts packed repeated integers', () => {
    const packed = new Uint8Array([...varint(1000n), ...varint(2000n)]);
    const podSpec: Msg = [[14, [[4, packed]]]];
    const d = decodeKubernetesProtobuf(envelope('v1', 'Pod', [[1, meta('p')], [2, podSpec]]));
    assert.deepEqual((d.object.spec as { securityContext: unknown }).securityContext, { supplementalGroups: [1000, 2000] });
  });

  it('decodes negative integers written as 64-bit two’s complement', () => {
    const d = decodeKubernetesProtobuf(envelope('apps/v1', 'Deployment', [[2, [[1, -1]]]]));
    assert.deepEqual(d.object.spec, { replicas: -1 });
  });

  it('decodes an Ingress, whose rule value is embedded inline', () => {
    const backend = (svc: string, port: Msg): Msg => [[4, [[1, svc], [2, port]]]];
    const rule: Msg = [[1, 'foo.com'], [2, [[1, [[1, [[1, '/bar'], [2, backend('svc1', [[1, ''], [2, 8080]])], [3, 'Prefix']]]]]]]];
    const spec: Msg = [[1, backend('def', [[1, 'http'], [2, 0]])], [2, [[1, 'foo.com'], [2, 'cert']]], [3, rule], [4, 'nginx']];
    const d = decodeKubernetesProtobuf(envelope('networking.k8s.io/v1', 'Ingress', [[1, meta('ing')], [2, spec]]));
    assert.deepEqual(d.object.spec, {
      defaultBackend: { service: { name: 'def', port: { name: 'http' } } },
      tls: [{ hosts: ['foo.com'], secretName: 'cert' }],
      rules: [{ host: 'foo.com', http: { paths: [{ path: '/bar', backend: { service: { name: 'svc1', port: { number: 8080 } } }, pathType: 'Prefix' }] } }],
      ingressClassName: 'nginx',
    });
  });

  it('skips unknown fields of every wire type, at the top and nested', () => {
    const fixed32 = (field: number) => new Uint8Array([...varint(BigInt((field << 3) | 5)), 1, 2, 3, 4]);
    const fixed64 = (field: number) => new Uint8Array([...varint(BigInt((field << 3) | 1)), 1, 2, 3, 4, 5, 6, 7, 8]);
    const metaBytes = new Uint8Array([...encode([[1, 'cm'], [99, 'future'], [98, 7]]), ...fixed32(97), ...fixed64(96)]);
    const d = decodeKubernetesProtobuf(envelope('v1', 'ConfigMap', [[1, metaBytes], [2, entry('k', 'v')], [77, [[1, 'x']]]]));
    assert.deepEqual(d.object, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { k: 'v' } });
  });

  it('rejects a body without the k8s prefix', () => {
    assert.throws(() => decodeKubernetesProtobuf(new TextEncoder().encode('{"kind":"Namespace"}')), /prefix/);
    assert.throws(() => decodeKubernetesProtobuf(new Uint8Array([0x6b, 0x38])), /prefix/);
  });

  it('rejects truncated input', () => {
    const full = envelope('v1', 'Namespace', [[1, meta('team-a')]]);
    for (const cut of [5, 10, full.length - 3, full.length - 1]) {
      assert.throws(() => decodeKubernetesProtobuf(full.subarray(0, cut)), Error, `cut at ${cut}`);
    }
  });

  it('rejects garbage after the prefix', () => {
    assert.throws(() => decodeKubernetesProtobuf(new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0xff, 0xff, 0xff])), Error);
    assert.throws(() => decodeKubernetesProtobuf(new Uint8Array([0x6b, 0x38, 0x73, 0x00, 0x0b])), /wire type 3/);
  });

  it('rejects a known field sent with the wrong wire type', () => {
    assert.throws(() => decodeKubernetesProtobuf(envelope('v1', 'Namespace', [[1, 5]])), /field metadata: expected wire type 2, got 0/);
  });

  it('rejects strings that are not UTF-8', () => {
    assert.throws(() => decodeKubernetesProtobuf(envelope('v1', 'Namespace', [[1, [[1, new Uint8Array([0xc3, 0x28])]]]])), /UTF-8/);
  });

  it('rejects envelopes without a kind, with an encoding, or of an unsupported kind', () => {
    assert.throws(() => decodeKubernetesProtobuf(envelope('v1', '', [])), /no apiVersion and kind/);
    assert.throws(() => decodeKubernetesProtobuf(envelope('v1', 'Namespace', [], [[3, 'gzip']])), /content encoding "gzip"/);
    assert.throws(() => decodeKubernetesProtobuf(envelope('batch/v1', 'Job', [])), /Job \(batch\/v1\) are not supported/);
  });
});
