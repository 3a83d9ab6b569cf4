// networking.k8s.io/v1 Ingress and IngressClass (pkg/apis/networking/validation).
import type { KubeObject } from '../types.ts';
import { field } from '../status.ts';
import { arr, child, immutable, index, invalids, isObj, isSet, num, obj, required, str } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { parseIP } from './ip.ts';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import {
  isDNS1123Subdomain, isDomainPrefixedPath, isValidPathSegmentName, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain,
  nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain,
} from './names.ts';

const PATH_TYPES = ['Exact', 'ImplementationSpecific', 'Prefix'];
const INVALID_SEQUENCES = ['//', '/./', '/../', '%2f', '%2F'];
const INVALID_SUFFIXES = ['/..', '/.'];
const MAX_CONTROLLER_LENGTH = 250;

function validateTypedReference(ref: Obj, path: string): Causes {
  const out: Causes = [];
  if (isSet(ref.apiGroup)) out.push(...invalids(child(path, 'apiGroup'), str(ref.apiGroup), isDNS1123Subdomain(str(ref.apiGroup))));
  for (const f of ['kind', 'name']) {
    const v = str(ref[f]);
    if (!v) out.push(required(child(path, f)));
    else out.push(...invalids(child(path, f), v, isValidPathSegmentName(v)));
  }
  return out;
}

function validateBackend(backend: unknown, path: string): Causes {
  const b = obj(backend);
  const hasResource = isObj(b.resource);
  const hasService = isObj(b.service);
  if (hasResource && hasService) return [field.invalid(path, '', 'cannot set both resource and service backends')];
  if (hasResource) return validateTypedReference(b.resource as Obj, child(path, 'resource'));
  if (!hasService) return [field.invalid(path, '', 'resource or service backend is required')];
  const svc = b.service as Obj;
  const out: Causes = [];
  const name = str(svc.name);
  if (!name) out.push(required(`${path}.service.name`));
  else out.push(...invalids(`${path}.service.name`, name, nameIsDNS1035Label(name, false)));
  const port = obj(svc.port);
  const portName = str(port.name);
  const portNumber = num(port.number) ?? 0;
  if (portName && portNumber) out.push(field.invalid(path, '', 'cannot set both port name & port number'));
  else if (portName) out.push(...invalids(`${path}.service.port.name`, portName, isValidPortName(portName)));
  else if (portNumber) out.push(...invalids(`${path}.service.port.number`, portNumber, isValidPortNum(portNumber)));
  else out.push(required(path, 'port name or number is required'));
  return out;
}

function validatePath(p: Obj, path: string): Causes {
  if (!isSet(p.pathType)) return [required(child(path, 'pathType'), 'pathType must be specified')];
  const out: Causes = [];
  const value = str(p.path);
  const pathType = str(p.pathType);
  if (pathType === 'Exact' || pathType === 'Prefix') {
    if (!value.startsWith('/')) out.push(field.invalid(child(path, 'path'), value, 'must be an absolute path'));
    for (const seq of INVALID_SEQUENCES) if (value.includes(seq)) out.push(field.invalid(child(path, 'path'), value, `must not contain '${seq}'`));
    for (const suffix of INVALID_SUFFIXES) if (value.endsWith(suffix)) out.push(field.invalid(child(path, 'path'), value, `cannot end with '${suffix}'`));
  } else if (pathType === 'ImplementationSpecific') {
    if (value && !value.startsWith('/')) out.push(field.invalid(child(path, 'path'), value, 'must be an absolute path'));
  } else {
    out.push(field.notSupported(child(path, 'pathType'), pathType, PATH_TYPES));
  }
  out.push(...validateBackend(p.backend, child(path, 'backend')));
  return out;
}

function validateHost(host: string, path: string): Causes {
  const out: Causes = [];
  if (parseIP(host)) out.push(field.invalid(path, host, 'must be a DNS name, not an IP address'));
  out.push(...invalids(path, host, host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host)));
  return out;
}

