// A container's environment, as the kubelet builds it: Service variables, then envFrom, then env (with `$(VAR)`
// expansion against what came before), plus the runtime's own PATH/HOSTNAME/HOME. Pure.
import type { Service } from '../api/types.ts';
import { expand } from './expand.ts';
import type { EnvVar, NodePod, PodContainer } from './pod-types.ts';

export const DEFAULT_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** Upstream's master service: its variables reach every pod, even with enableServiceLinks false. */
const MASTER_SERVICE = { namespace: 'default', name: 'kubernetes' };

export class EnvError extends Error {
  override name = 'EnvError';
  readonly code = 'CreateContainerConfigError';
}

export interface EnvContext {
  pod: NodePod;
  nodeName: string;
  podIPs: string[];
  hostIPs: string[];
  /** Services of every namespace; only the pod's own (and `default/kubernetes`) are used. */
  services: readonly Service[];
  configMap(name: string): Record<string, string> | undefined;
  /** Secret data, already base64-decoded. */
  secret(name: string): Record<string, string> | undefined;
  /** The node's allocatable cpu and memory, for resourceFieldRef without a limit. */
  allocatable?: { cpu: string; memory: string };
  /** The pod's hostname (defaults to the pod name). */
  hostname?: string;
}

/** ConfigMaps and Secrets the container's env needs, so the caller can fetch them first. */
export function envReferences(container: PodContainer): { configMaps: string[]; secrets: string[] } {
  const configMaps = new Set<string>();
  const secrets = new Set<string>();
  for (const e of container.env ?? []) {
    if (e.valueFrom?.configMapKeyRef) configMaps.add(e.valueFrom.configMapKeyRef.name);
    if (e.valueFrom?.secretKeyRef) secrets.add(e.valueFrom.secretKeyRef.name);
  }
  for (const f of container.envFrom ?? []) {
    if (f.configMapRef) configMaps.add(f.configMapRef.name);
    if (f.secretRef) secrets.add(f.secretRef.name);
  }
  return { configMaps: [...configMaps], secrets: [...secrets] };
}

/** The container's environment as ordered name/value pairs (later names win). Throws EnvError for a missing reference. */
export function renderEnv(container: PodContainer, ctx: EnvContext): [string, string][] {
  const env = new Map<string, string>();
  const set = (k: string, v: string) => {
    env.delete(k);
    env.set(k, v);
  };
  set('PATH', DEFAULT_PATH);
  set('HOSTNAME', ctx.hostname ?? ctx.pod.metadata.name ?? '');
  for (const [k, v] of serviceEnv(ctx.services, { namespace: ctx.pod.metadata.namespace ?? 'default', hasServiceLinks: ctx.pod.spec.enableServiceLinks !== false })) set(k, v);
  for (const from of container.envFrom ?? []) {
    const prefix = from.prefix ?? '';
    let data: Record<string, string> | undefined;
    if (from.configMapRef) {
      data = ctx.configMap(from.configMapRef.name);
      if (!data && !from.configMapRef.optional) throw new EnvError(`configmap "${from.configMapRef.name}" not found`);
    } else if (from.secretRef) {
      data = ctx.secret(from.secretRef.name);
      if (!data && !from.secretRef.optional) throw new EnvError(`secret "${from.secretRef.name}" not found`);
    }
    for (const [k, v] of Object.entries(data ?? {})) set(prefix + k, v);
  }
  const lookup = (name: string) => env.get(name);
  for (const e of container.env ?? []) {
    const value = e.valueFrom ? valueFrom(e, { container, ctx }) : expand(e.value ?? '', lookup);
    if (value !== undefined) set(e.name, value);
  }
  if (!env.has('HOME')) set('HOME', '/root');
  return [...env];
}

function valueFrom(e: EnvVar, where: { container: PodContainer; ctx: EnvContext }): string | undefined {
  const { container, ctx } = where;
  const from = e.valueFrom!;
  if (from.fieldRef) return fieldValue(from.fieldRef.fieldPath, ctx);
  if (from.configMapKeyRef) {
    const ref = from.configMapKeyRef;
    const data = ctx.configMap(ref.name);
    if (!data) {
      if (ref.optional) return undefined;
      throw new EnvError(`configmap "${ref.name}" not found`);
    }
    if (data[ref.key] === undefined && !ref.optional) throw new EnvError(`couldn't find key ${ref.key} in ConfigMap ${ctx.pod.metadata.namespace}/${ref.name}`);
    return data[ref.key];
  }
  if (from.secretKeyRef) {
    const ref = from.secretKeyRef;
    const data = ctx.secret(ref.name);
    if (!data) {
      if (ref.optional) return undefined;
      throw new EnvError(`secret "${ref.name}" not found`);
    }
    if (data[ref.key] === undefined && !ref.optional) throw new EnvError(`couldn't find key ${ref.key} in Secret ${ctx.pod.metadata.namespace}/${ref.name}`);
    return data[ref.key];
  }
  if (from.resourceFieldRef) return resourceValue(from.resourceFieldRef, { container, ctx });
  return undefined;
}

