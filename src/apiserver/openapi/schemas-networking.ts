// networking.k8s.io/v1 (Ingress, IngressClass, NetworkPolicy), discovery.k8s.io/v1 EndpointSlice and coordination.k8s.io/v1 Lease.
import {
  atomicList, bool, CORE, int32, intOrString, kind, META, microTime, obj, ref, str, strEnum, strList, strMap,
} from './dsl.ts';
import type { Schema } from './dsl.ts';

export const NETWORKING = 'io.k8s.api.networking.v1';
export const DISCOVERY = 'io.k8s.api.discovery.v1';
export const COORDINATION = 'io.k8s.api.coordination.v1';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const networking = (k: string) => ({ group: 'networking.k8s.io', version: 'v1', kind: k });

function ingressSchemas(): Record<string, Schema> {
  return {
    [`${NETWORKING}.Ingress`]: kind(networking('Ingress'), 'HTTP routing from outside the cluster to services, by host and path.', {
      spec: ref(`${NETWORKING}.IngressSpec`, 'Desired routing.'),
      status: ref(`${NETWORKING}.IngressStatus`, 'Observed state, such as the load balancer address. Read-only.'),
    }),
    [`${NETWORKING}.IngressSpec`]: obj('Desired routing of an ingress.', {
      ingressClassName: str('Name of the IngressClass whose controller implements this ingress.'),
      defaultBackend: ref(`${NETWORKING}.IngressBackend`, 'Backend for requests that match no rule.', { isPointer: true }),
      tls: atomicList(`${NETWORKING}.IngressTLS`, 'TLS termination settings, by host.'),
      rules: atomicList(`${NETWORKING}.IngressRule`, 'Host rules; requests matching none go to the default backend.'),
    }),
    [`${NETWORKING}.IngressBackend`]: obj('Where matching requests are sent: a service port or another resource.', {
      service: ref(`${NETWORKING}.IngressServiceBackend`, 'A service and port.', { isPointer: true }),
      resource: ref(`${CORE}.TypedLocalObjectReference`, 'Another object in the namespace, such as a storage bucket.', { isPointer: true }),
    }),
    [`${NETWORKING}.IngressServiceBackend`]: obj('A service used as a backend.', {
      name: str('Name of the service, in the namespace of the ingress.'),
      port: ref(`${NETWORKING}.ServiceBackendPort`, 'Port of the service, by name or number.'),
    }, ['name']),
    [`${NETWORKING}.ServiceBackendPort`]: obj('A service port, by name or number.', { name: str('Name of the service port.'), number: int32('Number of the service port.') }, [], { isAtomic: true }),
    [`${NETWORKING}.IngressRule`]: obj('Routing for one host.', {
      host: str('Host to match, exact (foo.example.com) or one-label wildcard (*.example.com). Empty matches every host.'),
      http: ref(`${NETWORKING}.HTTPIngressRuleValue`, 'Path rules for this host.', { isPointer: true }),
    }),
    [`${NETWORKING}.HTTPIngressRuleValue`]: obj('Path rules for a host.', { paths: atomicList(`${NETWORKING}.HTTPIngressPath`, 'Paths and the backends they go to.') }, ['paths']),
    [`${NETWORKING}.HTTPIngressPath`]: obj('A path and its backend.', {
      path: str('Path to match; must start with / for Exact and Prefix.'),
      pathType: strEnum('How path matches: Exact, Prefix (by path element), or as the controller sees fit.', ['Exact', 'Prefix', 'ImplementationSpecific']),
      backend: ref(`${NETWORKING}.IngressBackend`, 'Where matching requests go.'),
    }, ['pathType', 'backend']),
    [`${NETWORKING}.IngressTLS`]: obj('TLS settings for some hosts.', { hosts: strList('Hosts covered by the certificate.'), secretName: str('Secret holding the certificate and key.') }),
    [`${NETWORKING}.IngressStatus`]: obj('Observed state of an ingress.', { loadBalancer: ref(`${NETWORKING}.IngressLoadBalancerStatus`, 'Addresses of the load balancer.') }),
    [`${NETWORKING}.IngressLoadBalancerStatus`]: obj('Addresses of an ingress load balancer.', { ingress: atomicList(`${NETWORKING}.IngressLoadBalancerIngress`, 'Addresses where traffic is accepted.') }),
    [`${NETWORKING}.IngressLoadBalancerIngress`]: obj('One load balancer address.', { ip: str('IP address.'), hostname: str('DNS name.'), ports: atomicList(`${NETWORKING}.IngressPortStatus`, 'Per-port status.') }),
    [`${NETWORKING}.IngressPortStatus`]: obj('Status of one port.', { port: int32('Port number.'), protocol: strEnum('Protocol.', PROTOCOLS), error: str('Problem with this port, if any.') }, ['port', 'protocol']),
    [`${NETWORKING}.IngressClass`]: kind(networking('IngressClass'), 'A class of ingresses and the controller that implements them.', {
      spec: ref(`${NETWORKING}.IngressClassSpec`, 'The controller and its parameters.'),
    }),
    [`${NETWORKING}.IngressClassSpec`]: obj('Describes an ingress class.', {
      controller: str('Name of the controller, such as example.com/ingress-controller. Cannot be changed.'),
      parameters: ref(`${NETWORKING}.IngressClassParametersReference`, 'Object holding controller-specific settings.', { isPointer: true }),
    }),
    [`${NETWORKING}.IngressClassParametersReference`]: obj('A reference to controller parameters.', {
      apiGroup: str('API group of the object.'), kind: str('Kind of the object.'), name: str('Name of the object.'),
      scope: strEnum('Whether the object is cluster-scoped or namespaced. Defaults to Cluster.', ['Cluster', 'Namespace']), namespace: str('Namespace, for scope Namespace.'),
    }, ['kind', 'name']),
  };
}

