// The writes one Deployment sync makes, keeping its working copies (the Deployment and its ReplicaSets) current
// with what the API server returned, so later steps of the same sync never act on a version they replaced.
import { findResource } from '../../api/resources.ts';
import type { Pod } from '../../api/types.ts';
import { isStatusError } from '../../api/status.ts';
import type { KubeClient } from '../../client/client.ts';
import type { EventRecorder } from '../runtime/event-recorder.ts';
import type { ReplacedVersions } from '../replicaset/replaced-versions.ts';
import type { Deployment, DeploymentStatus, ReplicaSet } from '../replicaset/workload-types.ts';
import { specReplicas } from '../replicaset/workload-types.ts';
import { isSameDeploymentStatus } from './deployment-status.ts';
import { maxSurge } from './fenceposts.ts';
import { replicasAnnotationsNeedUpdate, REVISION, setReplicasAnnotations } from './revision.ts';

export const DEPLOYMENTS = findResource('apps', 'v1', 'deployments')!;
export const REPLICASETS = findResource('apps', 'v1', 'replicasets')!;
export const PODS = findResource('', 'v1', 'pods')!;

export interface DeploymentSyncDeps {
  client: KubeClient;
  recorder: EventRecorder;
  /** Deployment and ReplicaSet versions this controller's writes replaced. */
  replaced: ReplacedVersions;
  now: () => Date;
  /** Cached ReplicaSets / pods of one namespace. */
  replicaSets(namespace: string): ReplicaSet[];
  pods(namespace: string): Pod[];
  /** Look at this Deployment again after a delay (progress deadline). */
  requeueAfter(delayMs: number): void;
}

export class DeploymentWriter {
  readonly deps: DeploymentSyncDeps;
  /** The Deployment as last read or written. */
  d: Deployment;

  constructor(deps: DeploymentSyncDeps, d: Deployment) {
    this.deps = deps;
    this.d = structuredClone(d);
  }

  get client(): KubeClient {
    return this.deps.client;
  }

  #replacedDeployment(): void {
    this.deps.replaced.replaced(`${this.d.metadata.namespace}/${this.d.metadata.name}`, this.d.metadata.resourceVersion);
  }

  /** Records that a write replaced this version of `rs`. */
  replacedReplicaSet(rs: ReplicaSet): void {
    this.deps.replaced.replaced(`${rs.metadata.namespace}/${rs.metadata.name}`, rs.metadata.resourceVersion);
  }

  now(): Date {
    return this.deps.now();
  }

  async event(type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    await this.deps.recorder.record(this.d, type, reason, message);
  }

  /** Writes `status` through the status subresource, unless it is what the Deployment already has. */
  async writeStatus(status: DeploymentStatus): Promise<void> {
    if (isSameDeploymentStatus(this.d.status, status)) return;
    const updated = await this.client.updateStatus<Deployment>(DEPLOYMENTS, { ...this.d, status });
    this.#replacedDeployment();
    this.d = { ...this.d, metadata: { ...this.d.metadata, resourceVersion: updated.metadata.resourceVersion }, status: updated.status };
  }

  /**
   * Records the revision on the Deployment. Upstream writes it along with status, but the status subresource
   * here keeps only status, so it goes through a metadata-only merge patch of the main resource.
   */
  async setRevision(revision: string): Promise<void> {
    if (this.d.metadata.annotations?.[REVISION] === revision) return;
    const updated = await this.client.patch<Deployment>(DEPLOYMENTS, this.d.metadata.namespace, this.d.metadata.name!, { metadata: { annotations: { [REVISION]: revision } } });
    this.#replacedDeployment();
    this.d = { ...this.d, metadata: { ...this.d.metadata, annotations: updated.metadata.annotations, resourceVersion: updated.metadata.resourceVersion } };
  }

  async updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet> {
    const updated = await this.client.update<ReplicaSet>(REPLICASETS, rs);
    this.replacedReplicaSet(rs);
    return updated;
  }

  /**
   * Sets `rs` to `replicas` with fresh desired/max-replicas annotations; writes only if either changed, and
   * reports a ScalingReplicaSet event for a size change.
   */
  async scaleReplicaSet(rs: ReplicaSet, replicas: number): Promise<ReplicaSet> {
    const desired = specReplicas(this.d);
    const max = desired + maxSurge(this.d);
    const from = specReplicas(rs);
    if (from === replicas && !replicasAnnotationsNeedUpdate(rs, desired, max)) return rs;
    const copy = structuredClone(rs);
    copy.spec.replicas = replicas;
    setReplicasAnnotations(copy, desired, max);
    const updated = await this.updateReplicaSet(copy);
    if (from !== replicas) await this.event('Normal', 'ScalingReplicaSet', `Scaled ${from < replicas ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`);
    return updated;
  }

  async deleteReplicaSet(rs: ReplicaSet): Promise<void> {
    try {
      await this.client.delete(REPLICASETS, rs.metadata.namespace, rs.metadata.name!, { preconditions: { uid: rs.metadata.uid } });
    } catch (e) {
      if (!isStatusError(e, 'NotFound')) throw e;
    }
  }
}
