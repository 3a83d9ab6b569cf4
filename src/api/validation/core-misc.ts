// The smaller kinds: Namespace, Node, ServiceAccount, Endpoints, Event (core/v1) and Lease (coordination.k8s.io/v1).
import type { KubeObject } from '../types.ts';
import { field } from '../status.ts';
import { arr, child, index, invalids, isSet, num, obj, required, str } from './causes.ts';
import type { Causes } from './causes.ts';
import { PROTOCOLS } from './container.ts';
import { isIPv6String, validateCIDR, validateIP, validateNonSpecialIP } from './ip.ts';
import { STANDARD_FINALIZERS, validateObjectMeta, validateObjectMetaUpdate } from './meta.ts';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName, isValidLabelValue, isValidPortNum, nameIsDNSLabel, nameIsDNSSubdomain } from './names.ts';
import { validateLabelName } from './labels.ts';

type Options = { isNamespaced: boolean };

export function validateNamespace(ns: KubeObject, options: Options): Causes {
  const out = validateObjectMeta(ns.metadata, { ...options, nameFn: nameIsDNSLabel, hasKubeFinalizers: true });
  // upstream reports spec.finalizers without an index
  for (const f of arr(obj(ns.spec).finalizers).map(str)) {
    out.push(...invalids('spec.finalizers', f, isQualifiedName(f)));
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f)) out.push(field.invalid('spec.finalizers', f, 'name is neither a standard finalizer name nor is it fully qualified'));
  }
  return out;
}

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateNode(node: KubeObject, options: Options): Causes {
  const out = validateObjectMeta(node.metadata, { ...options, nameFn: nameIsDNSSubdomain, hasKubeFinalizers: true });
  const spec = obj(node.spec);
  const seen = new Map<string, Set<string>>();
  arr(spec.taints).forEach((t, i) => {
    const taint = obj(t);
    // upstream validates spec.taints under the metadata path
    const p = index('metadata.taints', i);
    const effect = str(taint.effect);
    out.push(...validateLabelName(str(taint.key), child(p, 'key')));
    const valueErrs = isValidLabelValue(str(taint.value));
    if (valueErrs.length) out.push(field.invalid(child(p, 'value'), str(taint.value), valueErrs.join(';')));
    if (!effect) out.push(required(child(p, 'effect')));
    else if (!TAINT_EFFECTS.includes(effect)) out.push(field.notSupported(child(p, 'effect'), effect, TAINT_EFFECTS));
    const keys = seen.get(effect) ?? new Set<string>();
    if (keys.has(str(taint.key))) out.push({ ...field.duplicate(p, taint), message: `Duplicate value: ${JSON.stringify(taint)}: taints must be unique by key and effect pair` });
    keys.add(str(taint.key));
    seen.set(effect, keys);
  });
  const cidrs = podCIDRsOf(node);
  cidrs.forEach((c, i) => out.push(...validateCIDR(index('spec.podCIDRs', i), c)));
  if (cidrs.length > 1) {
    const families = new Set(cidrs.map((c) => isIPv6String(c.split('/')[0])));
    if (cidrs.length > 2 || families.size !== 2) out.push(field.invalid('spec.podCIDRs', cidrs, 'may specify no more than one CIDR for each IP family'));
    cidrs.forEach((c, i) => {
      if (cidrs.indexOf(c) !== i) out.push(field.duplicate(index('spec.podCIDRs', i), c));
    });
  }
  return out;
}

/** v1 carries both podCIDR and podCIDRs; upstream's conversion folds them into one list. */
function podCIDRsOf(node: KubeObject): string[] {
  const spec = obj(node.spec);
  const list = arr(spec.podCIDRs).map(str);
  return list.length ? list : str(spec.podCIDR) ? [str(spec.podCIDR)] : [];
}

