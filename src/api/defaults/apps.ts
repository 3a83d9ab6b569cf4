// Defaulting of apps/v1 kinds, as upstream's pkg/apis/apps/v1/defaults.go does it.
import type { KubeObject } from '../types.ts';
import { defaultNil, defaultZero, ensureObj } from './fields.ts';
import { defaultPodTemplate } from './pod.ts';

export function defaultDeployment(d: KubeObject): void {
  const spec = ensureObj(d, 'spec');
  defaultNil(spec, 'replicas', 1);
  const strategy = ensureObj(spec, 'strategy');
  defaultZero(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = ensureObj(strategy, 'rollingUpdate');
    defaultNil(rollingUpdate, 'maxUnavailable', '25%');
    defaultNil(rollingUpdate, 'maxSurge', '25%');
  }
  defaultNil(spec, 'revisionHistoryLimit', 10);
  defaultNil(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(spec.template);
}

export function defaultReplicaSet(rs: KubeObject): void {
  const spec = ensureObj(rs, 'spec');
  defaultNil(spec, 'replicas', 1);
  defaultPodTemplate(spec.template);
}
