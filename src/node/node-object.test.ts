import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { microTime, renderLease, renderNode, renderNodeStatus } from './node-object.ts';

const machine = { cpus: 4, memoryBytes: 8 * 1024 ** 3, kernelVersion: '6.1.0', osImage: 'Debian GNU/Linux 12 (bookworm)', architecture: 'amd64', machineID: 'm1', bootID: 'b1' };
const identity = { name: 'node-1', ip: '198.18.0.11', streamingPort: 10250 };
const now = new Date('2024-05-01T10:00:00.123Z');

describe('node object', () => {
  it('registers addresses, capacity, node info, daemon endpoint and labels', () => {
    const n = renderNode(identity, { machine, now });
    assert.equal(n.metadata.labels!['kubernetes.io/hostname'], 'node-1');
    const s = n.status as Record<string, unknown> & { addresses: unknown; capacity: Record<string, string>; nodeInfo: Record<string, string> };
    assert.deepEqual(s.addresses, [{ type: 'InternalIP', address: '198.18.0.11' }, { type: 'Hostname', address: 'node-1' }]);
    assert.deepEqual(s.capacity, { cpu: '4', memory: '8388608Ki', pods: '110' });
    assert.deepEqual(s.daemonEndpoints, { kubeletEndpoint: { Port: 10250 } });
    assert.equal(s.nodeInfo.kubeletVersion, 'v1.32.4-skiff');
    assert.equal(s.nodeInfo.containerRuntimeVersion, 'skiff://0.1.0');
    assert.equal(s.nodeInfo.kernelVersion, '6.1.0');
  });

  it('reports Ready True and no pressure, keeping transition times across heartbeats', () => {
    const first = renderNodeStatus(identity, { machine, now });
    const ready = first.conditions!.find((c) => c.type === 'Ready')!;
    assert.deepEqual(ready, { type: 'Ready', status: 'True', lastHeartbeatTime: '2024-05-01T10:00:00Z', lastTransitionTime: '2024-05-01T10:00:00Z', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    assert.deepEqual(first.conditions!.map((c) => `${c.type}=${c.status}`), ['MemoryPressure=False', 'DiskPressure=False', 'PIDPressure=False', 'Ready=True']);
    const later = renderNodeStatus(identity, { machine, now: new Date('2024-05-01T10:01:00Z'), old: first.conditions });
    const r2 = later.conditions!.find((c) => c.type === 'Ready')!;
    assert.equal(r2.lastHeartbeatTime, '2024-05-01T10:01:00Z');
    assert.equal(r2.lastTransitionTime, '2024-05-01T10:00:00Z');
  });

  it('renders the node lease with a MicroTime renewTime and the node as owner', () => {
    assert.equal(microTime(now), '2024-05-01T10:00:00.123000Z');
    const l = renderLease({ name: 'node-1', uid: 'n-uid' }, now);
    assert.deepEqual(l.spec, { holderIdentity: 'node-1', leaseDurationSeconds: 40, renewTime: '2024-05-01T10:00:00.123000Z' });
    assert.equal(l.metadata.namespace, 'kube-node-lease');
    assert.deepEqual(l.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'node-1', uid: 'n-uid' }]);
  });
});
