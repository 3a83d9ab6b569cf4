// The query name, parsed into what it asks of the cluster (the schema of the Kubernetes DNS spec 1.1.0).
import { canonicalIp } from './ip-address.ts';

export type ClusterName =
  | { kind: 'apex' }
  | { kind: 'dns-version' }
  /** `ns.dns.<zone>`: the name our NS record points at. */
  | { kind: 'nameserver' }
  /** `svc.<zone>` or `pod.<zone>`: empty non-terminals. */
  | { kind: 'branch'; branch: 'svc' | 'pod' }
  | { kind: 'namespace'; branch: 'svc' | 'pod'; namespace: string }
  | { kind: 'service'; namespace: string; service: string }
  /** `<hostname>.<service>.<ns>.svc.<zone>`: one endpoint of a headless Service. */
  | { kind: 'endpoint'; namespace: string; service: string; hostname: string }
  /** `_<proto>.<service>.<ns>.svc.<zone>`: an empty non-terminal above the SRV names. */
  | { kind: 'protocol'; namespace: string; service: string; protocol: string }
  | { kind: 'port'; namespace: string; service: string; protocol: string; port: string }
  | { kind: 'pod'; namespace: string; ip: string }
  /** Inside the zone but outside the schema: NXDOMAIN. */
  | { kind: 'none' };

/** The labels of `name` below `zone`, or undefined when the name is not in the zone. */
export function labelsBelow(labels: readonly string[], zoneLabels: readonly string[]): string[] | undefined {
  const n = labels.length - zoneLabels.length;
  if (n < 0) return undefined;
  for (let i = 0; i < zoneLabels.length; i++) if (labels[n + i] !== zoneLabels[i]) return undefined;
  return labels.slice(0, n);
}

const NONE: ClusterName = { kind: 'none' };

/** `rel` are the lower-case labels below the zone, leftmost first. */
export function parseClusterName(rel: readonly string[]): ClusterName {
  const n = rel.length;
  if (n === 0) return { kind: 'apex' };
  const branch = rel[n - 1];
  if (n === 1 && branch === 'dns-version') return { kind: 'dns-version' };
  if (n === 2 && branch === 'dns' && rel[0] === 'ns') return { kind: 'nameserver' };
  if (branch !== 'svc' && branch !== 'pod') return NONE;
  if (n === 1) return { kind: 'branch', branch };
  const namespace = rel[n - 2];
  if (n === 2) return { kind: 'namespace', branch, namespace };
  if (branch === 'pod') return n === 3 ? podName(namespace, rel[0]) : NONE;
  const service = rel[n - 3];
  if (n === 3) return { kind: 'service', namespace, service };
  if (n === 4) {
    const first = rel[0];
    if (first.startsWith('_')) return { kind: 'protocol', namespace, service, protocol: first.slice(1) };
    return { kind: 'endpoint', namespace, service, hostname: first };
  }
  if (n === 5 && rel[0].startsWith('_') && rel[1].startsWith('_')) return { kind: 'port', namespace, service, protocol: rel[1].slice(1), port: rel[0].slice(1) };
  return NONE;
}

/** `1-2-3-4` or an IPv6 address with ':' spelled '-' (as CoreDNS reads them). */
function podName(namespace: string, label: string): ClusterName {
  const isV4 = /^\d{1,3}(-\d{1,3}){3}$/.test(label);
  const ip = canonicalIp(isV4 ? label.replaceAll('-', '.') : label.replaceAll('-', ':'));
  return ip ? { kind: 'pod', namespace, ip } : NONE;
}
