// One reconcile of one Deployment (upstream's syncDeployment): claim ReplicaSets, then either only scale
// (paused, or spec.replicas changed) or take the next rollout step (RollingUpdate / Recreate), then write status.
import type { Pod } from '../../api/types.ts';
import { isStatusError } from '../../api/status.ts';
import { matchesLabelSelector } from '../../api/selectors.ts';
import { adoptPatch, controllerOf, controllerRefFor, planClaims, releasePatch } from '../replicaset/controller-ref.ts';
import type { Deployment, ReplicaSet } from '../replicaset/workload-types.ts';
import { specReplicas } from '../replicaset/workload-types.ts';
import { calculateStatus, getCondition, hasProgressDeadline, isDeploymentComplete, newCondition, pausedConditionStatus, progressCheckDelayMs, REASON, rolloutStatus, setCondition } from './deployment-status.ts';
import { DeploymentWriter, DEPLOYMENTS, REPLICASETS } from './deployment-writer.ts';
import type { DeploymentSyncDeps } from './deployment-writer.ts';
import { isRollingUpdate, maxSurge } from './fenceposts.ts';
import { buildNewReplicaSet, DEPLOYMENT_KIND } from './new-replica-set.ts';
import { isEqualIgnoringHash } from './pod-template-hash.ts';
import { activeReplicaSets, actualReplicaCount, findNewReplicaSet, findOldReplicaSets, replicaSetsToCleanUp } from './replica-set-lists.ts';
import { desiredReplicasAnnotation, maxRevision, REVISION, setNewReplicaSetAnnotations } from './revision.ts';
import { newReplicaSetReplicas, planNewReplicaSetScale, planOldReplicaSetsScaleDown, planProportionalScale, planRecreateScaleDown } from './rollout-plan.ts';
import type { ScaleStep } from './rollout-plan.ts';

type Family = { newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] };

