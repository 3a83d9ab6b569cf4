// Binds unscheduled pods to nodes through pods/binding; reports unschedulable pods and retries them when nodes change.
import { findResource } from '../../api/resources.ts';
import type { Pod } from '../../api/types.ts';
import { isStatusError } from '../../api/status.ts';
import type { Informer } from '../../client/informer.ts';
import { objectKeyOf } from '../../client/informer.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import type { Controller, SharedInformers } from '../runtime/shared-informers.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import type { Node } from './node-fit.ts';
import { countPodsByNode, DEFAULT_SCHEDULER_NAME, needsScheduling, schedulePod, unschedulableCondition } from './schedule.ts';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;

export interface SchedulerOptions {
  /** Pods whose spec.schedulerName equals this are ours. */
  schedulerName?: string;
  now?: () => Date;
  workers?: number;
  retryBaseDelayMs?: number;
}

export function createSchedulerController(informers: SharedInformers, options: SchedulerOptions = {}): Controller {
  return new SchedulerController(informers, options);
}

class SchedulerController implements Controller {
  readonly name = 'scheduler';
  #informers: SharedInformers;
  #pods: Informer<Pod>;
  #nodes: Informer<Node>;
  #queue: WorkQueue;
  #recorder: EventRecorder;
  #schedulerName: string;
  #now: () => Date;
  #isSynced = false;
  /** Pods bound by us that the informer has not shown bound yet (upstream's "assumed" pods): key → node. */
  #assumed = new Map<string, string>();
  /** Pods that fit no node; re-queued when a node changes in a way that matters. */
  #unschedulable = new Set<string>();
  /** Bumped on every relevant node change, so a sync racing a node change re-queues its pod. */
  #nodeGeneration = 0;

  constructor(informers: SharedInformers, options: SchedulerOptions) {
    this.#informers = informers;
    this.#schedulerName = options.schedulerName ?? DEFAULT_SCHEDULER_NAME;
    this.#now = options.now ?? (() => new Date());
    this.#pods = informers.for<Pod>(PODS);
    this.#nodes = informers.for<Node>(NODES);
    this.#queue = new WorkQueue((key) => this.#sync(key), { workers: options.workers ?? 4, baseDelayMs: options.retryBaseDelayMs ?? 20 });
    this.#recorder = new EventRecorder(informers.client, { component: this.#schedulerName, now: this.#now });
  }

  /** Resolves once the informers (started by the caller, `SharedInformers.start()`) have synced and the workers run. */
  async start(): Promise<void> {
    this.#pods.addHandlers({
      onAdd: (p) => this.#enqueuePod(p),
      onUpdate: (p, old) => {
        if (p.spec.nodeName) this.#assumed.delete(objectKeyOf(p));
        if (hasSchedulingInputChanged(p, old)) this.#enqueuePod(p);
      },
      onDelete: (p) => {
        this.#assumed.delete(objectKeyOf(p));
        this.#unschedulable.delete(objectKeyOf(p));
      },
    });
    this.#nodes.addHandlers({
      onAdd: () => this.#onNodeChange(),
      onUpdate: (n, old) => {
        if (hasNodeFitChanged(n, old)) this.#onNodeChange();
      },
      onDelete: () => this.#nodeGeneration++,
    });
    await Promise.all([this.#pods.synced, this.#nodes.synced]);
    this.#isSynced = true;
    for (const p of this.#pods.list()) this.#enqueuePod(p);
  }

  stop(): void {
    this.#isSynced = false;
    this.#queue.stop();
  }

  #enqueuePod(p: Pod): void {
    if (this.#isSynced && needsScheduling(p, this.#schedulerName)) this.#queue.add(objectKeyOf(p));
  }

  #onNodeChange(): void {
    this.#nodeGeneration++;
    if (!this.#isSynced) return;
    for (const key of this.#unschedulable) this.#queue.add(key);
  }

  async #sync(key: string): Promise<void> {
    const pod = this.#pods.get(key);
    if (!pod || !needsScheduling(pod, this.#schedulerName) || this.#assumed.has(key)) {
      this.#unschedulable.delete(key);
      return;
    }
    const generation = this.#nodeGeneration;
    const counts = countPodsByNode(this.#pods.list());
    for (const nodeName of this.#assumed.values()) counts.set(nodeName, (counts.get(nodeName) ?? 0) + 1);
    const result = schedulePod(pod, this.#nodes.list(), counts);
    if ('nodeName' in result) {
      await this.#bind(key, pod, result.nodeName);
      return;
    }
    this.#unschedulable.add(key);
    if (generation !== this.#nodeGeneration) this.#queue.add(key);
    await this.#reportUnschedulable(pod, result.message);
  }

  async #bind(key: string, pod: Pod, nodeName: string): Promise<void> {
    const { namespace, name } = pod.metadata;
    const client = this.#informers.client;
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace, uid: pod.metadata.uid }, target: { apiVersion: 'v1', kind: 'Node', name: nodeName } };
    // Assumed before the request returns, so pods scheduled meanwhile already count it on that node.
    this.#assumed.set(key, nodeName);
    try {
      await client.request('POST', client.path(PODS, namespace, name, 'binding'), { body: binding });
    } catch (e) {
      this.#assumed.delete(key);
      // Already bound, being deleted or gone: the informer will tell us; nothing to retry.
      if (isStatusError(e, 'Conflict') || isStatusError(e, 'NotFound')) return;
      throw e;
    }
    this.#unschedulable.delete(key);
    await this.#recorder.record(pod, 'Normal', 'Scheduled', `Successfully assigned ${namespace}/${name} to ${nodeName}`);
  }

  async #reportUnschedulable(pod: Pod, message: string): Promise<void> {
    const condition = unschedulableCondition(pod, message, this.#now());
    if (condition) {
      try {
        await this.#informers.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, { status: { conditions: [condition] } }, { type: 'strategic', subresource: 'status' });
      } catch (e) {
        if (isStatusError(e, 'NotFound')) return;
        throw e;
      }
    }
    await this.#recorder.record(pod, 'Warning', 'FailedScheduling', message);
  }
}

/** Our own status writes must not re-queue the pod; a change of spec or labels may. */
function hasSchedulingInputChanged(p: Pod, old: Pod): boolean {
  return JSON.stringify(p.spec) !== JSON.stringify(old.spec) || JSON.stringify(p.metadata.labels) !== JSON.stringify(old.metadata.labels) || p.metadata.deletionTimestamp !== old.metadata.deletionTimestamp;
}

/** Heartbeats change nodes every few seconds; only labels, taints, unschedulable and Ready status matter here. */
function hasNodeFitChanged(n: Node, old: Node): boolean {
  const ready = (x: Node) => x.status?.conditions?.find((c) => c.type === 'Ready')?.status;
  return JSON.stringify(n.metadata.labels) !== JSON.stringify(old.metadata.labels)
    || JSON.stringify(n.spec?.taints) !== JSON.stringify(old.spec?.taints)
    || Boolean(n.spec?.unschedulable) !== Boolean(old.spec?.unschedulable)
    || ready(n) !== ready(old);
}