export function validateNodeUpdate(node: KubeObject, old: KubeObject): Causes {
  const out = validateObjectMetaUpdate(node.metadata, old.metadata);
  const before = podCIDRsOf(old);
  const after = podCIDRsOf(node);
  const message = 'node updates may not change podCIDR except from "" to valid';
  if (before.length && (before.length !== after.length || before.some((c, i) => c !== after[i]))) out.push(field.forbidden('spec.podCIDRs', message));
  const oldProvider = str(obj(old.spec).providerID);
  if (oldProvider && oldProvider !== str(obj(node.spec).providerID)) out.push(field.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  return out;
}

export function validateServiceAccount(sa: KubeObject, options: Options): Causes {
  return validateObjectMeta(sa.metadata, { ...options, nameFn: nameIsDNSSubdomain, hasKubeFinalizers: true });
}

export function validateEndpoints(ep: KubeObject, options: Options): Causes {
  const out = validateObjectMeta(ep.metadata, { ...options, nameFn: nameIsDNSSubdomain, hasKubeFinalizers: true });
  arr(ep.subsets).forEach((s, i) => {
    const subset = obj(s);
    const p = index('subsets', i);
    if (!arr(subset.addresses).length && !arr(subset.notReadyAddresses).length) out.push(required(p, 'must specify `addresses` or `notReadyAddresses`'));
    for (const list of ['addresses', 'notReadyAddresses']) {
      arr(subset[list]).forEach((a, j) => {
        const addr = obj(a);
        const ap = index(child(p, list), j);
        out.push(...validateIP(child(ap, 'ip'), str(addr.ip)));
        if (str(addr.hostname)) out.push(...invalids(child(ap, 'hostname'), str(addr.hostname), isDNS1123Label(str(addr.hostname))));
        if (isSet(addr.nodeName)) out.push(...invalids(child(ap, 'nodeName'), str(addr.nodeName), nameIsDNSSubdomain(str(addr.nodeName), false)));
        out.push(...validateNonSpecialIP(child(ap, 'ip'), str(addr.ip)));
      });
    }
    const ports = arr(subset.ports);
    ports.forEach((pt, j) => {
      const port = obj(pt);
      const pp = index(child(p, 'ports'), j);
      const name = str(port.name);
      if (ports.length > 1 && !name) out.push(required(child(pp, 'name')));
      else if (name) out.push(...invalids(child(pp, 'name'), name, isDNS1123Label(name)));
      const n = num(port.port) ?? 0;
      out.push(...invalids(child(pp, 'port'), n, isValidPortNum(n)));
      const protocol = str(port.protocol) || 'TCP';
      if (!PROTOCOLS.includes(protocol)) out.push(field.notSupported(child(pp, 'protocol'), protocol, PROTOCOLS));
      if (isSet(port.appProtocol)) out.push(...invalids(child(pp, 'appProtocol'), str(port.appProtocol), isQualifiedName(str(port.appProtocol))));
    });
  });
  return out;
}

/**
 * core/v1 Events get only upstream's "legacy" checks (events.k8s.io/v1 is stricter); object metadata is then
 * checked generically by the caller.
 */
export function validateEvent(ev: KubeObject): Causes {
  const out: Causes = [];
  const involved = obj(ev.involvedObject);
  const involvedNs = str(involved.namespace);
  const ns = str(ev.metadata.namespace);
  const mismatch = () => field.invalid('involvedObject.namespace', involvedNs, 'does not match event.namespace');
  if (!str(ev.eventTime)) {
    if (!involvedNs ? ns !== '' && ns !== 'default' : ns !== involvedNs) out.push(mismatch());
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') out.push(mismatch());
    const controller = str(ev.reportingComponent);
    if (!controller) out.push(required('reportingController'));
    out.push(...invalids('reportingController', controller, isQualifiedName(controller)));
    const limits: [string, string, number][] = [['reportingInstance', str(ev.reportingInstance), 128], ['action', str(ev.action), 128], ['reason', str(ev.reason), 128]];
    for (const [name, value, max] of limits) {
      if (!value) out.push(required(name));
      if (value.length > max) out.push(field.invalid(name, '', `can have at most ${max} characters`));
    }
    if (str(ev.message).length > 1024) out.push(field.invalid('message', '', 'can have at most 1024 characters'));
  }
  out.push(...invalids('namespace', ns, isDNS1123Subdomain(ns)));
  return out;
}

const LEASE_STRATEGIES = ['OldestEmulationVersion'];

export function validateLease(lease: KubeObject, options: Options): Causes {
  const out = validateObjectMeta(lease.metadata, { ...options, nameFn: nameIsDNSSubdomain });
  const spec = obj(lease.spec);
  const duration = num(spec.leaseDurationSeconds);
  if (duration !== undefined && duration <= 0) out.push(field.invalid('spec.leaseDurationSeconds', duration, 'must be greater than 0'));
  const transitions = num(spec.leaseTransitions);
  if (transitions !== undefined && transitions < 0) out.push(field.invalid('spec.leaseTransitions', transitions, 'must be greater than or equal to 0'));
  const strategy = str(spec.strategy);
  if (isSet(spec.strategy)) {
    if (!strategy.includes('/')) {
      if (!LEASE_STRATEGIES.includes(strategy)) out.push(field.notSupported('spec.strategy', strategy, LEASE_STRATEGIES));
    } else {
      out.push(...invalids('spec.strategy', strategy, isQualifiedName(strategy)));
    }
  }
  if (str(spec.preferredHolder) && !strategy) out.push(field.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined'));
  return out;
}

