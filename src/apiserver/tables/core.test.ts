import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  configMapPrinter,
  endpointsPrinter,
  eventPrinter,
  namespacePrinter,
  nodePrinter,
  secretPrinter,
  serviceAccountPrinter,
  servicePrinter,
} from './core.ts';

const now = new Date('2025-06-01T12:00:00Z');
const meta = (name: string, extra: Record<string, unknown> = {}) => ({ name, namespace: 'default', creationTimestamp: '2025-06-01T11:55:00Z', ...extra });

function svc(name: string, spec: Record<string, unknown>, status: Record<string, unknown> = {}) {
  return { metadata: meta(name), spec: { clusterIPs: spec.clusterIP ? [spec.clusterIP] : undefined, ...spec }, status };
}

test('services print type, cluster IP, external IP and ports as kubectl shows them', () => {
  const cases: [string, ReturnType<typeof svc>, unknown[]][] = [
    [
      'NodePort',
      svc('web', { type: 'NodePort', clusterIP: '198.19.0.12', selector: { app: 'web' }, ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }] }),
      ['web', 'NodePort', '198.19.0.12', '<none>', '80:30080/TCP', '5m', 'app=web'],
    ],
    [
      'ClusterIP with two ports',
      svc('dns', { type: 'ClusterIP', clusterIP: '198.19.0.10', selector: { k8s: 'dns', app: 'coredns' }, ports: [{ port: 53, protocol: 'UDP' }, { port: 53, protocol: 'TCP' }] }),
      ['dns', 'ClusterIP', '198.19.0.10', '<none>', '53/UDP,53/TCP', '5m', 'app=coredns,k8s=dns'],
    ],
    [
      'headless without ports or selector',
      svc('db', { type: 'ClusterIP', clusterIP: 'None' }),
      ['db', 'ClusterIP', 'None', '<none>', '<none>', '5m', '<none>'],
    ],
    [
      'ClusterIP with external IPs',
      svc('ext', { type: 'ClusterIP', clusterIP: '198.19.0.20', externalIPs: ['192.0.2.10', '192.0.2.11'], ports: [{ port: 80, protocol: 'TCP' }] }),
      ['ext', 'ClusterIP', '198.19.0.20', '192.0.2.10,192.0.2.11', '80/TCP', '5m', '<none>'],
    ],
    [
      'LoadBalancer still pending',
      svc('lb', { type: 'LoadBalancer', clusterIP: '198.19.0.30', ports: [{ port: 443, nodePort: 31443, protocol: 'TCP' }] }, { loadBalancer: {} }),
      ['lb', 'LoadBalancer', '198.19.0.30', '<pending>', '443:31443/TCP', '5m', '<none>'],
    ],
    [
      'LoadBalancer with ingress points and external IPs',
      svc(
        'lb2',
        { type: 'LoadBalancer', clusterIP: '198.19.0.31', externalIPs: ['192.0.2.50'], ports: [{ port: 80, nodePort: 30001, protocol: 'TCP' }] },
        { loadBalancer: { ingress: [{ ip: '203.0.113.9' }, { hostname: 'lb.example.com' }, { ip: '203.0.113.2' }] } },
      ),
      ['lb2', 'LoadBalancer', '198.19.0.31', '203.0.113.2,203.0.113.9,lb.example.com,192.0.2.50', '80:30001/TCP', '5m', '<none>'],
    ],
    ['ExternalName', svc('ex', { type: 'ExternalName', externalName: 'example.com' }), ['ex', 'ExternalName', '<none>', 'example.com', '<none>', '5m', '<none>']],
  ];
  for (const [name, obj, want] of cases) assert.deepEqual(servicePrinter.cells(obj, now), want, name);
  assert.deepEqual(
    servicePrinter.columns.map((c) => [c.name, c.priority]),
    [['Name', 0], ['Type', 0], ['Cluster-IP', 0], ['External-IP', 0], ['Port(s)', 0], ['Age', 0], ['Selector', 1]],
  );
});

test('endpoints list up to three address:port pairs, then count the rest', () => {
  const ep = {
    metadata: meta('web'),
    subsets: [
      { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports: [{ port: 80 }, { port: 443 }] },
      { addresses: [{ ip: 'fd00::5' }], notReadyAddresses: [{ ip: '10.0.0.9' }], ports: [{ port: 80 }] },
    ],
  };
  assert.deepEqual(endpointsPrinter.cells(ep, now), ['web', '10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...', '5m']);
  const few = { metadata: meta('api'), subsets: [{ addresses: [{ ip: 'fd00::5' }], ports: [{ port: 6443 }] }] };
  assert.deepEqual(endpointsPrinter.cells(few, now), ['api', '[fd00::5]:6443', '5m']);
  const headless = { metadata: meta('h'), subsets: [{ addresses: [{ ip: '10.0.0.1' }] }] };
  assert.deepEqual(endpointsPrinter.cells(headless, now), ['h', '10.0.0.1', '5m']);
  assert.deepEqual(endpointsPrinter.cells({ metadata: meta('none') }, now), ['none', '<none>', '5m']);
  assert.deepEqual(endpointsPrinter.cells({ metadata: meta('unready'), subsets: [{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }] }, now), ['unready', '', '5m']);
});

