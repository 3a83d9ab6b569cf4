// The ReplicaSet controller's wiring: informer events become queue keys (and settle expectations); the
// queue runs syncReplicaSet once both caches have synced.
import type { OwnerReference, Pod } from '../../api/types.ts';
import { matchesLabelSelector } from '../../api/selectors.ts';
import { isStatusError } from '../../api/status.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import type { Controller, SharedInformers } from '../runtime/shared-informers.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import type { Informer } from '../../client/informer.ts';
import { controllerOf } from './controller-ref.ts';
import { DelayedRequeue } from './delayed-requeue.ts';
import { ControllerExpectations } from './expectations.ts';
import { ReplacedVersions } from './replaced-versions.ts';
import { isPodReady, podKey } from './pod-state.ts';
import { PODS, REPLICASETS, replicaSetKey, syncReplicaSet } from './sync-replica-set.ts';
import type { ReplicaSetSyncDeps } from './sync-replica-set.ts';
import type { ReplicaSet } from './workload-types.ts';

export interface ReplicaSetControllerOptions {
  now?: () => Date;
  workers?: number;
  /** Most pods created or deleted per sync (upstream's --replicaset burst, 500). */
  burstReplicas?: number;
}

function isSameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ea = Object.entries(a ?? {});
  return ea.length === Object.keys(b ?? {}).length && ea.every(([k, v]) => b?.[k] === v);
}

class ReplicaSetController implements Controller {
  readonly name = 'replicaset-controller';
  #replicaSets: Informer<ReplicaSet>;
  #pods: Informer<Pod>;
  #expectations: ControllerExpectations;
  #replaced: ReplacedVersions;
  #deps: ReplicaSetSyncDeps;
  #queue?: WorkQueue;
  #delayed: DelayedRequeue;
  #workers: number;
  #isStopped = false;

