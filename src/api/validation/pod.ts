// PodSpec (for Pods and for pod templates), Pods on create and on update.
import type { KubeObject } from '../types.ts';
import { field } from '../status.ts';
import { arr, child, index, invalids, isObj, isSet, num, obj, required, str } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { validateContainerCommon } from './container.ts';
import { validateLabels } from './labels.ts';
import { validateAnnotations, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { inclusiveRangeError, isDNS1123Label, nameIsDNSSubdomain } from './names.ts';
import { validateLifecycle, validateProbe } from './probe.ts';
import { validatePodSpecUpdate } from './pod-update.ts';
import { validateTolerations } from './tolerations.ts';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const MAX_INT32 = 2147483647;

function validateVolumes(volumes: unknown, path: string): { names: Set<string>; causes: Causes } {
  const names = new Set<string>();
  const causes: Causes = [];
  arr(volumes).forEach((v, i) => {
    const vol = obj(v);
    const p = index(path, i);
    const name = str(vol.name);
    if (!name) causes.push(required(child(p, 'name')));
    else causes.push(...invalids(child(p, 'name'), name, isDNS1123Label(name)));
    if (names.has(name)) causes.push(field.duplicate(child(p, 'name'), name));
    else if (name) names.add(name);
    const sources = Object.keys(vol).filter((k) => k !== 'name' && isSet(vol[k]));
    if (!sources.length) causes.push(required(p, 'must specify a volume type'));
    for (const extra of sources.slice(1)) causes.push(field.forbidden(child(p, extra), 'may not specify more than 1 volume type'));
  });
  return { names, causes };
}

function validateContainers(spec: Obj, { volumes, path, gracePeriod }: { volumes: Set<string>; path: string; gracePeriod: number }): Causes {
  const out: Causes = [];
  const containers = arr(spec.containers);
  const containersPath = child(path, 'containers');
  if (!containers.length) out.push(required(containersPath));
  const names = new Set<string>();
  containers.forEach((c, i) => {
    const ctr = obj(c);
    const p = index(containersPath, i);
    out.push(...validateContainerCommon(ctr, { volumes, path: p }));
    if (names.has(str(ctr.name))) out.push(field.duplicate(child(p, 'name'), str(ctr.name)));
    else names.add(str(ctr.name));
    if (isObj(ctr.lifecycle)) out.push(...validateLifecycle(ctr.lifecycle, { path: child(p, 'lifecycle'), gracePeriod }));
    for (const kind of ['livenessProbe', 'readinessProbe', 'startupProbe'] as const) out.push(...validateProbe(ctr[kind], { kind, path: child(p, kind), gracePeriod }));
    if (isSet(ctr.restartPolicy)) out.push(field.forbidden(child(p, 'restartPolicy'), 'may not be set for non-init containers'));
  });
  const initPath = child(path, 'initContainers');
  arr(spec.initContainers).forEach((c, i) => {
    const ctr = obj(c);
    const p = index(initPath, i);
    out.push(...validateContainerCommon(ctr, { volumes, path: p }));
    const isSidecar = ctr.restartPolicy === 'Always';
    if (isSet(ctr.restartPolicy) && !isSidecar) out.push(field.notSupported(child(p, 'restartPolicy'), ctr.restartPolicy, ['Always']));
    if (names.has(str(ctr.name))) out.push(field.duplicate(child(p, 'name'), str(ctr.name)));
    else if (str(ctr.name)) names.add(str(ctr.name));
    for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'] as const) {
      if (!isSet(ctr[f])) continue;
      if (!isSidecar) out.push(field.forbidden(child(p, f), 'may not be set for init containers without restartPolicy=Always'));
      else if (f === 'lifecycle') out.push(...validateLifecycle(ctr.lifecycle, { path: child(p, f), gracePeriod }));
      else out.push(...validateProbe(ctr[f], { kind: f, path: child(p, f), gracePeriod }));
    }
  });
  return out;
}

function validateHostPorts(spec: Obj, { path, isPod }: { path: string; isPod: boolean }): Causes {
  const out: Causes = [];
  const seen = new Set<string>();
  arr(spec.containers).forEach((c, ci) => {
    arr(obj(c).ports).forEach((p, pi) => {
      const port = obj(p);
      const hostPort = num(port.hostPort) ?? 0;
      const pp = index(child(index(child(path, 'containers'), ci), 'ports'), pi);
      if (spec.hostNetwork === true && (isPod || hostPort !== 0) && hostPort !== (num(port.containerPort) ?? 0)) {
        out.push(field.invalid(child(pp, 'hostPort'), hostPort, 'must match `containerPort` when `hostNetwork` is true'));
      }
      if (!hostPort) return;
      const id = `${str(port.protocol) || 'TCP'}/${str(port.hostIP)}/${hostPort}`;
      if (seen.has(id)) out.push(field.duplicate(child(pp, 'hostPort'), id));
      seen.add(id);
    });
  });
  return out;
}

