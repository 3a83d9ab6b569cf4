// One reconcile of one ReplicaSet (upstream's syncReplicaSet): claim pods, create or delete towards
// spec.replicas unless our own writes are still in flight, then write status.
import { findResource } from '../../api/resources.ts';
import type { Pod } from '../../api/types.ts';
import { isNamespaceTerminating, isStatusError } from '../../api/status.ts';
import { matchesLabelSelector } from '../../api/selectors.ts';
import type { KubeClient } from '../../client/client.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import { adoptPatch, controllerOf, controllerRefFor, planClaims, releasePatch } from './controller-ref.ts';
import type { ControllerExpectations } from './expectations.ts';
import type { ReplacedVersions } from './replaced-versions.ts';
import { planReplicas, podFromTemplate, slowStartBatch } from './manage-replicas.ts';
import { isPodActive, isPodAvailable, isPodReady, podKey, podReadySince } from './pod-state.ts';
import { calculateReplicaSetStatus, isSameReplicaSetStatus } from './replica-set-status.ts';
import type { ManageFailure } from './replica-set-status.ts';
import { specReplicas } from './workload-types.ts';
import type { ReplicaSet } from './workload-types.ts';

export const PODS = findResource('', 'v1', 'pods')!;
export const REPLICASETS = findResource('apps', 'v1', 'replicasets')!;
export const REPLICASET_KIND = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };

export interface ReplicaSetSyncDeps {
  client: KubeClient;
  recorder: EventRecorder;
  expectations: ControllerExpectations;
  /** ReplicaSet versions our status writes replaced. */
  replaced: ReplacedVersions;
  now: () => Date;
  burstReplicas?: number;
  /** Cached pods / ReplicaSets of one namespace. */
  pods(namespace: string): Pod[];
  replicaSets(namespace: string): ReplicaSet[];
}

export function replicaSetKey(rs: ReplicaSet): string {
  return `${rs.metadata.namespace}/${rs.metadata.name}`;
}

/** Pods of every ReplicaSet that shares this one's controller (a Deployment's family), for spreading deletions. */
function relatedPods(deps: ReplicaSetSyncDeps, rs: ReplicaSet, pods: Pod[]): Pod[] {
  const owner = controllerOf(rs);
  const uids = new Set([rs.metadata.uid]);
  if (owner) for (const other of deps.replicaSets(rs.metadata.namespace!)) if (controllerOf(other)?.uid === owner.uid) uids.add(other.metadata.uid);
  return pods.filter((p) => uids.has(controllerOf(p)?.uid));
}

