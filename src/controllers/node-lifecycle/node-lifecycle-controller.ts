// Watches node leases and Ready heartbeats; a node silent for the grace period goes Ready=Unknown with the
// unreachable:NoExecute taint, its pods go Ready=False and, past their toleration, are deleted.
import { findResource } from '../../api/resources.ts';
import type { Pod } from '../../api/types.ts';
import { isStatusError } from '../../api/status.ts';
import type { Informer } from '../../client/informer.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import type { Controller, SharedInformers } from '../runtime/shared-informers.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import type { Lease, Node, Probe, Taint } from './node-health.ts';
import { desiredNoExecuteTaint, isHealthy, noExecuteTaint, observeProbe, podActions, readyHeartbeat, reconcileTaints, unknownConditions } from './node-health.ts';

const NODES = findResource('', 'v1', 'nodes')!;
const PODS = findResource('', 'v1', 'pods')!;
const LEASES = findResource('coordination.k8s.io', 'v1', 'leases')!;

export interface NodeLifecycleOptions {
  /** How long a node may go without renewing its lease (or posting a heartbeat) before it is Unknown. */
  gracePeriodMs?: number;
  /** Eviction delay for pods with no toleration for the taint (pods normally carry 300s tolerations). */
  podEvictionTimeoutMs?: number;
  /** How often every node is looked at. */
  monitorPeriodMs?: number;
  leaseNamespace?: string;
  now?: () => Date;
  retryBaseDelayMs?: number;
}

export function createNodeLifecycleController(informers: SharedInformers, options: NodeLifecycleOptions = {}): Controller {
  return new NodeLifecycleController(informers, options);
}

class NodeLifecycleController implements Controller {
  readonly name = 'node-lifecycle';
  #informers: SharedInformers;
  #nodes: Informer<Node>;
  #leases: Informer<Lease>;
  #pods: Informer<Pod>;
  #queue: WorkQueue;
  #recorder: EventRecorder;
  #options: Required<Omit<NodeLifecycleOptions, 'retryBaseDelayMs'>>;
  #probes = new Map<string, Probe>();
  #timer?: NodeJS.Timeout;
  #isSynced = false;