function policySchemas(): Record<string, Schema> {
  const ports = atomicList(`${NETWORKING}.NetworkPolicyPort`, 'Ports the rule allows; all ports when empty.');
  return {
    [`${NETWORKING}.NetworkPolicy`]: kind(networking('NetworkPolicy'), 'Which traffic is allowed to and from a set of pods.', {
      spec: ref(`${NETWORKING}.NetworkPolicySpec`, 'The pods and the traffic allowed.'),
    }),
    [`${NETWORKING}.NetworkPolicySpec`]: obj('Pods a policy isolates and the traffic it allows.', {
      podSelector: ref(`${META}.LabelSelector`, 'Pods the policy applies to; empty selects every pod in the namespace.'),
      ingress: atomicList(`${NETWORKING}.NetworkPolicyIngressRule`, 'Incoming traffic allowed. Empty isolates the pods.'),
      egress: atomicList(`${NETWORKING}.NetworkPolicyEgressRule`, 'Outgoing traffic allowed, when Egress is in policyTypes.'),
      policyTypes: strList('Directions the policy covers: Ingress, Egress or both.'),
    }),
    [`${NETWORKING}.NetworkPolicyIngressRule`]: obj('Incoming traffic allowed by a policy.', { ports, from: atomicList(`${NETWORKING}.NetworkPolicyPeer`, 'Allowed sources; all sources when empty.') }),
    [`${NETWORKING}.NetworkPolicyEgressRule`]: obj('Outgoing traffic allowed by a policy.', { ports, to: atomicList(`${NETWORKING}.NetworkPolicyPeer`, 'Allowed destinations; all destinations when empty.') }),
    [`${NETWORKING}.NetworkPolicyPort`]: obj('A port or port range.', {
      protocol: strEnum('Protocol. Defaults to TCP.', PROTOCOLS),
      port: intOrString('Port number or named container port; all ports when absent.'),
      endPort: int32('Last port of a range starting at port.'),
    }),
    [`${NETWORKING}.NetworkPolicyPeer`]: obj('A set of pods or addresses.', {
      podSelector: ref(`${META}.LabelSelector`, 'Pods, in the namespaces chosen by namespaceSelector or else the policy namespace.', { isPointer: true }),
      namespaceSelector: ref(`${META}.LabelSelector`, 'Namespaces, by label.', { isPointer: true }),
      ipBlock: ref(`${NETWORKING}.IPBlock`, 'An address range; excludes the selectors.', { isPointer: true }),
    }),
    [`${NETWORKING}.IPBlock`]: obj('An address range with exceptions.', { cidr: str('The range, such as 10.0.0.0/8.'), except: strList('Ranges inside cidr to exclude.') }, ['cidr']),
  };
}