export function validatePodSpec(spec: unknown, path: string, options: { isPod: boolean }): Causes {
  const s = obj(spec);
  const gracePeriod = num(s.terminationGracePeriodSeconds) ?? 30;
  const volumes = validateVolumes(s.volumes, child(path, 'volumes'));
  const out: Causes = [...volumes.causes];
  out.push(...validateContainers(s, { volumes: volumes.names, path, gracePeriod }));
  out.push(...validateHostPorts(s, { path, isPod: options.isPod }));
  const restartPolicy = str(s.restartPolicy) || 'Always';
  if (!RESTART_POLICIES.includes(restartPolicy)) out.push(field.notSupported(child(path, 'restartPolicy'), restartPolicy, RESTART_POLICIES));
  const dnsPolicy = str(s.dnsPolicy) || 'ClusterFirst';
  if (!DNS_POLICIES.includes(dnsPolicy)) out.push(field.notSupported(child(path, 'dnsPolicy'), dnsPolicy, DNS_POLICIES));
  if (dnsPolicy === 'None') {
    if (!isObj(s.dnsConfig)) out.push(required(child(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
    else if (!arr(s.dnsConfig.nameservers).length) out.push(required(child(child(path, 'dnsConfig'), 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
  }
  out.push(...validateLabels(s.nodeSelector, child(path, 'nodeSelector')));
  for (const f of ['serviceAccountName', 'nodeName', 'priorityClassName']) {
    const v = str(s[f]);
    if (v) out.push(...invalids(child(path, f), v, nameIsDNSSubdomain(v, false)));
  }
  const deadline = num(s.activeDeadlineSeconds);
  if (deadline !== undefined && (deadline < 1 || deadline > MAX_INT32)) {
    out.push(field.invalid(child(path, 'activeDeadlineSeconds'), deadline, inclusiveRangeError(1, MAX_INT32)));
  }
  for (const f of ['hostname', 'subdomain']) {
    const v = str(s[f]);
    if (v) out.push(...invalids(child(path, f), v, isDNS1123Label(v)));
  }
  out.push(...validateTolerations(s.tolerations, child(path, 'tolerations')));
  return out;
}

/** A PodTemplateSpec inside a workload: labels sit at `<path>.labels`, the spec at `<path>.spec`. */
export function validatePodTemplateSpec(template: unknown, path: string): Causes {
  const t = obj(template);
  const meta = obj(t.metadata);
  const out = validateLabels(meta.labels, child(path, 'labels'));
  out.push(...validateAnnotations(meta.annotations, child(path, 'annotations')));
  out.push(...validatePodSpec(t.spec, child(path, 'spec'), { isPod: false }));
  if (arr(obj(t.spec).ephemeralContainers).length) out.push(field.forbidden(child(child(path, 'spec'), 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return out;
}

function validatePodOnly(pod: KubeObject, isNamespaced: boolean): Causes {
  const out = validateObjectMeta(pod.metadata, { isNamespaced, nameFn: nameIsDNSSubdomain, hasKubeFinalizers: true });
  const spec = obj(pod.spec);
  out.push(...validatePodSpec(spec, 'spec', { isPod: true }));
  for (const list of ['containers', 'initContainers']) {
    arr(spec[list]).forEach((c, i) => {
      const image = str(obj(c).image);
      if (image !== image.trim()) out.push(field.invalid(`spec.${list}[${i}].image`, image, 'must not have leading or trailing whitespace'));
    });
  }
  return out;
}

export function validatePodCreate(pod: KubeObject, options: { isNamespaced: boolean }): Causes {
  const out = validatePodOnly(pod, options.isNamespaced);
  if (arr(obj(pod.spec).ephemeralContainers).length) out.push(field.forbidden('spec.ephemeralContainers', 'cannot be set on create'));
  return out;
}

export function validatePodUpdate(pod: KubeObject, old: KubeObject, options: { isNamespaced: boolean }): Causes {
  const out = validateObjectMetaUpdate(pod.metadata, old.metadata);
  out.push(...validatePodOnly(pod, options.isNamespaced));
  out.push(...validatePodSpecUpdate(obj(pod.spec), obj(old.spec)));
  return out;
}