async function claimPods(deps: ReplicaSetSyncDeps, rs: ReplicaSet, active: Pod[]): Promise<Pod[]> {
  const plan = planClaims(rs, active, (p) => matchesLabelSelector(rs.spec.selector, p.metadata.labels));
  const claimed = [...plan.owned];
  if (plan.adopt.length) {
    // The cache may be behind a deletion of this ReplicaSet: adopt only if a fresh read still shows it alive.
    const fresh = await deps.client.get<ReplicaSet>(REPLICASETS, rs.metadata.namespace, rs.metadata.name!);
    if (fresh.metadata.uid !== rs.metadata.uid) throw new Error(`original ${replicaSetKey(rs)} is gone: got uid ${fresh.metadata.uid}, wanted ${rs.metadata.uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${replicaSetKey(rs)} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    const ref = controllerRefFor(rs, REPLICASET_KIND);
    for (const pod of plan.adopt) {
      try {
        claimed.push(await deps.client.patch<Pod>(PODS, pod.metadata.namespace, pod.metadata.name!, adoptPatch(ref, pod), { type: 'strategic' }));
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
    }
  }
  for (const pod of plan.release) {
    try {
      await deps.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, releasePatch(rs.metadata.uid!, pod), { type: 'strategic' });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
  return claimed;
}


/** Creates or deletes pods; returns the pods it deleted (so status does not count them) and any failure. */
async function manageReplicas(deps: ReplicaSetSyncDeps, rs: ReplicaSet, pods: Pod[], allPods: Pod[]): Promise<{ deleted: Set<string>; failure?: ManageFailure; error?: unknown }> {
  const key = replicaSetKey(rs);
  const deleted = new Set<string>();
  const plan = planReplicas(specReplicas(rs), pods, { related: relatedPods(deps, rs, allPods), burst: deps.burstReplicas, now: deps.now() });
  if (plan.action === 'create') {
    deps.expectations.expectCreations(key, plan.count);
    const ref = controllerRefFor(rs, REPLICASET_KIND);
    const { successes, error } = await slowStartBatch(plan.count, async () => {
      try {
        const pod = await deps.client.create<Pod>(PODS, podFromTemplate(rs, ref));
        await deps.recorder.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
      } catch (e) {
        await deps.recorder.record(rs, 'Warning', 'FailedCreate', `Error creating: ${e instanceof Error ? e.message : String(e)}`);
        if (!isNamespaceTerminating(e)) throw e;
      }
    });
    // Creates never attempted (or failed) will never be observed.
    for (let i = successes; i < plan.count; i++) deps.expectations.creationObserved(key);
    if (error !== undefined) return { deleted, error, failure: { reason: 'FailedCreate', message: error instanceof Error ? error.message : String(error) } };
  } else if (plan.action === 'delete') {
    deps.expectations.expectDeletions(key, plan.pods.map(podKey));
    const errors: unknown[] = [];
    await Promise.all(plan.pods.map(async (pod) => {
      try {
        await deps.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
        deleted.add(podKey(pod));
        await deps.recorder.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (e) {
        deps.expectations.deletionObserved(key, podKey(pod));
        if (isStatusError(e, 'NotFound')) return;
        await deps.recorder.record(rs, 'Warning', 'FailedDelete', `Error deleting: ${e instanceof Error ? e.message : String(e)}`);
        errors.push(e);
      }
    }));
    if (errors.length) return { deleted, error: errors[0], failure: { reason: 'FailedDelete', message: errors[0] instanceof Error ? errors[0].message : String(errors[0]) } };
  }
  return { deleted };
}

async function writeStatus(deps: ReplicaSetSyncDeps, rs: ReplicaSet, status: ReplicaSet['status']): Promise<void> {
  if (isSameReplicaSetStatus(rs.status, status!)) return;
  const key = replicaSetKey(rs);
  try {
    await deps.client.updateStatus(REPLICASETS, { ...rs, status });
    deps.replaced.replaced(key, rs.metadata.resourceVersion);
  } catch (e) {
    if (!isStatusError(e, 'Conflict')) throw e;
    const fresh = await deps.client.get<ReplicaSet>(REPLICASETS, rs.metadata.namespace, rs.metadata.name!);
    await deps.client.updateStatus(REPLICASETS, { ...fresh, status });
    deps.replaced.replaced(key, rs.metadata.resourceVersion);
    deps.replaced.replaced(key, fresh.metadata.resourceVersion);
  }
}

/** Milliseconds until the next ready pod becomes available, when minReadySeconds holds some back. */
function nextAvailableInMs(rs: ReplicaSet, pods: Pod[], now: Date): number | undefined {
  const minReady = rs.spec.minReadySeconds ?? 0;
  if (!minReady) return undefined;
  let soonest: number | undefined;
  for (const p of pods) {
    if (!isPodReady(p) || isPodAvailable(p, minReady, now)) continue;
    const since = podReadySince(p) ?? now.getTime();
    const wait = since + minReady * 1000 - now.getTime() + 1;
    soonest = soonest === undefined ? wait : Math.min(soonest, wait);
  }
  return soonest;
}

/** Reconciles `rs`; throws to have the key retried with back-off. Returns when to look again, if time alone will change status. */
export async function syncReplicaSet(deps: ReplicaSetSyncDeps, rs: ReplicaSet): Promise<{ requeueAfterMs?: number }> {
  const key = replicaSetKey(rs);
  const needsSync = deps.expectations.isSatisfied(key);
  const allPods = deps.pods(rs.metadata.namespace!);
  let pods = await claimPods(deps, rs, allPods.filter(isPodActive));
  let outcome: Awaited<ReturnType<typeof manageReplicas>> = { deleted: new Set() };
  if (needsSync && !rs.metadata.deletionTimestamp) outcome = await manageReplicas(deps, rs, pods, allPods);
  pods = pods.filter((p) => !outcome.deleted.has(podKey(p)));
  const now = deps.now();
  await writeStatus(deps, rs, calculateReplicaSetStatus(rs, pods, { failure: outcome.failure, now }));
  if (outcome.error !== undefined) throw outcome.error;
  return { requeueAfterMs: nextAvailableInMs(rs, pods, now) };
}
