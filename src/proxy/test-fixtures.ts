// Literal Services and EndpointSlices for the proxy's tests (unit, golden, tracer, bench). Tests only.
import type { Endpoint, EndpointSlice, Service, ServicePort, ServiceSpec } from '../api/types.ts';
import type { RenderOptions } from './render-base.ts';

export const NODE = 'node-1';

export const OPTIONS: RenderOptions = {
  tableName: 'skiff-test-proxy',
  nodeName: NODE,
  nodeIPs: ['198.18.60.11'],
  clusterCidr: '198.18.224.0/20',
  serviceCidr: '198.19.208.0/20',
};

export function svc(ns: string, name: string, spec: Partial<ServiceSpec> & { clusterIP: string }, lbIngress: string[] = []): Service {
  const s: Service = { apiVersion: 'v1', kind: 'Service', metadata: { namespace: ns, name }, spec: { type: 'ClusterIP', ports: [{ name: 'http', port: 80, protocol: 'TCP' }], ...spec } };
  if (lbIngress.length) s.status = { loadBalancer: { ingress: lbIngress.map((ip) => ({ ip })) } };
  return s;
}

export interface Ep {
  ip: string;
  node?: string;
  ready?: boolean;
  serving?: boolean;
  terminating?: boolean;
}

/** One slice for Service `ns/name` with the given ports (`name/proto:port`) and endpoints. */
export function slice(ns: string, name: string, ports: { name?: string; port: number; protocol?: 'TCP' | 'UDP' }[], eps: Ep[], sliceName = `${name}-abc`): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: ns, name: sliceName, labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    ports: ports.map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' })),
    endpoints: eps.map((e): Endpoint => {
      const ep: Endpoint = { addresses: [e.ip], conditions: { ready: e.ready ?? true, serving: e.serving ?? e.ready ?? true, terminating: e.terminating ?? false } };
      ep.nodeName = e.node ?? NODE;
      return ep;
    }),
  };
}

export const httpPort: ServicePort = { name: 'http', port: 80, protocol: 'TCP', targetPort: 9376 };

/** A representative cluster: every feature the proxy renders, each on its own Service. */
export function representativeCluster(): { services: Service[]; slices: EndpointSlice[] } {
  const web = [{ name: 'http', port: 9376 }];
  return {
    services: [
      svc('default', 'web', { clusterIP: '198.19.208.10', ports: [httpPort] }),
      svc('default', 'multi', { clusterIP: '198.19.208.11', ports: [{ name: 'http', port: 80, protocol: 'TCP' }, { name: 'dns', port: 53, protocol: 'UDP' }] }),
      svc('default', 'empty', { clusterIP: '198.19.208.12', ports: [httpPort] }),
      svc('default', 'np', { type: 'NodePort', clusterIP: '198.19.208.13', ports: [{ ...httpPort, nodePort: 30080 }] }),
      svc('default', 'np-local', { type: 'NodePort', clusterIP: '198.19.208.14', externalTrafficPolicy: 'Local', ports: [{ ...httpPort, nodePort: 30081 }] }),
      svc('default', 'lb', { type: 'LoadBalancer', clusterIP: '198.19.208.15', loadBalancerSourceRanges: ['198.18.60.0/24'], ports: [{ ...httpPort, nodePort: 30082 }] }, ['198.18.61.1']),
      svc('default', 'ext', { clusterIP: '198.19.208.16', externalIPs: ['198.18.62.5'], ports: [httpPort] }),
      svc('default', 'sticky', { clusterIP: '198.19.208.17', sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } }, ports: [httpPort] }),
      svc('default', 'itp-local', { clusterIP: '198.19.208.18', internalTrafficPolicy: 'Local', ports: [httpPort] }),
      svc('default', 'draining', { clusterIP: '198.19.208.19', ports: [httpPort] }),
      svc('default', 'outside', { type: 'ExternalName', clusterIP: '', externalName: 'example.com' }),
      svc('default', 'headless', { clusterIP: 'None' }),
    ],
    slices: [
      slice('default', 'web', web, [{ ip: '198.18.224.10' }, { ip: '198.18.224.11' }, { ip: '198.18.225.10', node: 'node-2' }]),
      slice('default', 'multi', [{ name: 'http', port: 8080 }, { name: 'dns', port: 5353, protocol: 'UDP' }], [{ ip: '198.18.224.20' }, { ip: '198.18.225.20', node: 'node-2' }]),
      slice('default', 'np', web, [{ ip: '198.18.224.30' }, { ip: '198.18.225.30', node: 'node-2' }]),
      slice('default', 'np-local', web, [{ ip: '198.18.224.40' }, { ip: '198.18.225.40', node: 'node-2' }]),
      slice('default', 'lb', web, [{ ip: '198.18.225.50', node: 'node-2' }]),
      slice('default', 'ext', web, [{ ip: '198.18.224.60' }]),
      slice('default', 'sticky', web, [{ ip: '198.18.224.70' }, { ip: '198.18.224.71' }]),
      slice('default', 'itp-local', web, [{ ip: '198.18.224.80' }, { ip: '198.18.225.80', node: 'node-2' }]),
      slice('default', 'draining', web, [{ ip: '198.18.224.90', ready: false, serving: true, terminating: true }, { ip: '198.18.224.91', ready: false, serving: false, terminating: true }]),
    ],
  };
}