/** The downward API's fieldRef paths that env vars may use. */
export function fieldValue(path: string, ctx: EnvContext): string {
  const meta = ctx.pod.metadata;
  const keyed = /^metadata\.(labels|annotations)\['(.+)'\]$/.exec(path);
  if (keyed) return (keyed[1] === 'labels' ? meta.labels : meta.annotations)?.[keyed[2]] ?? '';
  switch (path) {
    case 'metadata.name': return meta.name ?? '';
    case 'metadata.namespace': return meta.namespace ?? '';
    case 'metadata.uid': return meta.uid ?? '';
    case 'metadata.labels': return formatMap(meta.labels);
    case 'metadata.annotations': return formatMap(meta.annotations);
    case 'spec.nodeName': return ctx.nodeName;
    case 'spec.serviceAccountName': return ctx.pod.spec.serviceAccountName ?? '';
    case 'status.hostIP': return ctx.hostIPs[0] ?? '';
    case 'status.hostIPs': return ctx.hostIPs.join(',');
    case 'status.podIP': return ctx.podIPs[0] ?? '';
    case 'status.podIPs': return ctx.podIPs.join(',');
    default: throw new EnvError(`unsupported fieldPath: ${path}`);
  }
}

function formatMap(m: Record<string, string> | undefined): string {
  return Object.keys(m ?? {}).sort().map((k) => `${k}=${JSON.stringify(m![k])}`).join('\n');
}

function resourceValue(ref: { containerName?: string; resource: string; divisor?: string | number }, where: { container: PodContainer; ctx: EnvContext }): string {
  const { container, ctx } = where;
  const target = ref.containerName ? ctx.pod.spec.containers.find((c) => c.name === ref.containerName) ?? container : container;
  const [kind, resource] = ref.resource.split('.');
  const set = kind === 'requests' ? target.resources?.requests?.[resource] : target.resources?.limits?.[resource];
  const fallback = resource === 'cpu' ? ctx.allocatable?.cpu : resource === 'memory' ? ctx.allocatable?.memory : undefined;
  const quantity = set ?? (kind === 'limits' ? fallback : undefined) ?? (resource === 'cpu' ? '0' : '0');
  const divisor = parseQuantity(String(ref.divisor ?? '1')) || 1;
  return String(Math.ceil(parseQuantity(quantity) / divisor));
}

const SUFFIXES: Record<string, number> = { m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3, Ti: 1024 ** 4 };

/** A resource quantity (`500m`, `128Mi`, `2`) as a number; 0 when it does not parse. */
export function parseQuantity(q: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m || SUFFIXES[m[2]] === undefined) return 0;
  return Number(m[1]) * SUFFIXES[m[2]];
}

/** `<SVC>_SERVICE_HOST`/`_PORT` and the Docker link variables, as upstream's envvars.FromServices. */
export function serviceEnv(services: readonly Service[], options: { namespace: string; hasServiceLinks: boolean }): [string, string][] {
  const chosen = new Map<string, Service>();
  for (const s of services) {
    const ip = s.spec?.clusterIP;
    if (!ip || ip === 'None') continue;
    const name = s.metadata.name!;
    if (s.metadata.namespace === MASTER_SERVICE.namespace && name === MASTER_SERVICE.name) {
      if (!chosen.has(name)) chosen.set(name, s);
    } else if (s.metadata.namespace === options.namespace && options.hasServiceLinks) {
      chosen.set(name, s);
    }
  }
  const out: [string, string][] = [];
  for (const name of [...chosen.keys()].sort()) {
    const s = chosen.get(name)!;
    const ip = s.spec.clusterIP!;
    const prefix = envName(name);
    const ports = s.spec.ports ?? [];
    out.push([`${prefix}_SERVICE_HOST`, ip]);
    if (ports.length) out.push([`${prefix}_SERVICE_PORT`, String(ports[0].port)]);
    for (const p of ports) if (p.name) out.push([`${prefix}_SERVICE_PORT_${envName(p.name)}`, String(p.port)]);
    ports.forEach((p, i) => {
      const proto = (p.protocol ?? 'TCP').toLowerCase();
      const url = `${proto}://${ip}:${p.port}`;
      const portPrefix = `${prefix}_PORT_${p.port}_${proto.toUpperCase()}`;
      if (i === 0) out.push([`${prefix}_PORT`, url]);
      out.push([portPrefix, url], [`${portPrefix}_PROTO`, proto], [`${portPrefix}_PORT`, String(p.port)], [`${portPrefix}_ADDR`, ip]);
    });
  }
  return out;
}

function envName(name: string): string {
  return name.toUpperCase().replaceAll('-', '_');
}
