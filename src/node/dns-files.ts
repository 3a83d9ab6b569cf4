// The files the agent bind-mounts into every container: /etc/resolv.conf, /etc/hosts, /etc/hostname. Pure.
import type { NodePod } from './pod-types.ts';

export interface DnsOptions {
  /** The cluster DNS Service's address (198.19.0.10 by default). */
  clusterDns: string;
  clusterDomain: string;
  /** The node's own resolv.conf text, for dnsPolicy Default (and ClusterFirst on the host network). */
  hostResolvConf: string;
}

interface ResolvConf {
  nameservers: string[];
  searches: string[];
  options: { name: string; value?: string }[];
}

const MAX_NAMESERVERS = 3;
const MAX_SEARCHES = 32;

export function parseResolvConf(text: string): ResolvConf {
  const out: ResolvConf = { nameservers: [], searches: [], options: [] };
  for (const raw of text.split('\n')) {
    const line = raw.replace(/[#;].*$/, '').trim();
    const [key, ...rest] = line.split(/\s+/);
    if (key === 'nameserver' && rest[0]) out.nameservers.push(rest[0]);
    else if (key === 'search' || key === 'domain') out.searches = rest;
    else if (key === 'options') for (const o of rest) out.options.push(parseOption(o));
  }
  return out;
}

function parseOption(o: string): { name: string; value?: string } {
  const i = o.indexOf(':');
  return i < 0 ? { name: o } : { name: o.slice(0, i), value: o.slice(i + 1) };
}

/** Which policy actually applies: ClusterFirst on the host network falls back to Default, as upstream does. */
export function effectiveDnsPolicy(pod: NodePod): 'ClusterFirst' | 'Default' | 'None' {
  const policy = pod.spec.dnsPolicy ?? 'ClusterFirst';
  if (policy === 'None') return 'None';
  if (policy === 'Default') return 'Default';
  if (policy === 'ClusterFirstWithHostNet') return 'ClusterFirst';
  return pod.spec.hostNetwork ? 'Default' : 'ClusterFirst';
}

export function renderResolvConf(pod: NodePod, options: DnsOptions): string {
  const policy = effectiveDnsPolicy(pod);
  let conf: ResolvConf;
  if (policy === 'ClusterFirst') {
    const ns = pod.metadata.namespace ?? 'default';
    const d = options.clusterDomain;
    conf = { nameservers: [options.clusterDns], searches: [`${ns}.svc.${d}`, `svc.${d}`, d], options: [{ name: 'ndots', value: '5' }] };
  } else if (policy === 'Default') {
    conf = parseResolvConf(options.hostResolvConf);
  } else {
    conf = { nameservers: [], searches: [], options: [] };
  }
  const extra = pod.spec.dnsConfig;
  if (extra) {
    conf.nameservers = [...new Set([...conf.nameservers, ...(extra.nameservers ?? [])])];
    conf.searches = [...new Set([...conf.searches, ...(extra.searches ?? [])])];
    for (const o of extra.options ?? []) {
      conf.options = conf.options.filter((x) => x.name !== o.name);
      conf.options.push(o);
    }
  }
  const lines: string[] = [];
  if (conf.searches.length) lines.push(`search ${conf.searches.slice(0, MAX_SEARCHES).join(' ')}`);
  for (const n of conf.nameservers.slice(0, MAX_NAMESERVERS)) lines.push(`nameserver ${n}`);
  if (conf.options.length) lines.push(`options ${conf.options.map((o) => (o.value === undefined ? o.name : `${o.name}:${o.value}`)).join(' ')}`);
  return lines.join('\n') + '\n';
}

/** spec.hostname, else the pod name, cut to a DNS label (63 characters) as upstream does. */
export function podHostname(pod: NodePod): string {
  const name = pod.spec.hostname || pod.metadata.name || '';
  return name.slice(0, 63).replace(/[-.]+$/, '');
}

/** The pod's FQDN when it has a subdomain: `<hostname>.<subdomain>.<ns>.svc.<domain>`. */
export function podFqdn(pod: NodePod, clusterDomain: string): string | undefined {
  if (!pod.spec.subdomain) return undefined;
  return `${podHostname(pod)}.${pod.spec.subdomain}.${pod.metadata.namespace}.svc.${clusterDomain}`;
}

/** The kubelet-managed /etc/hosts of a pod with its own network namespace. */
export function renderHosts(pod: NodePod, options: { podIPs: string[]; clusterDomain: string }): string {
  const lines = [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
  ];
  const hostname = podHostname(pod);
  const fqdn = podFqdn(pod, options.clusterDomain);
  for (const ip of options.podIPs) lines.push(fqdn ? `${ip}\t${fqdn}\t${hostname}` : `${ip}\t${hostname}`);
  return lines.join('\n') + '\n' + renderHostAliases(pod);
}

/** For host-network pods the node's /etc/hosts is used, with the pod's hostAliases appended. */
export function renderHostNetworkHosts(pod: NodePod, hostHosts: string): string {
  return hostHosts.replace(/\n?$/, '\n') + renderHostAliases(pod);
}

function renderHostAliases(pod: NodePod): string {
  const aliases = pod.spec.hostAliases ?? [];
  if (!aliases.length) return '';
  return '\n# Entries added by HostAliases.\n' + aliases.map((a) => `${a.ip}\t${(a.hostnames ?? []).join('\t')}`).join('\n') + '\n';
}

export function renderHostname(pod: NodePod, clusterDomain: string): string {
  return (pod.spec.setHostnameAsFQDN ? podFqdn(pod, clusterDomain) ?? podHostname(pod) : podHostname(pod)) + '\n';
}