function discoverySchemas(): Record<string, Schema> {
  return {
    [`${DISCOVERY}.EndpointSlice`]: kind({ group: 'discovery.k8s.io', version: 'v1', kind: 'EndpointSlice' }, 'A subset of the endpoints of a service, labelled kubernetes.io/service-name.', {
      addressType: strEnum('Type of every address in the slice.', ['IPv4', 'IPv6', 'FQDN']),
      endpoints: atomicList(`${DISCOVERY}.Endpoint`, 'The endpoints, at most 1000.'),
      ports: atomicList(`${DISCOVERY}.EndpointPort`, 'Ports every endpoint exposes.'),
    }, ['addressType', 'endpoints']),
    [`${DISCOVERY}.Endpoint`]: obj('One endpoint, usually a pod.', {
      addresses: strList('Addresses of the endpoint; consumers use the first.', 'set'),
      conditions: ref(`${DISCOVERY}.EndpointConditions`, 'Readiness of the endpoint.'),
      hostname: str('Hostname of the endpoint.'),
      targetRef: ref(`${CORE}.ObjectReference`, 'Object behind the endpoint, usually a pod.', { isPointer: true }),
      deprecatedTopology: strMap('Deprecated topology labels.'),
      nodeName: str('Node hosting the endpoint.'),
      zone: str('Zone of the endpoint.'),
      hints: ref(`${DISCOVERY}.EndpointHints`, 'Routing hints for topology-aware routing.', { isPointer: true }),
    }, ['addresses']),
    [`${DISCOVERY}.EndpointConditions`]: obj('Readiness of an endpoint.', {
      ready: bool('Ready to receive traffic; false while terminating.'),
      serving: bool('Ready to receive traffic, also while terminating.'),
      terminating: bool('Shutting down.'),
    }),
    [`${DISCOVERY}.EndpointHints`]: obj('Routing hints.', { forZones: atomicList(`${DISCOVERY}.ForZone`, 'Zones that should use this endpoint.') }),
    [`${DISCOVERY}.ForZone`]: obj('A zone that should use an endpoint.', { name: str('Name of the zone.') }, ['name']),
    [`${DISCOVERY}.EndpointPort`]: obj('A port of the endpoints of a slice.', {
      name: str('Name matching the service port.'), protocol: strEnum('IP protocol.', PROTOCOLS), port: int32('Port number.'), appProtocol: str('Application protocol.'),
    }, [], { isAtomic: true }),
  };
}

function coordinationSchemas(): Record<string, Schema> {
  return {
    [`${COORDINATION}.Lease`]: kind({ group: 'coordination.k8s.io', version: 'v1', kind: 'Lease' }, 'A lock with a holder and a duration, used for leader election and node heartbeats.', {
      spec: ref(`${COORDINATION}.LeaseSpec`, 'The holder and timing of the lease.'),
    }),
    [`${COORDINATION}.LeaseSpec`]: obj('The holder and timing of a lease.', {
      holderIdentity: str('Identity of the current holder.'),
      leaseDurationSeconds: int32('Seconds candidates wait after renewTime before taking the lease.'),
      acquireTime: microTime('When the current holder acquired the lease.'),
      renewTime: microTime('When the holder last renewed the lease.'),
      leaseTransitions: int32('How many times the lease changed holders.'),
      strategy: str('Strategy for picking the next leader in coordinated election.'),
      preferredHolder: str('Holder the lease should move to.'),
    }),
  };
}

export function networkingSchemas(): Record<string, Schema> {
  return { ...ingressSchemas(), ...policySchemas(), ...discoverySchemas(), ...coordinationSchemas() };
}
