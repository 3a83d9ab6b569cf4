// Pod defaulting as upstream's pkg/apis/core/v1 does it for PodSpec, Container, Probe, Volume and Pod,
// plus what the admission plugins that always run add to Pods (ServiceAccount, Priority, DefaultTolerationSeconds).
import type { KubeObject } from '../types.ts';
import { defaultNil, defaultZero, ensureObj, isObj, objAt, objsAt } from './fields.ts';
import type { Obj } from './fields.ts';

const DEFAULT_TOLERATION_SECONDS = 300;
const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
const FILE_MODE_0644 = 0o644;
const SYSTEM_PRIORITIES: Record<string, number> = { 'system-node-critical': 2000001000, 'system-cluster-critical': 2000000000 };

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG = /^\w[\w.-]{0,127}$/;

/**
 * The tag an image reference resolves to, as upstream's parsers.ParseImageName: "latest" when the reference
 * has neither tag nor digest, "" when it has only a digest or does not parse as a reference.
 */
export function imageTag(image: string): string {
  if (!image) return '';
  const at = image.indexOf('@');
  const named = at >= 0 ? image.slice(0, at) : image;
  let name = named;
  let tag = '';
  const colon = named.lastIndexOf(':');
  if (colon > named.lastIndexOf('/')) {
    name = named.slice(0, colon);
    tag = named.slice(colon + 1);
    if (!TAG.test(tag)) return '';
  }
  const parts = name.split('/');
  const first = parts[0];
  // Docker's rule for telling a registry host from the first path component.
  const hasDomain = parts.length > 1 && (/[.:]/.test(first) || first === 'localhost' || first !== first.toLowerCase());
  const path = hasDomain ? parts.slice(1) : parts;
  if (!path.every((p) => PATH_COMPONENT.test(p))) return '';
  if (tag) return tag;
  return at >= 0 ? '' : 'latest';
}

export function defaultImagePullPolicy(image: unknown): 'Always' | 'IfNotPresent' {
  return imageTag(typeof image === 'string' ? image : '') === 'latest' ? 'Always' : 'IfNotPresent';
}

function defaultHttpGet(handler: Obj | undefined): void {
  const httpGet = handler && objAt(handler, 'httpGet');
  if (!httpGet) return;
  defaultZero(httpGet, 'path', '/');
  defaultZero(httpGet, 'scheme', 'HTTP');
}

function defaultProbe(probe: Obj): void {
  defaultZero(probe, 'timeoutSeconds', 1);
  defaultZero(probe, 'periodSeconds', 10);
  defaultZero(probe, 'successThreshold', 1);
  defaultZero(probe, 'failureThreshold', 3);
  defaultHttpGet(probe);
  const grpc = objAt(probe, 'grpc');
  if (grpc) defaultNil(grpc, 'service', '');
}

function defaultFieldRef(holder: Obj | undefined): void {
  const fieldRef = holder && objAt(holder, 'fieldRef');
  if (fieldRef) defaultZero(fieldRef, 'apiVersion', 'v1');
}

export function defaultContainer(c: Obj): void {
  defaultZero(c, 'imagePullPolicy', defaultImagePullPolicy(c.image));
  defaultZero(c, 'terminationMessagePath', '/dev/termination-log');
  defaultZero(c, 'terminationMessagePolicy', 'File');
  // ResourceRequirements is a struct, not a pointer: upstream always serializes it, as {} when empty.
  defaultNil(c, 'resources', {});
  for (const port of objsAt(c, 'ports')) defaultZero(port, 'protocol', 'TCP');
  for (const key of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const probe = objAt(c, key);
    if (probe) defaultProbe(probe);
  }
  const lifecycle = objAt(c, 'lifecycle');
  if (lifecycle) for (const key of ['postStart', 'preStop']) defaultHttpGet(objAt(lifecycle, key));
  for (const env of objsAt(c, 'env')) defaultFieldRef(objAt(env, 'valueFrom'));
}

