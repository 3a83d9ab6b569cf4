// apps/v1 Deployment and ReplicaSet, and the autoscaling/v1 Scale their scale subresource speaks.
import { bool, CORE, int32, int64, intOrString, kind, META, mergeList, obj, ref, str, strEnum, time } from './dsl.ts';
import type { Schema } from './dsl.ts';

export const APPS = 'io.k8s.api.apps.v1';
export const AUTOSCALING = 'io.k8s.api.autoscaling.v1';

const apps = (k: string) => ({ group: 'apps', version: 'v1', kind: k });

function condition(what: string, extra: Record<string, Schema> = {}): Schema {
  return obj(`One condition of a ${what}.`, {
    type: str('Kind of condition, such as Available or Progressing.'),
    status: strEnum('Whether it holds.', ['True', 'False', 'Unknown']),
    ...extra,
    lastTransitionTime: time('When status last changed.'),
    reason: str('Reason for the last transition.'),
    message: str('Details about the last transition.'),
  }, ['type', 'status']);
}

export function appsSchemas(): Record<string, Schema> {
  return {
    [`${APPS}.Deployment`]: kind(apps('Deployment'), 'Declarative updates for pods: keeps a number of replicas of a pod template running and rolls out changes to it through ReplicaSets.', {
      spec: ref(`${APPS}.DeploymentSpec`, 'Desired behaviour of the deployment.'),
      status: ref(`${APPS}.DeploymentStatus`, 'Observed state of the deployment. Read-only.'),
    }),
    [`${APPS}.DeploymentSpec`]: obj(
      'Desired behaviour of a deployment.',
      {
        replicas: int32('Number of pods to run. Defaults to 1.'),
        selector: ref(`${META}.LabelSelector`, 'Pods the deployment manages. Must match the template labels and cannot change.', { isPointer: true }),
        template: ref(`${CORE}.PodTemplateSpec`, 'The pods to create. Changing it starts a rollout.'),
        strategy: ref(`${APPS}.DeploymentStrategy`, 'How old pods are replaced by new ones.', { patchStrategy: 'retainKeys' }),
        minReadySeconds: int32('Seconds a new pod must be ready before it counts as available. Defaults to 0.'),
        revisionHistoryLimit: int32('Old ReplicaSets kept for rollback. Defaults to 10.'),
        paused: bool('Pause rollouts.'),
        progressDeadlineSeconds: int32('Seconds a rollout may make no progress before it is reported as failed. Defaults to 600.'),
      },
      ['selector', 'template'],
    ),
    [`${APPS}.DeploymentStrategy`]: obj('How a deployment replaces pods.', {
      type: strEnum('Recreate stops all old pods first; RollingUpdate replaces them gradually. Defaults to RollingUpdate.', ['Recreate', 'RollingUpdate']),
      rollingUpdate: ref(`${APPS}.RollingUpdateDeployment`, 'Settings for RollingUpdate.', { isPointer: true }),
    }),
    [`${APPS}.RollingUpdateDeployment`]: obj('Settings for a rolling update.', {
      maxUnavailable: intOrString('Most pods that may be unavailable during the update, as a number or a percentage. Defaults to 25%.'),
      maxSurge: intOrString('Most pods that may exist above the desired count during the update, as a number or a percentage. Defaults to 25%.'),
    }),
    [`${APPS}.DeploymentStatus`]: obj('Observed state of a deployment.', {
      observedGeneration: int64('Generation the controller last acted on.'),
      replicas: int32('Pods targeted by the deployment.'),
      updatedReplicas: int32('Pods running the current template.'),
      readyReplicas: int32('Pods that are ready.'),
      availableReplicas: int32('Pods ready for at least minReadySeconds.'),
      unavailableReplicas: int32('Pods still needed to reach full availability.'),
      conditions: mergeList(`${APPS}.DeploymentCondition`, 'Current conditions, such as Available and Progressing.', 'type'),
      collisionCount: int32('Hash collisions seen when naming ReplicaSets.'),
    }),
    [`${APPS}.DeploymentCondition`]: condition('deployment', { lastUpdateTime: time('When the condition was last updated.') }),
    [`${APPS}.ReplicaSet`]: kind(apps('ReplicaSet'), 'Keeps a number of identical pods running. Usually managed by a Deployment.', {
      spec: ref(`${APPS}.ReplicaSetSpec`, 'Desired behaviour of the replica set.'),
      status: ref(`${APPS}.ReplicaSetStatus`, 'Observed state of the replica set. Read-only.'),
    }),
    [`${APPS}.ReplicaSetSpec`]: obj(
      'Desired behaviour of a replica set.',
      {
        replicas: int32('Number of pods to run. Defaults to 1.'),
        minReadySeconds: int32('Seconds a new pod must be ready before it counts as available.'),
        selector: ref(`${META}.LabelSelector`, 'Pods the replica set manages. Must match the template labels.', { isPointer: true }),
        template: ref(`${CORE}.PodTemplateSpec`, 'The pods to create.'),
      },
      ['selector'],
    ),
    [`${APPS}.ReplicaSetStatus`]: obj('Observed state of a replica set.', {
      replicas: int32('Pods currently matched.'),
      fullyLabeledReplicas: int32('Pods whose labels match the template labels.'),
      readyReplicas: int32('Pods that are ready.'),
      availableReplicas: int32('Pods ready for at least minReadySeconds.'),
      observedGeneration: int64('Generation the controller last acted on.'),
      conditions: mergeList(`${APPS}.ReplicaSetCondition`, 'Current conditions.', 'type'),
    }, ['replicas']),
    [`${APPS}.ReplicaSetCondition`]: condition('replica set'),
    [`${AUTOSCALING}.Scale`]: kind({ group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'The scale subresource of a workload: its desired and current replica counts.', {
      spec: ref(`${AUTOSCALING}.ScaleSpec`, 'Desired scale.'),
      status: ref(`${AUTOSCALING}.ScaleStatus`, 'Current scale. Read-only.'),
    }),
    [`${AUTOSCALING}.ScaleSpec`]: obj('Desired scale.', { replicas: int32('Desired number of pods.') }),
    [`${AUTOSCALING}.ScaleStatus`]: obj('Current scale.', { replicas: int32('Current number of pods.'), selector: str('Label selector of the pods, in query-string form.') }, ['replicas']),
  };
}
