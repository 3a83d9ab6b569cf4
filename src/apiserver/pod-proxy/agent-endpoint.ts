// Where a pod's streaming subresources are served: its node's agent (kubelet endpoint), and which container.
import type { KubeObject } from '../../api/types.ts';
import { StatusError } from '../../api/status.ts';

export interface AgentEndpoint {
  host: string;
  port: number;
}

interface NodeStatus {
  addresses?: { type?: string; address?: string }[];
  daemonEndpoints?: { kubeletEndpoint?: { Port?: number } };
}

/** Address types in the order they are tried (k3s's --kubelet-preferred-address-types: names need no DNS). */
const PREFERRED_ADDRESS_TYPES = ['InternalIP', 'ExternalIP', 'Hostname'];

/** The node's agent endpoint from `status.addresses` and `status.daemonEndpoints.kubeletEndpoint.Port`. */
export function agentEndpoint(node: KubeObject, options: { addressTypes?: string[] } = {}): AgentEndpoint {
  const status = (node.status ?? {}) as NodeStatus;
  const name = node.metadata.name;
  const addresses = status.addresses ?? [];
  let host: string | undefined;
  for (const type of options.addressTypes ?? PREFERRED_ADDRESS_TYPES) {
    host = addresses.find((a) => a.type === type && a.address)?.address;
    if (host) break;
  }
  if (!host) throw new StatusError(503, 'ServiceUnavailable', `node "${name}" reports no address in status.addresses`);
  const port = status.daemonEndpoints?.kubeletEndpoint?.Port;
  if (!Number.isInteger(port) || port! < 1 || port! > 65535) {
    throw new StatusError(503, 'ServiceUnavailable', `node "${name}" reports no agent port in status.daemonEndpoints.kubeletEndpoint`);
  }
  return { host, port: port! };
}

interface PodSpec {
  nodeName?: string;
  containers?: { name: string }[];
  initContainers?: { name: string }[];
  ephemeralContainers?: { name: string }[];
}

/** The container a log/exec/attach request targets; upstream's messages when it is missing or unknown. */
export function targetContainer(pod: KubeObject, requested: string | null): string {
  const spec = (pod.spec ?? {}) as PodSpec;
  const name = pod.metadata.name;
  const containers = (spec.containers ?? []).map((c) => c.name);
  if (!requested) {
    if (containers.length === 1) return containers[0];
    const all = [...containers, ...(spec.initContainers ?? []).map((c) => c.name)];
    throw new StatusError(400, 'BadRequest', `a container name must be specified for pod ${name}, choose one of: [${all.join(' ')}]`);
  }
  const valid = [spec.containers, spec.initContainers, spec.ephemeralContainers].flatMap((list) => (list ?? []).map((c) => c.name));
  if (!valid.includes(requested)) throw new StatusError(400, 'BadRequest', `container ${requested} is not valid for pod ${name}`);
  return requested;
}
