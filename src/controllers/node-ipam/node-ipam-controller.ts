// Node IPAM: gives every Node a pod CIDR (spec.podCIDR / spec.podCIDRs) from the cluster CIDR, as upstream's
// range allocator does. Allocations are rebuilt from the Nodes on start, so a restart never hands one out twice.
import { findResource } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import type { Controller, SharedInformers } from '../runtime/shared-informers.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import { CidrSet } from './cidr-set.ts';

const NODES = findResource('', 'v1', 'nodes')!;

export interface NodeIpamOptions {
  clusterCidr?: string;
  nodeMaskSize?: number;
}

interface NodeSpec {
  podCIDR?: string;
  podCIDRs?: string[];
}

export function createNodeIpamController(informers: SharedInformers, options: NodeIpamOptions = {}): Controller {
  const cidrs = new CidrSet(options.clusterCidr ?? '198.18.128.0/17', options.nodeMaskSize ?? 24);
  const nodes = informers.for(NODES);
  const events = new EventRecorder(informers.client, { component: 'node-ipam-controller' });
  /** Node name → the CIDR this controller holds for it. */
  const held = new Map<string, string>();

  const queue = new WorkQueue(async (name) => {
    const node = nodes.get(name);
    if (!node) {
      const cidr = held.get(name);
      if (cidr) cidrs.release(cidr);
      held.delete(name);
      return;
    }
    const spec = (node.spec ?? {}) as NodeSpec;
    if (spec.podCIDR) return;
    const cidr = cidrs.allocateNext();
    if (!cidr) {
      await events.record(node, 'Warning', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable (${cidrs.clusterCidr} is full)`);
      throw new Error(`no pod CIDR left in ${cidrs.clusterCidr} for node ${name}`);
    }
    try {
      await informers.client.patch(NODES, undefined, name, { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      held.set(name, cidr);
      await events.record(node, 'Normal', 'CIDRAssignmentSucceeded', `Assigned pod CIDR ${cidr} to node ${name}`);
    } catch (e) {
      cidrs.release(cidr);
      throw e;
    }
  });

  const onNode = (n: KubeObject) => queue.add(n.metadata.name!);
  return {
    name: 'node-ipam',
    async start() {
      await nodes.synced;
      for (const n of nodes.list()) {
        const cidr = ((n.spec ?? {}) as NodeSpec).podCIDR;
        if (cidr && cidrs.occupy(cidr)) held.set(n.metadata.name!, cidr);
      }
      nodes.addHandlers({ onAdd: onNode, onUpdate: onNode, onDelete: onNode });
    },
    stop() {
      queue.stop();
    },
  };
}