function validateRules(rules: unknown[]): Causes {
  const out: Causes = [];
  rules.forEach((r, i) => {
    const rule = obj(r);
    const p = index('spec.rules', i);
    const host = str(rule.host);
    if (host) out.push(...validateHost(host, child(p, 'host')));
    if (!isObj(rule.http)) return;
    const paths = arr(rule.http.paths);
    const httpPath = child(p, 'http');
    if (!paths.length) out.push(required(child(httpPath, 'paths')));
    paths.forEach((hp, j) => out.push(...validatePath(obj(hp), index(child(httpPath, 'paths'), j))));
  });
  return out;
}

function validateTLS(tls: unknown[]): Causes {
  const out: Causes = [];
  tls.forEach((t, i) => {
    const entry = obj(t);
    const p = index('spec.tls', i);
    arr(entry.hosts).forEach((h, j) => {
      const host = str(h);
      out.push(...invalids(index(child(p, 'hosts'), j), host, host.includes('*') ? isWildcardDNS1123Subdomain(host) : isDNS1123Subdomain(host)));
    });
    const secretName = str(entry.secretName);
    if (secretName) out.push(...invalids(child(p, 'secretName'), secretName, nameIsDNSSubdomain(secretName, false)));
  });
  return out;
}

export function validateIngress(ing: KubeObject, options: { isNamespaced: boolean; isCreate: boolean }): Causes {
  const out = validateObjectMeta(ing.metadata, { isNamespaced: options.isNamespaced, nameFn: nameIsDNSSubdomain, hasKubeFinalizers: true });
  const spec = obj(ing.spec);
  const rules = arr(spec.rules);
  if (!rules.length && !isSet(spec.defaultBackend)) out.push(field.invalid('spec', spec.rules ?? null, 'either `defaultBackend` or `rules` must be specified'));
  if (isSet(spec.defaultBackend)) out.push(...validateBackend(spec.defaultBackend, 'spec.defaultBackend'));
  out.push(...validateRules(rules));
  out.push(...validateTLS(arr(spec.tls)));
  if (isSet(spec.ingressClassName)) {
    out.push(...invalids('spec.ingressClassName', str(spec.ingressClassName), nameIsDNSSubdomain(str(spec.ingressClassName), false)));
  }
  const annotation = ing.metadata.annotations?.['kubernetes.io/ingress.class'];
  if (options.isCreate && annotation !== undefined && isSet(spec.ingressClassName) && annotation !== spec.ingressClassName) {
    out.push(field.invalid('annotations.kubernetes.io/ingress.class', annotation, 'must match `ingressClassName` when both are specified'));
  }
  return out;
}

function validateParameters(params: unknown): Causes {
  if (!isObj(params)) return [];
  const path = 'spec.parameters';
  const out = validateTypedReference(params, path);
  const scope = str(params.scope) || 'Cluster';
  if (scope !== 'Cluster' && scope !== 'Namespace') return [...out, field.notSupported(child(path, 'scope'), scope, ['Cluster', 'Namespace'])];
  if (scope === 'Namespace') {
    if (!isSet(params.namespace)) out.push(required(child(path, 'namespace'), '`parameters.scope` is set to \'Namespace\''));
    else out.push(...invalids(child(path, 'namespace'), str(params.namespace), nameIsDNSLabel(str(params.namespace), false)));
  } else if (isSet(params.namespace)) {
    out.push(field.forbidden(child(path, 'namespace'), "`parameters.scope` is set to 'Cluster'"));
  }
  return out;
}

export function validateIngressClass(ic: KubeObject, options: { isNamespaced: boolean }): Causes {
  const out = validateObjectMeta(ic.metadata, { isNamespaced: options.isNamespaced, nameFn: nameIsDNSSubdomain, hasKubeFinalizers: true });
  const spec = obj(ic.spec);
  const controller = str(spec.controller);
  if (!controller) {
    out.push(required('spec.controller'));
  } else {
    if (controller.length > MAX_CONTROLLER_LENGTH) out.push(field.tooLong('spec.controller', MAX_CONTROLLER_LENGTH));
    for (const e of isDomainPrefixedPath(controller)) out.push(field.invalid('spec.controller', e.value, e.message));
  }
  out.push(...validateParameters(spec.parameters));
  return out;
}

export function validateIngressClassUpdate(ic: KubeObject, old: KubeObject): Causes {
  return [...validateObjectMetaUpdate(ic.metadata, old.metadata), ...immutable('spec.controller', { next: obj(ic.spec).controller, old: obj(old.spec).controller })];
}
