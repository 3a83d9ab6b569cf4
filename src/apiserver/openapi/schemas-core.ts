// core/v1 kinds other than Pod: Service, Namespace, Node, Endpoints, Secret, ConfigMap, Event, ServiceAccount.
import {
  atomicList, bool, CORE, int32, int64, intOrString, kind, META, mergeList, microTime, obj, quantityMap, ref, str, strEnum, strList, strMap, time,
} from './dsl.ts';
import type { Schema } from './dsl.ts';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const v1 = (k: string) => ({ group: '', version: 'v1', kind: k });

function serviceSchemas(): Record<string, Schema> {
  return {
    [`${CORE}.Service`]: kind(v1('Service'), 'A stable virtual address and name for a set of pods chosen by a label selector, or an alias for an external name.', {
      spec: ref(`${CORE}.ServiceSpec`, 'Desired behaviour of the service.'),
      status: ref(`${CORE}.ServiceStatus`, 'Observed state of the service, such as its load balancer. Read-only.'),
    }),
    [`${CORE}.ServiceSpec`]: obj('The attributes a user sets on a service.', {
      ports: mergeList(`${CORE}.ServicePort`, 'Ports the service exposes. Merged by port number when patched.', 'port', { mapKeys: ['port', 'protocol'] }),
      selector: strMap('Pods whose labels match all of these key/value pairs receive the traffic. Without a selector, endpoints are managed by hand.', { isAtomic: true }),
      clusterIP: str('Virtual IP of the service, usually allocated by the server. "None" makes a headless service. Cannot be changed.'),
      clusterIPs: strList('Virtual IPs of the service, one per IP family; the first equals clusterIP.'),
      type: strEnum('How the service is exposed: inside the cluster, on every node port, through a load balancer, or as a DNS alias.', ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
      externalIPs: strList('Extra addresses on which nodes accept traffic for this service.'),
      sessionAffinity: strEnum('ClientIP sends each client to the same endpoint; None balances every connection.', ['ClientIP', 'None']),
      sessionAffinityConfig: ref(`${CORE}.SessionAffinityConfig`, 'Settings for ClientIP session affinity.', { isPointer: true }),
      loadBalancerIP: str('Deprecated: requested address for the load balancer.'),
      loadBalancerSourceRanges: strList('Client CIDRs allowed through the load balancer.'),
      loadBalancerClass: str('Which load balancer implementation handles this service.'),
      externalName: str('DNS name this service is a CNAME for; requires type ExternalName.'),
      externalTrafficPolicy: strEnum('Local keeps external traffic on the node that received it and preserves the client address; Cluster spreads it.', ['Cluster', 'Local']),
      internalTrafficPolicy: strEnum('Local sends in-cluster traffic only to endpoints on the same node; Cluster spreads it.', ['Cluster', 'Local']),
      healthCheckNodePort: int32('Node port answering health checks when externalTrafficPolicy is Local.'),
      publishNotReadyAddresses: bool('Publish endpoints even when their pods are not ready.'),
      ipFamilies: strList('IP families of the service, such as IPv4.'),
      ipFamilyPolicy: strEnum('Whether the service has one IP family or two.', ['SingleStack', 'PreferDualStack', 'RequireDualStack']),
      allocateLoadBalancerNodePorts: bool('Whether a LoadBalancer service also gets node ports. Defaults to true.'),
      trafficDistribution: str('Preference for how traffic is spread over endpoints, such as PreferClose.'),
    }),
    [`${CORE}.ServicePort`]: obj(
      'One port a service exposes.',
      {
        name: str('Name of the port, required when the service has more than one. Matches the name in endpoints.'),
        protocol: strEnum('IP protocol of the port. Defaults to TCP.', PROTOCOLS),
        appProtocol: str('Application protocol, such as http or kubernetes.io/h2c.'),
        port: int32('Port the service listens on.'),
        targetPort: intOrString('Port number or container port name on the pods. Defaults to port.'),
        nodePort: int32('Port opened on every node for NodePort and LoadBalancer services, usually allocated by the server.'),
      },
      ['port'],
    ),
    [`${CORE}.SessionAffinityConfig`]: obj('Session affinity settings.', { clientIP: ref(`${CORE}.ClientIPConfig`, 'Settings for ClientIP affinity.', { isPointer: true }) }),
    [`${CORE}.ClientIPConfig`]: obj('Settings for ClientIP session affinity.', { timeoutSeconds: int32('How long a client sticks to one endpoint. Defaults to 10800.') }),
    [`${CORE}.ServiceStatus`]: obj('Observed state of a service.', {
      loadBalancer: ref(`${CORE}.LoadBalancerStatus`, 'Addresses of the load balancer, if any.'),
      conditions: mergeList(`${META}.Condition`, 'Current conditions of the service.', 'type'),
    }),
    [`${CORE}.LoadBalancerStatus`]: obj('State of a load balancer.', { ingress: atomicList(`${CORE}.LoadBalancerIngress`, 'Addresses where the load balancer accepts traffic.') }),
    [`${CORE}.LoadBalancerIngress`]: obj('One load balancer address.', {
      ip: str('IP address of the load balancer.'),
      hostname: str('DNS name of the load balancer.'),
      ipMode: strEnum('Whether traffic arrives addressed to this IP (VIP) or to the node (Proxy).', ['VIP', 'Proxy']),
      ports: atomicList(`${CORE}.PortStatus`, 'Per-port status.'),
    }),
    [`${CORE}.PortStatus`]: obj('Status of one service port on a load balancer.', { port: int32('Service port number.'), protocol: strEnum('Protocol of the port.', PROTOCOLS), error: str('Problem with this port, if any.') }, ['port', 'protocol']),
  };
}

function clusterSchemas(): Record<string, Schema> {
  return {
    [`${CORE}.Namespace`]: kind(v1('Namespace'), 'A scope for names. Most objects live in a namespace.', {
      spec: ref(`${CORE}.NamespaceSpec`, 'Desired behaviour of the namespace.'),
      status: ref(`${CORE}.NamespaceStatus`, 'Observed state of the namespace. Read-only.'),
    }),
    [`${CORE}.NamespaceSpec`]: obj('Attributes of a namespace.', { finalizers: strList('Tokens that must be removed before the namespace is deleted from storage.') }),
    [`${CORE}.NamespaceStatus`]: obj('Observed state of a namespace.', {
      phase: strEnum('Active, or Terminating while its contents are being deleted.', ['Active', 'Terminating']),
      conditions: mergeList(`${CORE}.NamespaceCondition`, 'Current conditions of the namespace.', 'type'),
    }),
    [`${CORE}.NamespaceCondition`]: obj('One condition of a namespace.', { type: str('Kind of condition.'), status: strEnum('Whether it holds.', ['True', 'False', 'Unknown']), lastTransitionTime: time('When status last changed.'), reason: str('Reason for the last transition.'), message: str('Details about the last transition.') }, ['type', 'status']),
    [`${CORE}.Node`]: kind(v1('Node'), 'A machine that runs pods.', {
      spec: ref(`${CORE}.NodeSpec`, 'Desired behaviour of the node.'),
      status: ref(`${CORE}.NodeStatus`, 'Observed state of the node, reported by its agent. Read-only.'),
    }),
    [`${CORE}.NodeSpec`]: obj('Attributes a node is created with.', {
      podCIDR: str('Pod address range assigned to the node.'),
      podCIDRs: strList('Pod address ranges, at most one per IP family; the first equals podCIDR.', 'set'),
      providerID: str('Identifier of the node in its provider.'),
      unschedulable: bool('When true, no new pods are scheduled onto the node.'),
      taints: atomicList(`${CORE}.Taint`, 'Taints that repel pods which do not tolerate them.'),
    }),
    [`${CORE}.Taint`]: obj('A mark on a node that repels pods without a matching toleration.', { key: str('Taint key.'), value: str('Taint value.'), effect: strEnum('What happens to pods that do not tolerate it.', ['NoSchedule', 'PreferNoSchedule', 'NoExecute']), timeAdded: time('When a NoExecute taint was added.') }, ['key', 'effect']),
    [`${CORE}.NodeStatus`]: obj('Observed state of a node.', {
      capacity: quantityMap('Total resources of the node.'),
      allocatable: quantityMap('Resources available to pods.'),
      phase: str('Deprecated and unused.'),
      conditions: mergeList(`${CORE}.NodeCondition`, 'Current conditions, such as Ready.', 'type'),
      addresses: mergeList(`${CORE}.NodeAddress`, 'Addresses at which the node is reachable.', 'type'),
      daemonEndpoints: ref(`${CORE}.NodeDaemonEndpoints`, 'Ports of the daemons on the node.'),
      nodeInfo: ref(`${CORE}.NodeSystemInfo`, 'Identifiers and versions of the node software.'),
      images: atomicList(`${CORE}.ContainerImage`, 'Container images present on the node.'),
    }),
    [`${CORE}.NodeCondition`]: obj('One condition of a node.', { type: str('Kind of condition, such as Ready.'), status: strEnum('Whether it holds.', ['True', 'False', 'Unknown']), lastHeartbeatTime: time('When the condition was last reported.'), lastTransitionTime: time('When status last changed.'), reason: str('Reason for the last transition.'), message: str('Details about the last transition.') }, ['type', 'status']),
    [`${CORE}.NodeAddress`]: obj('One address of a node.', { type: str('Hostname, InternalIP or ExternalIP.'), address: str('The address.') }, ['type', 'address']),
    [`${CORE}.NodeDaemonEndpoints`]: obj('Ports of the daemons on a node.', { kubeletEndpoint: ref(`${CORE}.DaemonEndpoint`, 'Port of the node agent.') }),
    [`${CORE}.DaemonEndpoint`]: obj('A daemon port.', { Port: int32('Port number.') }, ['Port']),
    [`${CORE}.NodeSystemInfo`]: obj('Identifiers and software versions of a node.', {
      machineID: str('Machine ID.'), systemUUID: str('System UUID.'), bootID: str('Boot ID.'), kernelVersion: str('Kernel version.'), osImage: str('Operating system image.'),
      containerRuntimeVersion: str('Container runtime and version.'), kubeletVersion: str('Node agent version.'), kubeProxyVersion: str('Deprecated.'), operatingSystem: str('Operating system.'), architecture: str('CPU architecture.'),
    }, ['machineID', 'systemUUID', 'bootID', 'kernelVersion', 'osImage', 'containerRuntimeVersion', 'kubeletVersion', 'kubeProxyVersion', 'operatingSystem', 'architecture']),
    [`${CORE}.ContainerImage`]: obj('An image on a node.', { names: strList('Names the image is known by.'), sizeBytes: int64('Size of the image.') }),
  };
}

function configSchemas(): Record<string, Schema> {
  return {
    [`${CORE}.Endpoints`]: kind(v1('Endpoints'), 'The addresses and ports that implement a service (superseded by EndpointSlice).', {
      subsets: atomicList(`${CORE}.EndpointSubset`, 'Groups of addresses that share the same ports.'),
    }),
    [`${CORE}.EndpointSubset`]: obj('Addresses that share a set of ports.', {
      addresses: atomicList(`${CORE}.EndpointAddress`, 'Ready addresses.'),
      notReadyAddresses: atomicList(`${CORE}.EndpointAddress`, 'Addresses that are not ready yet.'),
      ports: atomicList(`${CORE}.EndpointPort`, 'Ports available on every address.'),
    }),
    [`${CORE}.EndpointAddress`]: obj('One endpoint address.', { ip: str('IP address.'), hostname: str('Hostname of the endpoint.'), nodeName: str('Node hosting the endpoint.'), targetRef: ref(`${CORE}.ObjectReference`, 'Object providing the endpoint, usually a pod.', { isPointer: true }) }, ['ip'], { isAtomic: true }),
    [`${CORE}.EndpointPort`]: obj('One endpoint port.', { name: str('Name matching the service port.'), port: int32('Port number.'), protocol: strEnum('IP protocol.', PROTOCOLS), appProtocol: str('Application protocol.') }, ['port'], { isAtomic: true }),
    [`${CORE}.Secret`]: kind(v1('Secret'), 'Holds a small amount of sensitive data such as a password, token or key.', {
      data: strMap('Secret values, base64-encoded in JSON and YAML.', { format: 'byte' }),
      stringData: strMap('Write-only convenience: plain-text values merged into data on write.'),
      type: str('Kind of secret, such as Opaque or kubernetes.io/tls, used for programmatic handling.'),
      immutable: bool('When true, data cannot be changed; only metadata can.'),
    }),
    [`${CORE}.ConfigMap`]: kind(v1('ConfigMap'), 'Non-secret configuration for pods to consume as environment variables, command-line arguments or files.', {
      data: strMap('UTF-8 configuration values.'),
      binaryData: strMap('Binary configuration values, base64-encoded in JSON and YAML.', { format: 'byte' }),
      immutable: bool('When true, data cannot be changed; only metadata can.'),
    }),
    [`${CORE}.ServiceAccount`]: kind(v1('ServiceAccount'), 'An identity for processes running in pods.', {
      secrets: mergeList(`${CORE}.ObjectReference`, 'Secrets pods using this account may use.', 'name'),
      imagePullSecrets: atomicList(`${CORE}.LocalObjectReference`, 'Secrets used to pull images for pods using this account.'),
      automountServiceAccountToken: bool('Whether pods using this account get an API token mounted automatically.'),
    }),
    [`${CORE}.Event`]: kind(v1('Event'), 'A report of something that happened to an object.', {
      involvedObject: ref(`${CORE}.ObjectReference`, 'The object the event is about.'),
      reason: str('Short machine-readable reason, such as Scheduled.'),
      message: str('Human-readable description.'),
      source: ref(`${CORE}.EventSource`, 'Component that reported the event.'),
      firstTimestamp: time('When the event was first seen.'),
      lastTimestamp: time('When the event was last seen.'),
      count: int32('How many times it happened.'),
      type: strEnum('Severity of the event.', ['Normal', 'Warning']),
      eventTime: microTime('When the event was first observed, with microsecond precision.'),
      series: ref(`${CORE}.EventSeries`, 'Data about a series of repeated events.', { isPointer: true }),
      action: str('What was done, or failed to be done, to the object.'),
      related: ref(`${CORE}.ObjectReference`, 'A second object involved, if any.', { isPointer: true }),
      reportingComponent: str('Controller that emitted the event.'),
      reportingInstance: str('Instance of the controller that emitted the event.'),
    }, ['metadata', 'involvedObject']),
    [`${CORE}.EventSource`]: obj('Where an event came from.', { component: str('Component that generated the event.'), host: str('Node the event was generated on.') }),
    [`${CORE}.EventSeries`]: obj('A series of repeated events.', { count: int32('Occurrences so far.'), lastObservedTime: microTime('When the last occurrence was seen.') }),
    [`${CORE}.ObjectReference`]: obj('A reference to another object, with enough information to find it.', {
      kind: str('Kind of the referent.'), namespace: str('Namespace of the referent.'), name: str('Name of the referent.'), uid: str('UID of the referent.'),
      apiVersion: str('API version of the referent.'), resourceVersion: str('Specific version referred to, if any.'), fieldPath: str('Part of the object referred to, such as spec.containers{web}.'),
    }, [], { isAtomic: true }),
    [`${CORE}.LocalObjectReference`]: obj('A reference to an object in the same namespace.', { name: str('Name of the referent.') }, [], { isAtomic: true }),
    [`${CORE}.TypedLocalObjectReference`]: obj('A reference to an object of any kind in the same namespace.', { apiGroup: str('API group of the referent; empty for the core group.'), kind: str('Kind of the referent.'), name: str('Name of the referent.') }, ['kind', 'name'], { isAtomic: true }),
  };
}

export function coreSchemas(): Record<string, Schema> {
  return { ...serviceSchemas(), ...clusterSchemas(), ...configSchemas() };
}
