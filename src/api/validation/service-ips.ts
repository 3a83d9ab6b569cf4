// Service clusterIP/clusterIPs/ipFamilies: how upstream's strategy reconciles them, and how validation checks them.
import { field } from '../status.ts';
import { arr, index, isSet, str } from './causes.ts';
import type { Causes, Obj } from './causes.ts';
import { isIPv6String, parseIP, validateIP } from './ip.ts';

const FAMILIES = ['IPv4', 'IPv6'];
const FAMILY_POLICIES = ['PreferDualStack', 'RequireDualStack', 'SingleStack'];

export const clusterIPsOf = (spec: Obj): string[] => arr(spec.clusterIPs).map(str);
export const isHeadless = (spec: Obj): boolean => {
  const ips = clusterIPsOf(spec);
  return ips.length === 1 && ips[0] === 'None';
};

const sameList = (a: unknown, b: unknown) => JSON.stringify(arr(a).map(str)) === JSON.stringify(arr(b).map(str));

/**
 * What upstream's Service strategy does to clusterIP/clusterIPs before validating (NormalizeClusterIPs), plus
 * keeping allocated values a client left out of an update (patchAllocatedValues). Returns a copy of the spec.
 */
export function normalizeClusterIPs(next: Obj, old: Obj | undefined): Obj {
  const spec: Obj = { ...next };
  const ip = str(spec.clusterIP);
  if (!old) {
    if (ip && !arr(spec.clusterIPs).length) spec.clusterIPs = [ip];
    return spec;
  }
  const isExternalName = (s: Obj) => str(s.type) === 'ExternalName';
  if (!isExternalName(spec) && !isExternalName(old) && !ip && !arr(spec.clusterIPs).length && str(old.clusterIP)) {
    spec.clusterIP = old.clusterIP;
    spec.clusterIPs = old.clusterIPs ?? [old.clusterIP];
    return spec;
  }
  if (ip !== str(old.clusterIP) && sameList(spec.clusterIPs, old.clusterIPs)) spec.clusterIPs = ip ? [ip] : undefined;
  else if (ip && !arr(spec.clusterIPs).length) spec.clusterIPs = [ip];
  return spec;
}

export function validateClusterIPsRelatedFields(spec: Obj): Causes {
  if (str(spec.type) === 'ExternalName') return [];
  const out: Causes = [];
  const ip = str(spec.clusterIP);
  const ips = clusterIPsOf(spec);
  if (ip) {
    if (!ips.length) out.push(field.required('spec.clusterIPs'));
    else if (ips[0] !== ip) out.push(field.invalid('spec.clusterIPs', ips, 'first value must match `clusterIP`'));
  } else if (ips.length) {
    out.push(field.invalid('spec.clusterIPs', ips, 'must be empty when `clusterIP` is not specified'));
  }
  const families = arr(spec.ipFamilies).map(str);
  const seen = new Set<string>();
  families.forEach((f, i) => {
    if (!FAMILIES.includes(f)) out.push(field.notSupported(index('spec.ipFamilies', i), f, FAMILIES));
    if (seen.has(f)) out.push(field.duplicate(index('spec.ipFamilies', i), f));
    seen.add(f);
  });
  if (isSet(spec.ipFamilyPolicy) && !FAMILY_POLICIES.includes(str(spec.ipFamilyPolicy))) {
    out.push(field.notSupported('spec.ipFamilyPolicy', spec.ipFamilyPolicy, FAMILY_POLICIES));
  }
  let hasInvalid = false;
  ips.forEach((v, i) => {
    if (i === 0 && v === 'None') {
      if (ips.length > 1) {
        hasInvalid = true;
        out.push(field.invalid('spec.clusterIPs', ips, "'None' must be the first and only value"));
      }
      return;
    }
    const bad = validateIP(index('spec.clusterIPs', i), v);
    hasInvalid ||= bad.length > 0;
    out.push(...bad);
  });
  if (ips.length > 2) out.push(field.invalid('spec.clusterIPs', ips, 'may only hold up to 2 values'));
  if (hasInvalid) return out;
  if (ips.length > 1 && isIPv6String(ips[0]) === isIPv6String(ips[1])) {
    out.push(field.invalid('spec.clusterIPs', ips, 'may specify no more than one IP for each IP family'));
  }
  if (!(ips.length === 1 && ips[0] === 'None')) {
    ips.forEach((v, i) => {
      if (i >= families.length || !parseIP(v)) return;
      if (families[i] === 'IPv4' && isIPv6String(v)) out.push(field.invalid(index('spec.clusterIPs', i), v, `expected an IPv4 value as indicated by \`ipFamilies[${i}]\``));
      if (families[i] === 'IPv6' && !isIPv6String(v)) out.push(field.invalid(index('spec.clusterIPs', i), v, `expected an IPv6 value as indicated by \`ipFamilies[${i}]\``));
    });
  }
  return out;
}

