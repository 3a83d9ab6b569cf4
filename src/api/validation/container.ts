// One container: name, image, ports, env, volume mounts, pull policy, resources, security context.
import { field } from '../status.ts';
import { arr, child, index, invalids, isObj, isSet, notFound, num, obj, required, str } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { validateLabelName } from './labels.ts';
import { inclusiveRangeError, isConfigMapKey, isDNS1123Label, isEnvVarName, isValidPortName, isValidPortNum, nameIsDNSSubdomain } from './names.ts';
import { validateResourceRequirements } from './resources.ts';

export const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];

export function validateContainerPorts(ports: unknown, path: string): Causes {
  const out: Causes = [];
  const names = new Set<string>();
  arr(ports).forEach((p, i) => {
    const port = obj(p);
    const pp = index(path, i);
    const name = str(port.name);
    if (name) {
      const errs = isValidPortName(name);
      if (errs.length) out.push(...invalids(child(pp, 'name'), name, errs));
      else if (names.has(name)) out.push(field.duplicate(child(pp, 'name'), name));
      else names.add(name);
    }
    const containerPort = num(port.containerPort) ?? 0;
    if (containerPort === 0) out.push(required(child(pp, 'containerPort')));
    else out.push(...invalids(child(pp, 'containerPort'), containerPort, isValidPortNum(containerPort)));
    const hostPort = num(port.hostPort) ?? 0;
    if (hostPort !== 0) out.push(...invalids(child(pp, 'hostPort'), hostPort, isValidPortNum(hostPort)));
    const protocol = str(port.protocol) || 'TCP';
    if (!PROTOCOLS.includes(protocol)) out.push(field.notSupported(child(pp, 'protocol'), protocol, PROTOCOLS));
  });
  return out;
}

const ENV_FIELD_PATHS = ['metadata.name', 'metadata.namespace', 'metadata.uid', 'spec.nodeName', 'spec.serviceAccountName', 'status.hostIP', 'status.hostIPs', 'status.podIP', 'status.podIPs'];
const ENV_RESOURCES = ['limits.cpu', 'limits.ephemeral-storage', 'limits.memory', 'requests.cpu', 'requests.ephemeral-storage', 'requests.memory'];

function validateKeySelector(sel: Obj, path: string): Causes {
  const out = invalids(child(path, 'name'), str(sel.name), nameIsDNSSubdomain(str(sel.name), false));
  const k = str(sel.key);
  if (!k) out.push(required(child(path, 'key')));
  else out.push(...invalids(child(path, 'key'), k, isConfigMapKey(k)));
  return out;
}