function defaultVolume(v: Obj): void {
  const hasSource = Object.keys(v).some((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
  if (!hasSource) v.emptyDir = {};
  for (const key of ['secret', 'configMap', 'downwardAPI', 'projected']) {
    const source = objAt(v, key);
    if (source) defaultNil(source, 'defaultMode', FILE_MODE_0644);
  }
  const hostPath = objAt(v, 'hostPath');
  if (hostPath) defaultNil(hostPath, 'type', '');
  for (const item of objsAt(objAt(v, 'downwardAPI'), 'items')) defaultFieldRef(item);
  for (const source of objsAt(objAt(v, 'projected'), 'sources')) {
    for (const item of objsAt(objAt(source, 'downwardAPI'), 'items')) defaultFieldRef(item);
    const token = objAt(source, 'serviceAccountToken');
    if (token) defaultNil(token, 'expirationSeconds', 3600);
  }
}

/** SetDefaults_PodSpec and everything nested in it; applies to Pods and to pod templates alike. */
export function defaultPodSpec(spec: Obj): void {
  defaultZero(spec, 'dnsPolicy', 'ClusterFirst');
  defaultZero(spec, 'restartPolicy', 'Always');
  defaultNil(spec, 'securityContext', {});
  defaultNil(spec, 'terminationGracePeriodSeconds', 30);
  defaultZero(spec, 'schedulerName', 'default-scheduler');
  for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of objsAt(spec, key)) defaultContainer(c);
  }
  for (const v of objsAt(spec, 'volumes')) defaultVolume(v);
  // v1 keeps the deprecated serviceAccount field as an alias of serviceAccountName (done by conversion upstream).
  const name = spec.serviceAccountName || spec.serviceAccount;
  if (typeof name === 'string' && name) {
    spec.serviceAccountName = name;
    spec.serviceAccount = name;
  }
}

/** Upstream defaults a pod template (Deployment, ReplicaSet) through its PodSpec only. */
export function defaultPodTemplate(template: unknown): void {
  if (!isObj(template)) return;
  const spec = objAt(template, 'spec');
  if (spec) defaultPodSpec(spec);
}

function defaultRequestsToLimits(c: Obj): void {
  const resources = objAt(c, 'resources');
  const limits = resources && objAt(resources, 'limits');
  if (!resources || !limits) return;
  const requests = ensureObj(resources, 'requests');
  for (const [k, v] of Object.entries(limits)) if (!(k in requests)) requests[k] = v;
}

function defaultTolerations(spec: Obj): void {
  const tolerations = objsAt(spec, 'tolerations');
  const tolerates = (taint: string) =>
    tolerations.some((t) => (!t.key || t.key === taint) && (!t.effect || t.effect === 'NoExecute'));
  const added: Obj[] = [];
  for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
    if (!tolerates(key)) added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_TOLERATION_SECONDS });
  }
  if (added.length) spec.tolerations = [...(Array.isArray(spec.tolerations) ? spec.tolerations : []), ...added];
}

function defaultPriority(spec: Obj): void {
  if (spec.priority === undefined || spec.priority === null) {
    const className = typeof spec.priorityClassName === 'string' ? spec.priorityClassName : '';
    // A named non-system class would need a PriorityClass lookup, which Skiff does not serve; leave it unset.
    if (!className) spec.priority = 0;
    else if (className in SYSTEM_PRIORITIES) spec.priority = SYSTEM_PRIORITIES[className];
  }
  if (typeof spec.priority === 'number') defaultNil(spec, 'preemptionPolicy', 'PreemptLowerPriority');
}

export function defaultPod(pod: KubeObject): void {
  const spec = ensureObj(pod, 'spec');
  defaultPodSpec(spec);
  for (const key of ['containers', 'initContainers']) for (const c of objsAt(spec, key)) defaultRequestsToLimits(c);
  defaultNil(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const key of ['containers', 'initContainers']) {
      for (const c of objsAt(spec, key)) {
        for (const port of objsAt(c, 'ports')) if (typeof port.containerPort === 'number') defaultZero(port, 'hostPort', port.containerPort);
      }
    }
  }
  // Admission plugins upstream runs on every Pod create: ServiceAccount, Priority, DefaultTolerationSeconds.
  defaultZero(spec, 'serviceAccountName', 'default');
  defaultZero(spec, 'serviceAccount', spec.serviceAccountName);
  defaultPriority(spec);
  defaultTolerations(spec);
}