  constructor(informers: SharedInformers, options: NodeLifecycleOptions) {
    this.#informers = informers;
    this.#options = {
      gracePeriodMs: options.gracePeriodMs ?? 40_000,
      podEvictionTimeoutMs: options.podEvictionTimeoutMs ?? 300_000,
      monitorPeriodMs: options.monitorPeriodMs ?? 5_000,
      leaseNamespace: options.leaseNamespace ?? 'kube-node-lease',
      now: options.now ?? (() => new Date()),
    };
    this.#nodes = informers.for<Node>(NODES);
    this.#leases = informers.for<Lease>(LEASES);
    this.#pods = informers.for<Pod>(PODS);
    this.#queue = new WorkQueue((name) => this.#sync(name), { workers: 2, baseDelayMs: options.retryBaseDelayMs ?? 50 });
    // Optimistic-concurrency conflicts are expected while the informer lags our own writes; the retry is enough.
    this.#queue.onError = (key, e) => {
      if (!isStatusError(e, 'Conflict')) console.error(`${this.name}: ${key}:`, e instanceof Error ? e.message : e);
    };
    this.#recorder = new EventRecorder(informers.client, { component: 'node-controller', now: this.#options.now });
  }

  /** Resolves once the informers (started by the caller, `SharedInformers.start()`) have synced and the workers run. */
  async start(): Promise<void> {
    this.#nodes.addHandlers({
      onAdd: (n) => this.#observe(n.metadata.name!),
      onUpdate: (n) => this.#observe(n.metadata.name!),
      onDelete: (n) => this.#probes.delete(n.metadata.name!),
    });
    const onLease = (l: Lease) => {
      if (l.metadata.namespace === this.#options.leaseNamespace) this.#observe(l.metadata.name!);
    };
    this.#leases.addHandlers({ onAdd: onLease, onUpdate: onLease });
    await Promise.all([this.#nodes.synced, this.#leases.synced, this.#pods.synced]);
    this.#isSynced = true;
    this.#enqueueAll();
    this.#timer = setInterval(() => this.#enqueueAll(), this.#options.monitorPeriodMs);
    this.#timer.unref();
  }

  stop(): void {
    this.#isSynced = false;
    clearInterval(this.#timer);
    this.#queue.stop();
  }

  /** Records when (our clock) this node last showed a sign of life, then queues it. */
  #observe(name: string): void {
    const lease = this.#leases.get(`${this.#options.leaseNamespace}/${name}`);
    const seen = { renewTime: lease?.spec?.renewTime, heartbeatTime: readyHeartbeat(this.#nodes.get(name)) };
    this.#probes.set(name, observeProbe(this.#probes.get(name), seen, this.#options.now().getTime()));
    if (this.#isSynced) this.#queue.add(name);
  }

  #enqueueAll(): void {
    for (const n of this.#nodes.list()) this.#queue.add(n.metadata.name!);
  }

  async #sync(name: string): Promise<void> {
    const node = this.#nodes.get(name);
    if (!node) return;
    const now = this.#options.now().getTime();
    let probe = this.#probes.get(name);
    if (!probe) this.#probes.set(name, (probe = observeProbe(undefined, {}, now)));
    const isAlive = isHealthy(probe, now, this.#options.gracePeriodMs);
    const client = this.#informers.client;
    let resourceVersion = node.metadata.resourceVersion;
    if (!isAlive) {
      const conditions = unknownConditions(node, now);
      if (conditions.length) {
        const updated = await client.patch<Node>(NODES, undefined, name, { status: { conditions } }, { type: 'strategic', subresource: 'status' });
        resourceVersion = updated.metadata.resourceVersion;
        if (conditions.some((c) => c.type === 'Ready')) await this.#recorder.record(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      }
    }
    const readyStatus = isAlive ? node.status?.conditions?.find((c) => c.type === 'Ready')?.status : 'Unknown';
    const taints = reconcileTaints(node.spec?.taints, desiredNoExecuteTaint(readyStatus, isAlive), now);
    if (taints) {
      await client.patch(NODES, undefined, name, { metadata: { resourceVersion }, spec: { taints: taints.length ? taints : null } });
    }
    const taint = noExecuteTaint(taints ?? node.spec?.taints);
    if (taint) await this.#handlePods(name, taint, now);
  }

  /** Acts on every pod of the node; one failing pod does not stop the others, the node is retried after. */
  async #handlePods(nodeName: string, taint: Taint, now: number): Promise<void> {
    const errors: unknown[] = [];
    for (const pod of this.#pods.list()) {
      if (pod.spec?.nodeName !== nodeName) continue;
      for (const action of podActions(pod, taint, now, this.#options.podEvictionTimeoutMs)) {
        try {
          await this.#act(pod, action, now);
        } catch (e) {
          if (!isStatusError(e, 'NotFound')) errors.push(e);
        }
      }
    }
    if (errors.length) throw new AggregateError(errors, `node ${nodeName}: ${errors.length} pod update(s) failed`);
  }

  async #act(pod: Pod, action: 'markNotReady' | 'evict' | 'forceDelete', now: number): Promise<void> {
    const client = this.#informers.client;
    const { namespace, name, uid } = pod.metadata;
    if (action === 'markNotReady') {
      const lastTransitionTime = new Date(now).toISOString().replace(/\.\d{3}Z$/, 'Z');
      await client.patch(PODS, namespace, name!, { status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime }] } }, { type: 'strategic', subresource: 'status' });
      await this.#recorder.record(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      return;
    }
    if (action === 'evict') await this.#recorder.record(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${namespace}/${name}`);
    try {
      await client.delete(PODS, namespace, name!, { preconditions: { uid }, ...(action === 'forceDelete' ? { gracePeriodSeconds: 0 } : {}) });
    } catch (e) {
      if (isStatusError(e, 'Conflict')) return; // a new pod of the same name: not ours to delete
      throw e;
    }
  }
}