function validateValueFrom(env: Obj, path: string): Causes {
  if (!isObj(env.valueFrom)) return [];
  const from = env.valueFrom;
  const out: Causes = [];
  let sources = 0;
  if (isObj(from.fieldRef)) {
    sources++;
    const p = child(path, 'fieldRef');
    const fieldPath = str(from.fieldRef.fieldPath);
    const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fieldPath);
    if (!fieldPath) out.push(required(child(p, 'fieldPath')));
    else if (sub) out.push(...validateLabelName(sub[1] === 'annotations' ? sub[2].toLowerCase() : sub[2], p));
    else if (!ENV_FIELD_PATHS.includes(fieldPath)) out.push(field.notSupported(child(p, 'fieldPath'), fieldPath, [...ENV_FIELD_PATHS].sort()));
  }
  if (isObj(from.resourceFieldRef)) {
    sources++;
    const p = child(path, 'resourceFieldRef');
    const resource = str(from.resourceFieldRef.resource);
    if (!resource) out.push(required(child(p, 'resource')));
    else if (!ENV_RESOURCES.includes(resource) && !/^(requests|limits)\.hugepages-/.test(resource)) out.push(field.notSupported(child(p, 'resource'), resource, ENV_RESOURCES));
  }
  for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
    if (!isObj(from[ref])) continue;
    sources++;
    out.push(...validateKeySelector(from[ref] as Obj, child(path, ref)));
  }
  if (sources === 0) out.push(field.invalid(path, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
  else if (str(env.value)) out.push(field.invalid(path, '', 'may not be specified when `value` is not empty'));
  else if (sources > 1) out.push(field.invalid(path, '', 'may not have more than one field specified at a time'));
  return out;
}

export function validateEnv(env: unknown, path: string): Causes {
  const out: Causes = [];
  arr(env).forEach((e, i) => {
    const ev = obj(e);
    const p = index(path, i);
    const name = str(ev.name);
    if (!name) out.push(required(child(p, 'name')));
    else out.push(...invalids(child(p, 'name'), name, isEnvVarName(name)));
    out.push(...validateValueFrom(ev, child(p, 'valueFrom')));
  });
  return out;
}

function validateEnvFrom(envFrom: unknown, path: string): Causes {
  const out: Causes = [];
  arr(envFrom).forEach((e, i) => {
    const src = obj(e);
    const p = index(path, i);
    const prefix = str(src.prefix);
    if (prefix) out.push(...invalids(child(p, 'prefix'), prefix, isEnvVarName(prefix)));
    let sources = 0;
    for (const ref of ['configMapRef', 'secretRef']) {
      if (!isObj(src[ref])) continue;
      sources++;
      const name = str((src[ref] as Obj).name);
      if (!name) out.push(required(child(child(p, ref), 'name')));
      else out.push(...invalids(child(child(p, ref), 'name'), name, nameIsDNSSubdomain(name, true)));
    }
    if (sources === 0) out.push(field.invalid(path, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (sources > 1) out.push(field.invalid(path, '', 'may not have more than one field specified at a time'));
  });
  return out;
}

function validateVolumeMounts(mounts: unknown, { volumes, path }: { volumes: Set<string>; path: string }): Causes {
  const out: Causes = [];
  const seen = new Set<string>();
  arr(mounts).forEach((m, i) => {
    const mount = obj(m);
    const p = index(path, i);
    const name = str(mount.name);
    const mountPath = str(mount.mountPath);
    if (!name) out.push(required(child(p, 'name')));
    if (!volumes.has(name)) out.push(notFound(child(p, 'name'), name));
    if (!mountPath) out.push(required(child(p, 'mountPath')));
    if (seen.has(mountPath)) out.push(field.invalid(child(p, 'mountPath'), mountPath, 'must be unique'));
    seen.add(mountPath);
  });
  return out;
}

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const MAX_ID = 0xffffffff;

function validateSecurityContext(sc: unknown, path: string): Causes {
  const s = obj(sc);
  const out: Causes = [];
  for (const f of ['runAsUser', 'runAsGroup']) {
    const id = num(s[f]);
    if (id !== undefined && (id < 0 || id > MAX_ID)) out.push(field.invalid(child(path, f), id, inclusiveRangeError(0, MAX_ID)));
  }
  if (s.allowPrivilegeEscalation === false && s.privileged === true) {
    out.push(field.invalid(path, s, 'cannot set `allowPrivilegeEscalation` to false and `privileged` to true'));
  }
  return out;
}

/** What upstream's validateContainerCommon checks for regular and init containers alike. */
export function validateContainerCommon(c: Obj, { volumes, path }: { volumes: Set<string>; path: string }): Causes {
  const out: Causes = [];
  const name = str(c.name);
  if (!name) out.push(required(child(path, 'name')));
  else out.push(...invalids(child(path, 'name'), name, isDNS1123Label(name)));
  if (!str(c.image)) out.push(required(child(path, 'image')));
  const tmp = str(c.terminationMessagePolicy) || 'File';
  if (!TERMINATION_MESSAGE_POLICIES.includes(tmp)) out.push(field.notSupported(child(path, 'terminationMessagePolicy'), tmp, TERMINATION_MESSAGE_POLICIES));
  out.push(...validateContainerPorts(c.ports, child(path, 'ports')));
  out.push(...validateEnv(c.env, child(path, 'env')));
  out.push(...validateEnvFrom(c.envFrom, child(path, 'envFrom')));
  out.push(...validateVolumeMounts(c.volumeMounts, { volumes, path: child(path, 'volumeMounts') }));
  if (isSet(c.imagePullPolicy) && str(c.imagePullPolicy) && !PULL_POLICIES.includes(str(c.imagePullPolicy))) {
    out.push(field.notSupported(child(path, 'imagePullPolicy'), c.imagePullPolicy, PULL_POLICIES));
  }
  out.push(...validateResourceRequirements(c.resources, child(path, 'resources')));
  out.push(...validateSecurityContext(c.securityContext, child(path, 'securityContext')));
  return out;
}
