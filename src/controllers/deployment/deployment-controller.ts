// The Deployment controller's wiring: Deployment, ReplicaSet and pod events become Deployment keys; the queue
// runs syncDeployment once the caches have synced.
import type { OwnerReference, Pod } from '../../api/types.ts';
import { matchesLabelSelector } from '../../api/selectors.ts';
import { isStatusError } from '../../api/status.ts';
import type { Informer } from '../../client/informer.ts';
import { EventRecorder } from '../runtime/event-recorder.ts';
import type { Controller, SharedInformers } from '../runtime/shared-informers.ts';
import { WorkQueue } from '../runtime/work-queue.ts';
import { controllerOf } from '../replicaset/controller-ref.ts';
import { DelayedRequeue } from '../replicaset/delayed-requeue.ts';
import { ReplacedVersions } from '../replicaset/replaced-versions.ts';
import type { Deployment, ReplicaSet } from '../replicaset/workload-types.ts';
import { syncDeployment } from './deployment-sync.ts';
import { DEPLOYMENTS, PODS, REPLICASETS } from './deployment-writer.ts';
import type { DeploymentSyncDeps } from './deployment-writer.ts';

export interface DeploymentControllerOptions {
  now?: () => Date;
  workers?: number;
}

function keyOf(obj: { metadata: { namespace?: string; name?: string } }): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}

function isSameLabels(a: Record<string, string> | undefined, b: Record<string, string> | undefined): boolean {
  const ea = Object.entries(a ?? {});
  return ea.length === Object.keys(b ?? {}).length && ea.every(([k, v]) => b?.[k] === v);
}

class DeploymentController implements Controller {
  readonly name = 'deployment-controller';
  #deployments: Informer<Deployment>;
  #replicaSets: Informer<ReplicaSet>;
  #pods: Informer<Pod>;
  #informers: SharedInformers;
  #recorder: EventRecorder;
  #now: () => Date;
  #queue?: WorkQueue;
  #delayed: DelayedRequeue;
  #replaced = new ReplacedVersions();
  #workers: number;
  #isStopped = false;

  constructor(informers: SharedInformers, options: DeploymentControllerOptions) {
    this.#informers = informers;
    this.#now = options.now ?? (() => new Date());
    this.#deployments = informers.for<Deployment>(DEPLOYMENTS);
    this.#replicaSets = informers.for<ReplicaSet>(REPLICASETS);
    this.#pods = informers.for<Pod>(PODS);
    this.#recorder = new EventRecorder(informers.client, { component: 'deployment-controller', now: this.#now });
    this.#workers = options.workers ?? 5;
    this.#delayed = new DelayedRequeue((key) => this.#queue?.add(key));
  }

  /** Waits for the three caches, then starts the workers; no write happens before that. Informers are started by their owner. */
  async start(): Promise<void> {
    await Promise.all([this.#deployments.synced, this.#replicaSets.synced, this.#pods.synced]);
    if (this.#isStopped) return;
    this.#queue = new WorkQueue((key) => this.#sync(key), { workers: this.#workers });
    this.#queue.onError = (key, e) => {
      // A Conflict only means another writer got there first; the retry decides again on fresh data.
      if (!isStatusError(e, 'Conflict')) console.error(`${this.name}: syncing ${key}:`, e instanceof Error ? e.message : e);
    };
    this.#deployments.addHandlers({
      onAdd: (d) => this.#enqueue(d),
      onUpdate: (d) => this.#enqueue(d),
      onDelete: (d) => this.#enqueue(d),
    });
    this.#replicaSets.addHandlers({
      onAdd: (rs) => this.#replicaSetAdded(rs),
      onUpdate: (rs, old) => this.#replicaSetUpdated(rs, old),
      onDelete: (rs) => this.#replicaSetDeleted(rs),
    });
    this.#pods.addHandlers({ onDelete: (pod) => this.#podDeleted(pod) });
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

  #enqueue(d: Deployment): void {
    this.#queue?.add(keyOf(d));
  }

  async #sync(key: string): Promise<void> {
    const d = this.#deployments.get(key);
    if (!d) {
      this.#replaced.forget(key);
      return;
    }
    const replicaSets = (n: string) => this.#replicaSets.list().filter((rs) => rs.metadata.namespace === n);
    const owned = replicaSets(d.metadata.namespace!).filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
    if (this.#replaced.isStale(key, d.metadata.resourceVersion) || owned.some((rs) => this.#replaced.isStale(keyOf(rs), rs.metadata.resourceVersion))) {
      // The cache is behind our own writes; their watch events queue the Deployment again (the timer is a safety net).
      this.#delayed.after(key, 1000);
      return;
    }
    const deps: DeploymentSyncDeps = {
      client: this.#informers.client,
      recorder: this.#recorder,
      replaced: this.#replaced,
      now: this.#now,
      replicaSets,
      pods: (n) => this.#pods.list().filter((p) => p.metadata.namespace === n),
      requeueAfter: (ms) => this.#delayed.after(key, ms),
    };
    await syncDeployment(deps, d);
  }

  #resolve(namespace: string | undefined, ref: OwnerReference | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const d = this.#deployments.get(`${namespace}/${ref.name}`);
    return d?.metadata.uid === ref.uid ? d : undefined;
  }

  /** Deployments whose selector matches an orphan ReplicaSet: any of them may adopt it. */
  #matching(rs: ReplicaSet): Deployment[] {
    return this.#deployments.list().filter((d) => {
      const sel = d.spec.selector;
      const isEmpty = !sel || (!Object.keys(sel.matchLabels ?? {}).length && !sel.matchExpressions?.length);
      return d.metadata.namespace === rs.metadata.namespace && !isEmpty && matchesLabelSelector(sel, rs.metadata.labels);
    });
  }

  #replicaSetAdded(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp) return this.#replicaSetDeleted(rs);
    const ref = controllerOf(rs);
    if (ref) {
      const d = this.#resolve(rs.metadata.namespace, ref);
      if (d) this.#enqueue(d);
      return;
    }
    for (const d of this.#matching(rs)) this.#enqueue(d);
  }

  #replicaSetUpdated(rs: ReplicaSet, old: ReplicaSet): void {
    if (rs.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const ref = controllerOf(rs);
    const oldRef = controllerOf(old);
    const isRefChanged = ref?.uid !== oldRef?.uid;
    if (isRefChanged && oldRef) {
      const oldD = this.#resolve(old.metadata.namespace, oldRef);
      if (oldD) this.#enqueue(oldD);
    }
    if (ref) {
      const d = this.#resolve(rs.metadata.namespace, ref);
      if (d) this.#enqueue(d);
      return;
    }
    if (isRefChanged || !isSameLabels(rs.metadata.labels, old.metadata.labels)) for (const d of this.#matching(rs)) this.#enqueue(d);
  }

  #replicaSetDeleted(rs: ReplicaSet): void {
    const d = this.#resolve(rs.metadata.namespace, controllerOf(rs));
    if (d) this.#enqueue(d);
  }

  /** Recreate waits for every old pod to be gone: a pod deletion may be what it waits for. */
  #podDeleted(pod: Pod): void {
    const ref = controllerOf(pod);
    if (ref?.kind !== 'ReplicaSet') return;
    const rs = this.#replicaSets.get(`${pod.metadata.namespace}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.#resolve(rs.metadata.namespace, controllerOf(rs));
    if (d && d.spec.strategy?.type === 'Recreate') this.#enqueue(d);
  }
}

export function createDeploymentController(informers: SharedInformers, options: DeploymentControllerOptions = {}): Controller & { idle(): Promise<void> } {
  return new DeploymentController(informers, options);
}