function isEmptySelector(d: Deployment): boolean {
  const s = d.spec.selector;
  return !s || (!Object.keys(s.matchLabels ?? {}).length && !s.matchExpressions?.length);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Old pods still around (Recreate must wait for them): any old ReplicaSet with replicas, or a non-terminated pod. */
export function hasOldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podsByReplicaSet: ReadonlyMap<string, Pod[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podsByReplicaSet) {
    if (uid === newRS?.metadata.uid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

class DeploymentSync {
  #w: DeploymentWriter;
  #rsList: ReplicaSet[];

  constructor(w: DeploymentWriter, rsList: ReplicaSet[]) {
    this.#w = w;
    this.#rsList = rsList;
  }

  get #d(): Deployment {
    return this.#w.d;
  }

  #remember(rs: ReplicaSet): ReplicaSet {
    const i = this.#rsList.findIndex((x) => x.metadata.uid === rs.metadata.uid);
    if (i >= 0) this.#rsList[i] = rs;
    else this.#rsList.push(rs);
    return rs;
  }

  #latest(rs: ReplicaSet): ReplicaSet;
  #latest(rs: ReplicaSet | undefined): ReplicaSet | undefined;
  #latest(rs: ReplicaSet | undefined): ReplicaSet | undefined {
    return rs && (this.#rsList.find((x) => x.metadata.uid === rs.metadata.uid) ?? rs);
  }

  async #apply(steps: readonly ScaleStep[]): Promise<void> {
    for (const s of steps) this.#remember(await this.#w.scaleReplicaSet(this.#latest(s.rs), s.replicas));
  }

  /** The new ReplicaSet (created if asked and missing) with its revision synced, and the old ones. */
  async #family(shouldCreate: boolean): Promise<Family> {
    const oldRSs = findOldReplicaSets(this.#d, this.#rsList);
    const newRS = await this.#newReplicaSet(oldRSs, shouldCreate);
    return { newRS, oldRSs: oldRSs.map((rs) => this.#latest(rs)) };
  }

  async #newReplicaSet(oldRSs: ReplicaSet[], shouldCreate: boolean): Promise<ReplicaSet | undefined> {
    const d = this.#d;
    const newRevision = maxRevision(oldRSs) + 1;
    const desired = specReplicas(d);
    const limits = { newRevision, desired, max: desired + maxSurge(d) };
    const existing = findNewReplicaSet(d, this.#rsList);
    if (existing) {
      const copy = structuredClone(existing);
      const isAnnotationChanged = setNewReplicaSetAnnotations(d, copy, { ...limits, exists: true });
      if (isAnnotationChanged || (copy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
        copy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        return this.#remember(await this.#w.updateReplicaSet(copy));
      }
      const revision = copy.metadata.annotations?.[REVISION];
      if (revision) await this.#w.setRevision(revision);
      if (hasProgressDeadline(d) && !getCondition(d.status, 'Progressing')) {
        const status = structuredClone(d.status ?? {});
        setCondition(status, newCondition('Progressing', 'True', REASON.foundNewRS, `Found new replica set "${copy.metadata.name}"`, this.#w.now()));
        await this.#w.writeStatus(status);
      }
      return existing;
    }
    if (!shouldCreate) return undefined;
    const rs = buildNewReplicaSet(d, 0);
    rs.spec.replicas = newReplicaSetReplicas(d, [...oldRSs, rs], rs);
    setNewReplicaSetAnnotations(d, rs, { ...limits, exists: false });
    let created: ReplicaSet;
    let isAlreadyThere = false;
    try {
      created = await this.#w.client.create<ReplicaSet>(REPLICASETS, rs);
    } catch (e) {
      if (!isStatusError(e, 'AlreadyExists')) {
        const msg = `Failed to create new replica set "${rs.metadata.name}": ${message(e)}`;
        if (hasProgressDeadline(d) && !(isStatusError(e, 'Forbidden') && /being terminated/.test(e.message))) {
          const status = structuredClone(d.status ?? {});
          setCondition(status, newCondition('Progressing', 'False', REASON.failedRSCreate, msg, this.#w.now()));
          await this.#w.writeStatus(status);
        }
        await this.#w.event('Warning', REASON.failedRSCreate, msg);
        throw e;
      }
      // Our own earlier create that the cache has not shown yet, or a different template with the same hash.
      const found = await this.#w.client.get<ReplicaSet>(REPLICASETS, rs.metadata.namespace, rs.metadata.name!);
      if (controllerOf(found)?.uid !== d.metadata.uid || !isEqualIgnoringHash(d.spec.template, found.spec.template)) {
        const status = structuredClone(d.status ?? {});
        status.collisionCount = (status.collisionCount ?? 0) + 1;
        await this.#w.writeStatus(status).catch(() => undefined);
        throw e;
      }
      created = found;
      isAlreadyThere = true;
    }
    this.#remember(created);
    const replicas = specReplicas(created);
    if (!isAlreadyThere && replicas > 0) await this.#w.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${replicas}`);
    await this.#w.setRevision(String(newRevision));
    if (!isAlreadyThere && hasProgressDeadline(d)) {
      const status = structuredClone(this.#d.status ?? {});
      setCondition(status, newCondition('Progressing', 'True', REASON.newRSCreated, `Created new replica set "${created.metadata.name}"`, this.#w.now()));
      await this.#w.writeStatus(status);
    }
    return created;
  }

  async #writeRolloutStatus(f: Family): Promise<void> {
    const now = this.#w.now();
    const allRSs = [...f.oldRSs.map((rs) => this.#latest(rs)), this.#latest(f.newRS)];
    const status = rolloutStatus(allRSs, this.#latest(f.newRS), this.#d, now);
    const before = this.#d.status;
    await this.#w.writeStatus(status);
    if (this.#d.status === before) {
      const delay = progressCheckDelayMs(this.#d, status, now);
      if (delay !== undefined) this.#w.deps.requeueAfter(delay);
    }
  }

  async #writeStatus(f: Family): Promise<void> {
    const allRSs = [...f.oldRSs.map((rs) => this.#latest(rs)), this.#latest(f.newRS)];
    await this.#w.writeStatus(calculateStatus(allRSs, this.#latest(f.newRS), this.#d, this.#w.now()));
  }

  async #cleanup(oldRSs: ReplicaSet[]): Promise<void> {
    for (const rs of replicaSetsToCleanUp(this.#d, oldRSs.map((x) => this.#latest(x)))) await this.#w.deleteReplicaSet(rs);
  }

  async statusOnly(): Promise<void> {
    await this.#writeStatus(await this.#family(false));
  }

  /** A replicas change on any active ReplicaSet's desired-replicas annotation means spec.replicas moved. */
  async isScalingEvent(): Promise<boolean> {
    const { newRS, oldRSs } = await this.#family(false);
    return activeReplicaSets([...oldRSs, newRS]).some((rs) => {
      const desired = desiredReplicasAnnotation(rs);
      return desired !== undefined && desired !== specReplicas(this.#d);
    });
  }

  async scaleOnly(): Promise<void> {
    const f = await this.#family(false);
    await this.#apply(planProportionalScale(this.#d, f.newRS, f.oldRSs));
    if (this.#d.spec.paused) await this.#cleanup(f.oldRSs);
    await this.#writeStatus(f);
  }

  async rolling(): Promise<void> {
    const f = await this.#family(true);
    const newRS = f.newRS!;
    const all = () => [...f.oldRSs.map((rs) => this.#latest(rs)), this.#latest(newRS)];
    const grow = planNewReplicaSetScale(this.#d, all(), this.#latest(newRS));
    if (grow) {
      await this.#apply([grow]);
      return this.#writeRolloutStatus(f);
    }
    const shrink = planOldReplicaSetsScaleDown(this.#d, all(), activeReplicaSets(f.oldRSs.map((rs) => this.#latest(rs))), this.#latest(newRS));
    if (shrink.length) {
      await this.#apply(shrink);
      return this.#writeRolloutStatus(f);
    }
    if (isDeploymentComplete(this.#d, this.#d.status ?? {})) await this.#cleanup(f.oldRSs);
    return this.#writeRolloutStatus(f);
  }

  async recreate(podsByReplicaSet: ReadonlyMap<string, Pod[]>): Promise<void> {
    let f = await this.#family(false);
    const shrink = planRecreateScaleDown(f.oldRSs);
    if (shrink.length) {
      await this.#apply(shrink);
      return this.#writeRolloutStatus(f);
    }
    if (hasOldPodsRunning(f.newRS, f.oldRSs, podsByReplicaSet)) return this.#writeRolloutStatus(f);
    if (!f.newRS) f = await this.#family(true);
    const newRS = this.#latest(f.newRS!);
    if (specReplicas(newRS) !== specReplicas(this.#d)) await this.#apply([{ rs: newRS, replicas: specReplicas(this.#d) }]);
    if (isDeploymentComplete(this.#d, this.#d.status ?? {})) await this.#cleanup(f.oldRSs);
    return this.#writeRolloutStatus(f);
  }

  /** Pods of the Deployment's ReplicaSets, by ReplicaSet uid. */
  podsByReplicaSet(pods: readonly Pod[]): Map<string, Pod[]> {
    const out = new Map<string, Pod[]>(this.#rsList.map((rs) => [rs.metadata.uid!, []]));
    for (const p of pods) {
      if (!matchesLabelSelector(this.#d.spec.selector, p.metadata.labels)) continue;
      out.get(controllerOf(p)?.uid ?? '')?.push(p);
    }
    return out;
  }
}

async function claimReplicaSets(w: DeploymentWriter): Promise<ReplicaSet[]> {
  const d = w.d;
  const plan = planClaims(d, w.deps.replicaSets(d.metadata.namespace!), (rs) => matchesLabelSelector(d.spec.selector, rs.metadata.labels));
  const claimed = [...plan.owned];
  if (plan.adopt.length) {
    const fresh = await w.client.get<Deployment>(DEPLOYMENTS, d.metadata.namespace, d.metadata.name!);
    if (fresh.metadata.uid !== d.metadata.uid) throw new Error(`original ${d.metadata.namespace}/${d.metadata.name} is gone: got uid ${fresh.metadata.uid}, wanted ${d.metadata.uid}`);
    if (fresh.metadata.deletionTimestamp) throw new Error(`${d.metadata.namespace}/${d.metadata.name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    const ref = controllerRefFor(d, DEPLOYMENT_KIND);
    for (const rs of plan.adopt) {
      try {
        claimed.push(await w.client.patch<ReplicaSet>(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, adoptPatch(ref, rs), { type: 'strategic' }));
        w.replacedReplicaSet(rs);
      } catch (e) {
        if (!isStatusError(e, 'NotFound')) throw e;
      }
    }
  }
  for (const rs of plan.release) {
    try {
      await w.client.patch(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, releasePatch(d.metadata.uid!, rs), { type: 'strategic' });
      w.replacedReplicaSet(rs);
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
  return claimed;
}

/** Reconciles `cached`; throws to have it retried with back-off. */
export async function syncDeployment(deps: DeploymentSyncDeps, cached: Deployment): Promise<void> {
  const w = new DeploymentWriter(deps, cached);
  if (isEmptySelector(w.d)) {
    await w.event('Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
    if ((w.d.status?.observedGeneration ?? 0) < (w.d.metadata.generation ?? 0)) await w.writeStatus({ ...w.d.status, observedGeneration: w.d.metadata.generation });
    return;
  }
  const sync = new DeploymentSync(w, await claimReplicaSets(w));
  if (w.d.metadata.deletionTimestamp) return sync.statusOnly();
  const paused = pausedConditionStatus(w.d, w.now());
  if (paused) await w.writeStatus(paused);
  if (w.d.spec.paused || (await sync.isScalingEvent())) return sync.scaleOnly();
  if (isRollingUpdate(w.d)) return sync.rolling();
  return sync.recreate(sync.podsByReplicaSet(deps.pods(w.d.metadata.namespace!)));
}
