// Table printers for core/v1 kinds other than Pod, as kube-apiserver prints them (always the wide variant:
// kubectl hides priority-1 columns itself unless -o wide).
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, formatLabels, nameOf, num, parseTime, rec, recs, since, str, strs } from './format.ts';
import type { KindPrinter, Obj } from './format.ts';

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

export const namespacePrinter: KindPrinter = {
  columns: [NAME_COLUMN, column('Status', 'The status of the namespace'), AGE_COLUMN],
  cells: (ns, now) => [nameOf(ns), str(rec(ns.status).phase), ageOf(ns, now)],
};

function nodeStatus(node: Obj): string {
  // The last Ready condition wins, as upstream builds a map by type.
  const ready = recs(rec(node.status).conditions).filter((c) => c.type === 'Ready').at(-1);
  const status = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (rec(node.spec).unschedulable === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeRoles(node: Obj): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(rec(rec(node.metadata).labels))) {
    if (k.startsWith(NODE_ROLE_PREFIX) && k.length > NODE_ROLE_PREFIX.length) roles.add(k.slice(NODE_ROLE_PREFIX.length));
    else if (k === NODE_ROLE_LABEL && v) roles.add(String(v));
  }
  return [...roles].sort().join(',') || '<none>';
}

function nodeAddress(node: Obj, type: string): string {
  return str(recs(rec(node.status).addresses).find((a) => a.type === type)?.address) || '<none>';
}

const ADDRESSES = 'List of addresses reachable to the node.';

