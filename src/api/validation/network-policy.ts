// networking.k8s.io/v1 NetworkPolicy (pkg/apis/networking/validation).
import type { KubeObject } from '../types.ts';
import { field } from '../status.ts';
import { arr, child, index, invalids, isObj, isSet, num, obj, required, str } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { cidrContains, parseCIDR, validateCIDR } from './ip.ts';
import { validateLabelSelector } from './labels.ts';
import { validateObjectMeta } from './meta.ts';
import { isValidPortName, isValidPortNum, nameIsDNSSubdomain } from './names.ts';

const PORT_PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const POLICY_TYPES = ['Ingress', 'Egress'];

function validatePort(port: Obj, path: string): Causes {
  const out: Causes = [];
  if (isSet(port.protocol) && !PORT_PROTOCOLS.includes(str(port.protocol))) out.push(field.notSupported(child(path, 'protocol'), port.protocol, PORT_PROTOCOLS));
  const endPort = num(port.endPort);
  if (typeof port.port === 'number') {
    out.push(...invalids(child(path, 'port'), port.port, isValidPortNum(port.port)));
    if (endPort !== undefined) {
      if (endPort < port.port) out.push(field.invalid(child(path, 'endPort'), endPort, 'must be greater than or equal to `port`'));
      out.push(...invalids(child(path, 'endPort'), endPort, isValidPortNum(endPort)));
    }
  } else if (typeof port.port === 'string') {
    if (endPort !== undefined) out.push(field.invalid(child(path, 'endPort'), endPort, 'may not be specified when `port` is non-numeric'));
    out.push(...invalids(child(path, 'port'), port.port, isValidPortName(port.port)));
  } else if (endPort !== undefined) {
    out.push(field.invalid(child(path, 'endPort'), endPort, 'may not be specified when `port` is not specified'));
  }
  return out;
}

function validateIPBlock(block: Obj, path: string): Causes {
  const cidrText = str(block.cidr);
  if (!cidrText) return [required(child(path, 'cidr'))];
  const out = validateCIDR(child(path, 'cidr'), cidrText);
  const cidr = parseCIDR(cidrText);
  if (!cidr) return out;
  arr(block.except).forEach((e, i) => {
    const p = index(child(path, 'except'), i);
    const exceptText = str(e);
    const bad = validateCIDR(p, exceptText);
    out.push(...bad);
    const except = parseCIDR(exceptText);
    if (!except) return;
    if (!cidrContains(cidr, except.ip) || cidr.bits >= except.bits || cidr.isV4 !== except.isV4) {
      out.push(field.invalid(p, exceptText, 'must be a strict subset of `cidr`'));
    }
  });
  return out;
}

function validatePeer(peer: Obj, path: string): Causes {
  const out: Causes = [];
  let count = 0;
  if (isObj(peer.podSelector)) {
    count++;
    out.push(...validateLabelSelector(peer.podSelector, child(path, 'podSelector')));
  }
  if (isObj(peer.namespaceSelector)) {
    count++;
    out.push(...validateLabelSelector(peer.namespaceSelector, child(path, 'namespaceSelector')));
  }
  if (isObj(peer.ipBlock)) {
    count++;
    out.push(...validateIPBlock(peer.ipBlock, child(path, 'ipBlock')));
  }
  if (count === 0) out.push(required(path, 'must specify a peer'));
  else if (count > 1 && isObj(peer.ipBlock)) out.push(field.forbidden(path, 'may not specify both ipBlock and another peer'));
  return out;
}

function validateRules(rules: unknown, { path, peersField }: { path: string; peersField: 'from' | 'to' }): Causes {
  const out: Causes = [];
  arr(rules).forEach((r, i) => {
    const rule = obj(r);
    const p = index(path, i);
    arr(rule.ports).forEach((port, j) => out.push(...validatePort(obj(port), index(child(p, 'ports'), j))));
    arr(rule[peersField]).forEach((peer, j) => out.push(...validatePeer(obj(peer), index(child(p, peersField), j))));
  });
  return out;
}

export function validateNetworkPolicy(np: KubeObject, options: { isNamespaced: boolean }): Causes {
  const out = validateObjectMeta(np.metadata, { isNamespaced: options.isNamespaced, nameFn: nameIsDNSSubdomain, hasKubeFinalizers: true });
  const spec = obj(np.spec);
  out.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
  out.push(...validateRules(spec.ingress, { path: 'spec.ingress', peersField: 'from' }));
  out.push(...validateRules(spec.egress, { path: 'spec.egress', peersField: 'to' }));
  const types = arr(spec.policyTypes);
  if (types.length > POLICY_TYPES.length) {
    out.push(field.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
    return out;
  }
  types.forEach((t, i) => {
    if (!POLICY_TYPES.includes(str(t))) out.push(field.notSupported(index('spec.policyTypes', i), t, POLICY_TYPES));
  });
  return out;
}