/** Changing a ClusterIP is never allowed, except to/from ExternalName or between headless forms. */
export function validateClusterIPsUpdate(next: Obj, old: Obj): Causes {
  if (str(next.type) === 'ExternalName' || str(old.type) === 'ExternalName') return [];
  const n = clusterIPsOf(next);
  const o = clusterIPsOf(old);
  const headless = (ips: string[]) => ips.length === 1 && ips[0] === 'None';
  if (headless(n) && headless(o)) return [];
  const out: Causes = [];
  const policy = str(next.ipFamilyPolicy);
  if (o.length === n.length) {
    o.forEach((v, i) => {
      if (v !== n[i]) out.push(field.invalid(index('spec.clusterIPs', i), n, 'may not change once set'));
    });
  } else if (o.length > n.length) {
    if (!n.length) out.push(field.invalid('spec.clusterIPs[0]', n, 'primary clusterIP can not be unset'));
    if (o.length && n.length && n[0] !== o[0]) out.push(field.invalid('spec.clusterIPs[0]', n, 'may not change once set'));
    if (n.length === 1 && policy !== 'SingleStack') {
      out.push(field.invalid('spec.ipFamilyPolicy', next.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary clusterIP"));
    }
  } else if (o.length && n[0] !== o[0]) {
    out.push(field.invalid('spec.clusterIPs[0]', n, 'may not change once set'));
  }
  return out;
}

export function validateIPFamiliesUpdate(next: Obj, old: Obj): Causes {
  if (str(next.type) === 'ExternalName' || str(old.type) === 'ExternalName') return [];
  const headless = (s: Obj) => {
    const ips = clusterIPsOf(s);
    return ips.length === 1 && ips[0] === 'None';
  };
  if (headless(next) || headless(old)) return [];
  const n = arr(next.ipFamilies).map(str);
  const o = arr(old.ipFamilies).map(str);
  const out: Causes = [];
  if (o.length === n.length) {
    if (o.some((f, i) => f !== n[i])) out.push(field.invalid('spec.ipFamilies[0]', n, 'may not change once set'));
  } else if (o.length > n.length) {
    if (!clusterIPsOf(next).length) out.push(field.invalid('spec.ipFamilies[0]', n, 'primary ipFamily can not be unset'));
    if (n.length && n[0] !== o[0]) out.push(field.invalid('spec.ipFamilies[0]', clusterIPsOf(next), 'may not change once set'));
    if (n.length === 1 && str(next.ipFamilyPolicy) !== 'SingleStack') {
      out.push(field.invalid('spec.ipFamilyPolicy', next.ipFamilyPolicy ?? null, "must be set to 'SingleStack' when releasing the secondary ipFamily"));
    }
  } else if (o.length && n.length && n[0] !== o[0]) {
    out.push(field.invalid('spec.ipFamilies[0]', clusterIPsOf(next), 'may not change once set'));
  }
  return out;
}