export const nodePrinter: KindPrinter = {
  columns: [
    NAME_COLUMN,
    column('Status', 'The status of the node'),
    column('Roles', 'The roles of the node'),
    AGE_COLUMN,
    column('Version', 'Kubelet Version reported by the node.'),
    column('Internal-IP', ADDRESSES, { priority: 1 }),
    column('External-IP', ADDRESSES, { priority: 1 }),
    column('OS-Image', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', { priority: 1 }),
    column('Kernel-Version', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", { priority: 1 }),
    column('Container-Runtime', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', { priority: 1 }),
  ],
  cells(node, now) {
    const info = rec(rec(node.status).nodeInfo);
    return [
      nameOf(node),
      nodeStatus(node),
      nodeRoles(node),
      ageOf(node, now),
      str(info.kubeletVersion),
      nodeAddress(node, 'InternalIP'),
      nodeAddress(node, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};

/** Load balancer ingress points: IPs, else hostnames, de-duplicated and sorted (never clipped: the server prints wide). */
export function loadBalancerAddresses(status: unknown): string {
  const set = new Set<string>();
  for (const ingress of recs(rec(rec(status).loadBalancer).ingress)) {
    const value = str(ingress.ip) || str(ingress.hostname);
    if (value) set.add(value);
  }
  return [...set].sort().join(',');
}

function serviceExternalIP(svc: Obj): string {
  const spec = rec(svc.spec);
  const externalIPs = strs(spec.externalIPs);
  switch (spec.type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerAddresses(svc.status);
      if (externalIPs.length) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

function servicePorts(spec: Obj): string {
  const pieces = recs(spec.ports).map((p) => {
    const nodePort = num(p.nodePort);
    return nodePort > 0 ? `${num(p.port)}:${nodePort}/${str(p.protocol)}` : `${num(p.port)}/${str(p.protocol)}`;
  });
  return pieces.join(',') || '<none>';
}

export const servicePrinter: KindPrinter = {
  columns: [
    NAME_COLUMN,
    column('Type', 'type determines how the Service is exposed.'),
    column('Cluster-IP', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    column('External-IP', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    column('Port(s)', 'The list of ports that are exposed by this service.'),
    AGE_COLUMN,
    column('Selector', 'Route service traffic to pods with label keys and values matching this selector.', { priority: 1 }),
  ],
  cells(svc, now) {
    const spec = rec(svc.spec);
    const clusterIP = strs(spec.clusterIPs)[0] ?? (str(spec.clusterIP) || '<none>');
    return [nameOf(svc), str(spec.type), clusterIP, serviceExternalIP(svc), servicePorts(spec), ageOf(svc, now), formatLabels(spec.selector)];
  },
};

function joinHostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** Ready addresses of all subsets ("ip:port" per port), the first three then " + N more...". */
export function formatEndpoints(ep: Obj): string {
  const subsets = recs(ep.subsets);
  if (subsets.length === 0) return '<none>';
  const all: string[] = [];
  for (const ss of subsets) {
    const ips = recs(ss.addresses).map((a) => str(a.ip));
    const ports = recs(ss.ports);
    if (ports.length === 0) all.push(...ips);
    else for (const p of ports) for (const ip of ips) all.push(joinHostPort(ip, num(p.port)));
  }
  const shown = all.slice(0, 3).join(',');
  return all.length > 3 ? `${shown} + ${all.length - 3} more...` : shown;
}

export const endpointsPrinter: KindPrinter = {
  columns: [NAME_COLUMN, column('Endpoints', 'The set of all endpoints is the union of all subsets.'), AGE_COLUMN],
  cells: (ep, now) => [nameOf(ep), formatEndpoints(ep), ageOf(ep, now)],
};

export const secretPrinter: KindPrinter = {
  columns: [
    NAME_COLUMN,
    column('Type', 'Used to facilitate programmatic handling of secret data.'),
    column('Data', 'Data contains the secret data.'),
    AGE_COLUMN,
  ],
  cells(secret, now) {
    // stringData is write-only upstream (merged into data); count its keys too in case a writer left it.
    const keys = new Set([...Object.keys(rec(secret.data)), ...Object.keys(rec(secret.stringData))]);
    return [nameOf(secret), str(secret.type), keys.size, ageOf(secret, now)];
  },
};

export const configMapPrinter: KindPrinter = {
  columns: [NAME_COLUMN, column('Data', 'Data contains the configuration data.'), AGE_COLUMN],
  cells: (cm, now) => [nameOf(cm), Object.keys(rec(cm.data)).length + Object.keys(rec(cm.binaryData)).length, ageOf(cm, now)],
};

export const serviceAccountPrinter: KindPrinter = {
  columns: [
    NAME_COLUMN,
    column('Secrets', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'),
    AGE_COLUMN,
  ],
  cells: (sa, now) => [nameOf(sa), recs(sa.secrets).length, ageOf(sa, now)],
};

function eventSource(ev: Obj): string {
  const source = rec(ev.source);
  const component = str(source.component) || str(ev.reportingController);
  const instance = str(source.host) || str(ev.reportingInstance);
  return instance ? `${component}, ${instance}` : component;
}

export const eventPrinter: KindPrinter = {
  columns: [
    column('Last Seen', 'The time at which the most recent occurrence of this event was recorded.'),
    column('Type', 'Type of this event (Normal, Warning), new types could be added in the future'),
    column('Reason', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
    column('Object', 'The object that this event is about.'),
    column('Subobject', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement, such as desiredState.manifest.containers[2].', { priority: 1 }),
    column('Source', 'The component reporting this event.', { priority: 1 }),
    column('Message', 'A human-readable description of the status of this operation.'),
    column('First Seen', 'The time at which the event was first recorded.', { priority: 1 }),
    column('Count', 'The number of times this event has occurred.', { priority: 1 }),
    { ...NAME_COLUMN, priority: 1 },
  ],
  cells(ev, now) {
    const firstSeen = since(parseTime(ev.firstTimestamp) ?? ev.eventTime, now);
    let lastSeen = parseTime(ev.lastTimestamp) === undefined ? firstSeen : since(ev.lastTimestamp, now);
    let count = num(ev.count);
    const series = ev.series == null ? undefined : rec(ev.series);
    if (series) {
      lastSeen = since(series.lastObservedTime, now);
      count = num(series.count);
    } else if (count === 0) {
      count = 1; // singleton events of the events.k8s.io API carry no count
    }
    const involved = rec(ev.involvedObject);
    const kind = str(involved.kind).toLowerCase();
    const target = str(involved.name) ? `${kind}/${str(involved.name)}` : kind;
    return [lastSeen, str(ev.type), str(ev.reason), target, str(involved.fieldPath), eventSource(ev), str(ev.message).trim(), firstSeen, count, nameOf(ev)];
  },
};
