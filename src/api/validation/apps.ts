// apps/v1 Deployments and ReplicaSets (pkg/apis/apps/validation), with apps/v1 defaults assumed where fields are absent.
import type { KubeObject } from '../types.ts';
import { field } from '../status.ts';
import { child, immutable, invalids, isObj, isSet, nonNegative, num, obj, required, str, strMap } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { isEmptySelector, labelSelectorMatches, validateLabelSelector } from './labels.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isValidPercent, nameIsDNSSubdomain } from './names.ts';
import { validatePodTemplateSpec } from './pod.ts';

/** An IntOrString that is a non-negative count or a percentage. */
function validateIntOrPercent(value: unknown, path: string): Causes {
  if (typeof value === 'string') return invalids(path, value, isValidPercent(value));
  if (typeof value === 'number') return nonNegative(value, path);
  return [field.invalid(path, value, "must be an integer or percentage (e.g '5%%')")];
}

function percentOrInt(value: unknown): { value: number; isPercent: boolean } {
  if (typeof value === 'string') {
    if (isValidPercent(value).length) return { value: Number.isInteger(Number(value)) ? Number(value) : 0, isPercent: false };
    return { value: Number(value.slice(0, -1)), isPercent: true };
  }
  return { value: typeof value === 'number' ? value : 0, isPercent: false };
}

function validateStrategy(strategy: unknown, path: string): Causes {
  const s = obj(strategy);
  const type = str(s.type) || 'RollingUpdate';
  const out: Causes = [];
  if (type === 'Recreate') {
    if (isSet(s.rollingUpdate)) out.push(field.forbidden(child(path, 'rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    // apps/v1 defaults both to 25%
    const ru = obj(s.rollingUpdate);
    const maxUnavailable = isSet(ru.maxUnavailable) ? ru.maxUnavailable : '25%';
    const maxSurge = isSet(ru.maxSurge) ? ru.maxSurge : '25%';
    const ruPath = child(path, 'rollingUpdate');
    out.push(...validateIntOrPercent(maxUnavailable, child(ruPath, 'maxUnavailable')));
    out.push(...validateIntOrPercent(maxSurge, child(ruPath, 'maxSurge')));
    if (percentOrInt(maxUnavailable).value === 0 && percentOrInt(maxSurge).value === 0) {
      out.push(field.invalid(child(ruPath, 'maxUnavailable'), maxUnavailable, 'may not be 0 when `maxSurge` is 0'));
    }
    const mu = percentOrInt(maxUnavailable);
    if (mu.isPercent && mu.value > 100) out.push(field.invalid(child(ruPath, 'maxUnavailable'), maxUnavailable, 'must not be greater than 100%'));
  } else {
    out.push(field.notSupported(path, s, ['Recreate', 'RollingUpdate']));
  }
  return out;
}

/** Selector and template, shared by Deployment and ReplicaSet. */
function validateSelectorAndTemplate(spec: Obj, { path, kind }: { path: string; kind: string }): Causes {
  const out: Causes = [];
  const selectorPath = child(path, 'selector');
  const templatePath = child(path, 'template');
  let selectorIsUsable = true;
  if (!isObj(spec.selector)) {
    out.push(required(selectorPath));
  } else {
    const errs = validateLabelSelector(spec.selector, selectorPath);
    out.push(...errs);
    if (isEmptySelector(spec.selector)) out.push(field.invalid(selectorPath, spec.selector, `empty selector is invalid for ${kind}`));
    if (errs.length) {
      out.push(field.invalid(selectorPath, spec.selector, 'invalid label selector'));
      selectorIsUsable = false;
    }
  }
  const template = obj(spec.template);
  const labels = strMap(obj(template.metadata).labels);
  if (selectorIsUsable) {
    // a missing selector selects nothing, an empty one everything
    const matches = isObj(spec.selector) ? isEmptySelector(spec.selector) || labelSelectorMatches(spec.selector, labels) : false;
    if (!matches) out.push(field.invalid(child(child(templatePath, 'metadata'), 'labels'), labels, '`selector` does not match template `labels`'));
  }
  out.push(...validatePodTemplateSpec(template, templatePath));
  const templateSpec = obj(template.spec);
  const restartPolicy = str(templateSpec.restartPolicy) || 'Always';
  if (restartPolicy !== 'Always') out.push(field.notSupported(child(child(templatePath, 'spec'), 'restartPolicy'), restartPolicy, ['Always']));
  if (isSet(templateSpec.activeDeadlineSeconds)) {
    out.push(field.forbidden(child(child(templatePath, 'spec'), 'activeDeadlineSeconds'), 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
  return out;
}

function validateDeploymentSpec(spec: Obj): Causes {
  const out = nonNegative(num(spec.replicas) ?? 1, 'spec.replicas');
  out.push(...validateSelectorAndTemplate(spec, { path: 'spec', kind: 'deployment' }));
  out.push(...validateStrategy(spec.strategy, 'spec.strategy'));
  const minReady = num(spec.minReadySeconds) ?? 0;
  out.push(...nonNegative(minReady, 'spec.minReadySeconds'));
  out.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  const deadline = num(spec.progressDeadlineSeconds) ?? 600;
  out.push(...nonNegative(deadline, 'spec.progressDeadlineSeconds'));
  if (deadline <= minReady) out.push(field.invalid('spec.progressDeadlineSeconds', deadline, 'must be greater than minReadySeconds'));
  return out;
}

function validateReplicaSetSpec(spec: Obj): Causes {
  const out = nonNegative(num(spec.replicas) ?? 1, 'spec.replicas');
  out.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  // upstream's message says "deployment" for ReplicaSets too
  out.push(...validateSelectorAndTemplate(spec, { path: 'spec', kind: 'deployment' }));
  return out;
}

const META = { nameFn: nameIsDNSSubdomain, hasKubeFinalizers: true };

export function validateDeployment(d: KubeObject, options: { isNamespaced: boolean }): Causes {
  return [...validateObjectMeta(d.metadata, { ...META, ...options }), ...validateDeploymentSpec(obj(d.spec))];
}

export function validateReplicaSet(rs: KubeObject, options: { isNamespaced: boolean }): Causes {
  return [...validateObjectMeta(rs.metadata, { ...META, ...options }), ...validateReplicaSetSpec(obj(rs.spec))];
}

/** apps/v1 forbids changing the selector (upstream's strategies add this for every version but the old betas). */
export function validateWorkloadUpdate(next: KubeObject, old: KubeObject): Causes {
  return [...validateObjectMetaUpdate(next.metadata, old.metadata), ...immutable('spec.selector', { next: obj(next.spec).selector, old: obj(old.spec).selector })];
}