  constructor(informers: SharedInformers, options: ReplicaSetControllerOptions) {
    const now = options.now ?? (() => new Date());
    this.#replicaSets = informers.for<ReplicaSet>(REPLICASETS);
    this.#pods = informers.for<Pod>(PODS);
    this.#expectations = new ControllerExpectations({ now: () => now().getTime() });
    this.#replaced = new ReplacedVersions();
    this.#workers = options.workers ?? 5;
    this.#delayed = new DelayedRequeue((key) => this.#queue?.add(key));
    this.#deps = {
      client: informers.client,
      recorder: new EventRecorder(informers.client, { component: 'replicaset-controller', now }),
      expectations: this.#expectations,
      replaced: this.#replaced,
      now,
      burstReplicas: options.burstReplicas,
      pods: (ns) => this.#pods.list().filter((p) => p.metadata.namespace === ns),
      replicaSets: (ns) => this.#replicaSets.list().filter((rs) => rs.metadata.namespace === ns),
    };
  }

  /** Waits for both caches, then starts the workers; no write happens before that. Informers are started by their owner. */
  async start(): Promise<void> {
    await Promise.all([this.#replicaSets.synced, this.#pods.synced]);
    if (this.#isStopped) return;
    this.#queue = new WorkQueue((key) => this.#sync(key), { workers: this.#workers });
    this.#queue.onError = (key, e) => {
      // A Conflict only means another writer got there first; the retry decides again on fresh data.
      if (!isStatusError(e, 'Conflict')) console.error(`${this.name}: syncing ${key}:`, e instanceof Error ? e.message : e);
    };
    this.#replicaSets.addHandlers({
      onAdd: (rs) => this.#enqueue(rs),
      onUpdate: (rs) => this.#enqueue(rs),
      onDelete: (rs) => {
        this.#expectations.delete(replicaSetKey(rs));
        this.#enqueue(rs);
      },
    });
    this.#pods.addHandlers({
      onAdd: (pod) => this.#podAdded(pod),
      onUpdate: (pod, old) => this.#podUpdated(pod, old),
      onDelete: (pod) => this.#podDeleted(pod),
    });
  }

  stop(): void {
    this.#isStopped = true;
    this.#queue?.stop();
    this.#delayed.stop();
  }

  /** Resolves once nothing is queued or running (for tests). */
  idle(): Promise<void> {
    return this.#queue?.idle() ?? Promise.resolve();
  }

  #enqueue(rs: ReplicaSet): void {
    this.#queue?.add(replicaSetKey(rs));
  }

  async #sync(key: string): Promise<void> {
    const rs = this.#replicaSets.get(key);
    if (!rs) {
      this.#expectations.delete(key);
      this.#replaced.forget(key);
      return;
    }
    if (this.#replaced.isStale(key, rs.metadata.resourceVersion)) {
      // The event of our own status write is on its way and will queue the key again; the timer is a safety net.
      this.#delayed.after(key, 1000);
      return;
    }
    const { requeueAfterMs } = await syncReplicaSet(this.#deps, rs);
    if (requeueAfterMs !== undefined) this.#delayed.after(key, requeueAfterMs);
  }

  #resolve(namespace: string | undefined, ref: OwnerReference | undefined): ReplicaSet | undefined {
    if (!ref || ref.kind !== 'ReplicaSet' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const rs = this.#replicaSets.get(`${namespace}/${ref.name}`);
    return rs?.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets whose selector matches an orphan pod: any of them may adopt it. */
  #matching(pod: Pod): ReplicaSet[] {
    return this.#replicaSets.list().filter((rs) => {
      const sel = rs.spec.selector;
      const isEmpty = !sel || (!Object.keys(sel.matchLabels ?? {}).length && !sel.matchExpressions?.length);
      return rs.metadata.namespace === pod.metadata.namespace && !isEmpty && matchesLabelSelector(sel, pod.metadata.labels);
    });
  }

  #podAdded(pod: Pod): void {
    if (pod.metadata.deletionTimestamp) {
      this.#podDeleted(pod); // restarted with a pod already terminating: it must not count as a creation
      return;
    }
    const ref = controllerOf(pod);
    if (ref) {
      const rs = this.#resolve(pod.metadata.namespace, ref);
      if (!rs) return;
      this.#expectations.creationObserved(replicaSetKey(rs));
      this.#enqueue(rs);
      return;
    }
    for (const rs of this.#matching(pod)) this.#enqueue(rs);
  }

  #podUpdated(pod: Pod, old: Pod): void {
    if (pod.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const isLabelChanged = !isSameLabels(pod.metadata.labels, old.metadata.labels);
    if (pod.metadata.deletionTimestamp) {
      // Graceful deletion: the pod stops counting now; its final removal comes later.
      this.#podDeleted(pod);
      if (isLabelChanged) this.#podDeleted(old);
      return;
    }
    const ref = controllerOf(pod);
    const oldRef = controllerOf(old);
    const isRefChanged = ref?.uid !== oldRef?.uid;
    if (isRefChanged && oldRef) {
      const oldRs = this.#resolve(old.metadata.namespace, oldRef);
      if (oldRs) this.#enqueue(oldRs);
    }
    if (ref) {
      const rs = this.#resolve(pod.metadata.namespace, ref);
      if (!rs) return;
      this.#enqueue(rs);
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (minReady > 0 && !isPodReady(old) && isPodReady(pod)) this.#delayed.after(replicaSetKey(rs), minReady * 1000 + 1000);
      return;
    }
    if (isLabelChanged || isRefChanged) for (const rs of this.#matching(pod)) this.#enqueue(rs);
  }

  #podDeleted(pod: Pod): void {
    const rs = this.#resolve(pod.metadata.namespace, controllerOf(pod));
    if (!rs) return;
    this.#expectations.deletionObserved(replicaSetKey(rs), podKey(pod));
    this.#enqueue(rs);
  }
}

export function createReplicaSetController(informers: SharedInformers, options: ReplicaSetControllerOptions = {}): Controller & { idle(): Promise<void> } {
  return new ReplicaSetController(informers, options);
}