test('namespaces, secrets, config maps and service accounts print their counts and phase', () => {
  assert.deepEqual(namespacePrinter.cells({ metadata: meta('kube-system'), status: { phase: 'Active' } }, now), ['kube-system', 'Active', '5m']);
  assert.deepEqual(secretPrinter.cells({ metadata: meta('tls'), type: 'kubernetes.io/tls', data: { 'tls.crt': 'x', 'tls.key': 'y' } }, now), ['tls', 'kubernetes.io/tls', 2, '5m']);
  assert.deepEqual(secretPrinter.cells({ metadata: meta('empty'), type: 'Opaque' }, now), ['empty', 'Opaque', 0, '5m']);
  assert.deepEqual(configMapPrinter.cells({ metadata: meta('cfg'), data: { a: '1', b: '2' }, binaryData: { c: 'AA==' } }, now), ['cfg', 3, '5m']);
  assert.deepEqual(serviceAccountPrinter.cells({ metadata: meta('default') }, now), ['default', 0, '5m']);
  assert.deepEqual(serviceAccountPrinter.cells({ metadata: meta('bot'), secrets: [{ name: 'bot-token' }] }, now), ['bot', 1, '5m']);
});

test('nodes print readiness, roles, version and the wide system info', () => {
  const node = {
    metadata: meta('node-1', { labels: { 'node-role.kubernetes.io/control-plane': '', 'node-role.kubernetes.io/': '', 'kubernetes.io/role': 'edge' } }),
    spec: { unschedulable: true },
    status: {
      conditions: [{ type: 'MemoryPressure', status: 'False' }, { type: 'Ready', status: 'True' }],
      addresses: [{ type: 'Hostname', address: 'node-1' }, { type: 'InternalIP', address: '192.168.1.10' }],
      nodeInfo: { kubeletVersion: 'v1.32.0-skiff', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-18-amd64', containerRuntimeVersion: 'skiff://0.1.0' },
    },
  };
  assert.deepEqual(nodePrinter.cells(node, now), [
    'node-1', 'Ready,SchedulingDisabled', 'control-plane,edge', '5m', 'v1.32.0-skiff',
    '192.168.1.10', '<none>', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-18-amd64', 'skiff://0.1.0',
  ]);
  const bare = { metadata: meta('n2'), status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } };
  assert.deepEqual(nodePrinter.cells(bare, now), ['n2', 'NotReady', '<none>', '5m', '', '<none>', '<none>', '<unknown>', '<unknown>', '<unknown>']);
  assert.equal(nodePrinter.cells({ metadata: meta('n3') }, now)[1], 'Unknown');
});

test('events print last seen, type, reason, object and message, then the wide columns', () => {
  const ev = {
    metadata: meta('web-1.17f3'),
    involvedObject: { kind: 'Pod', name: 'web-1', namespace: 'default', fieldPath: 'spec.containers{web}' },
    reason: 'Pulled',
    message: 'Successfully pulled image "nginx"\n',
    type: 'Normal',
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2025-06-01T11:00:00Z',
    lastTimestamp: '2025-06-01T11:58:00Z',
    count: 4,
  };
  assert.deepEqual(eventPrinter.cells(ev, now), [
    '2m', 'Normal', 'Pulled', 'pod/web-1', 'spec.containers{web}', 'kubelet, node-1', 'Successfully pulled image "nginx"', '60m', 4, 'web-1.17f3',
  ]);
  const newApi = {
    metadata: meta('x'),
    involvedObject: { kind: 'Node' },
    reason: 'Starting',
    type: 'Normal',
    eventTime: '2025-06-01T11:59:30.123456Z',
    firstTimestamp: null,
    lastTimestamp: null,
    reportingController: 'skiff-node',
    reportingInstance: 'node-1',
  };
  assert.deepEqual(eventPrinter.cells(newApi, now), ['29s', 'Normal', 'Starting', 'node', '', 'skiff-node, node-1', '', '29s', 1, 'x']);
  const series = { ...newApi, series: { count: 7, lastObservedTime: '2025-06-01T11:59:50.000000Z' } };
  assert.deepEqual(eventPrinter.cells(series, now).slice(0, 1).concat(eventPrinter.cells(series, now).slice(8, 9)), ['10s', 7]);
  assert.deepEqual(
    eventPrinter.columns.map((c) => [c.name, c.priority]),
    [['Last Seen', 0], ['Type', 0], ['Reason', 0], ['Object', 0], ['Subobject', 1], ['Source', 1], ['Message', 0], ['First Seen', 1], ['Count', 1], ['Name', 1]],
  );
});
