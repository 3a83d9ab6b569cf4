// The Node object and Lease this agent keeps up to date, rendered from what it knows about the machine. Pure.
import type { Lease, Node, NodeCondition } from '../api/nodes.ts';
import { rfc3339 } from './pod-types.ts';

export const KUBELET_VERSION = 'v1.32.4-skiff';
export const RUNTIME_VERSION = 'skiff://0.1.0';
export const MAX_PODS = 110;
export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;

export interface MachineInfo {
  cpus: number;
  memoryBytes: number;
  ephemeralStorageBytes?: number;
  kernelVersion: string;
  osImage: string;
  architecture: string;
  machineID: string;
  bootID: string;
}

export interface NodeIdentity {
  name: string;
  ip: string;
  streamingPort: number;
}

export function nodeLabels(identity: NodeIdentity, machine: MachineInfo): Record<string, string> {
  return {
    'kubernetes.io/hostname': identity.name,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': machine.architecture,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': machine.architecture,
  };
}

const CONDITIONS: [type: string, status: 'True' | 'False', reason: string, message: string][] = [
  ['MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'],
  ['DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'],
  ['PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'],
  ['Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'],
];

export function renderNodeStatus(identity: NodeIdentity, options: { machine: MachineInfo; now: Date; old?: NodeCondition[] }): NonNullable<Node['status']> {
  const machine = options.machine;
  const now = rfc3339(options.now);
  const conditions: NodeCondition[] = CONDITIONS.map(([type, status, reason, message]) => {
    const prev = options.old?.find((c) => c.type === type);
    return { type, status, lastHeartbeatTime: now, lastTransitionTime: prev?.status === status && prev.lastTransitionTime ? prev.lastTransitionTime : now, reason, message };
  });
  const capacity: Record<string, string> = { cpu: String(machine.cpus), memory: `${Math.floor(machine.memoryBytes / 1024)}Ki`, pods: String(MAX_PODS) };
  if (machine.ephemeralStorageBytes !== undefined) capacity['ephemeral-storage'] = `${Math.floor(machine.ephemeralStorageBytes / 1024)}Ki`;
  return {
    capacity,
    allocatable: { ...capacity },
    conditions,
    addresses: [{ type: 'InternalIP', address: identity.ip }, { type: 'Hostname', address: identity.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: identity.streamingPort } },
    nodeInfo: {
      machineID: machine.machineID,
      systemUUID: machine.machineID,
      bootID: machine.bootID,
      kernelVersion: machine.kernelVersion,
      osImage: machine.osImage,
      containerRuntimeVersion: RUNTIME_VERSION,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: '',
      operatingSystem: 'linux',
      architecture: machine.architecture,
    },
  };
}

export function renderNode(identity: NodeIdentity, options: { machine: MachineInfo; now: Date }): Node {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: identity.name, labels: nodeLabels(identity, options.machine) }, spec: {}, status: renderNodeStatus(identity, options) };
}

/** MicroTime, as Lease.spec.renewTime is spelled: RFC 3339 with microseconds. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export function renderLease(node: { name: string; uid?: string }, now: Date): Lease {
  const lease: Lease = {
    apiVersion: 'coordination.k8s.io/v1',
    kind: 'Lease',
    metadata: { name: node.name, namespace: LEASE_NAMESPACE },
    spec: { holderIdentity: node.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(now) },
  };
  if (node.uid) lease.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Node', name: node.name, uid: node.uid }];
  return lease;
}
