import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../types.ts';
import { validateCreate, validateUpdate } from './index.ts';

const NS = { isNamespaced: true };

/** A Service as it arrives after defaulting. */
function service(spec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'api', namespace: 'default' },
    spec: { type: 'ClusterIP', selector: { app: 'api' }, sessionAffinity: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 3000 }], ...spec },
  };
}

const summary = (causes: { field: string; reason: string }[]) => causes.map((c) => `${c.field} ${c.reason}`);

const CREATE_CASES: { name: string; svc: KubeObject; expect: string[] }[] = [
  { name: 'a name that is not a DNS-1035 label', svc: { ...service(), metadata: { name: '1api', namespace: 'default' } }, expect: ['metadata.name FieldValueInvalid'] },
  { name: 'no ports on a ClusterIP service', svc: service({ ports: [] }), expect: ['spec.ports FieldValueRequired'] },
  { name: 'port 0', svc: service({ ports: [{ port: 0, protocol: 'TCP', targetPort: 80 }] }), expect: ['spec.ports[0].port FieldValueInvalid'] },
  { name: 'port 70000', svc: service({ ports: [{ port: 70000, protocol: 'TCP', targetPort: 80 }] }), expect: ['spec.ports[0].port FieldValueInvalid'] },
  { name: 'an unknown protocol', svc: service({ ports: [{ port: 80, protocol: 'HTTP', targetPort: 80 }] }), expect: ['spec.ports[0].protocol FieldValueNotSupported'] },
  {
    name: 'two ports, one unnamed',
    svc: service({ ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 80 }, { port: 443, protocol: 'TCP', targetPort: 443 }] }),
    expect: ['spec.ports[1].name FieldValueRequired'],
  },
  {
    name: 'two ports with one name',
    svc: service({ ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'web', port: 81, protocol: 'TCP', targetPort: 81 }] }),
    expect: ['spec.ports[1].name FieldValueDuplicate'],
  },
  {
    name: 'the same port and protocol twice',
    svc: service({ ports: [{ name: 'a', port: 80, protocol: 'TCP', targetPort: 80 }, { name: 'b', port: 80, protocol: 'TCP', targetPort: 81 }] }),
    expect: ['spec.ports[1] FieldValueDuplicate'],
  },
  { name: 'a port name with capitals', svc: service({ ports: [{ name: 'HTTP', port: 80, protocol: 'TCP', targetPort: 80 }] }), expect: ['spec.ports[0].name FieldValueInvalid'] },
  { name: 'a numeric string targetPort', svc: service({ ports: [{ port: 80, protocol: 'TCP', targetPort: '8080' }] }), expect: ['spec.ports[0].targetPort FieldValueInvalid'] },
  { name: 'a targetPort out of range', svc: service({ ports: [{ port: 80, protocol: 'TCP', targetPort: 0 }] }), expect: ['spec.ports[0].targetPort FieldValueInvalid'] },
  { name: 'a nodePort on a ClusterIP service', svc: service({ ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30080 }] }), expect: ['spec.ports[0].nodePort FieldValueForbidden'] },
  { name: 'an unknown type', svc: service({ type: 'Ingress' }), expect: ['spec.type FieldValueNotSupported'] },
  { name: 'ExternalName without externalName', svc: service({ type: 'ExternalName', selector: undefined, ports: [] }), expect: ['spec.externalName FieldValueRequired'] },
  { name: 'an externalName that is no DNS name', svc: service({ type: 'ExternalName', externalName: 'not_a_host', ports: [] }), expect: ['spec.externalName FieldValueInvalid'] },
  { name: 'a clusterIP that is no IP', svc: service({ clusterIP: '10.0.0.300' }), expect: ['spec.clusterIPs[0] FieldValueInvalid'] },
  { name: 'headless NodePort', svc: service({ type: 'NodePort', clusterIP: 'None' }), expect: ['spec.clusterIPs[0] FieldValueInvalid'] },
  { name: 'a selector value with spaces', svc: service({ selector: { app: 'my api' } }), expect: ['spec.selector FieldValueInvalid'] },
  { name: 'an unknown sessionAffinity', svc: service({ sessionAffinity: 'Cookie' }), expect: ['spec.sessionAffinity FieldValueNotSupported'] },
  {
    name: 'a ClientIP timeout above a day',
    svc: service({ sessionAffinity: 'ClientIP', sessionAffinityConfig: { clientIP: { timeoutSeconds: 86401 } } }),
    expect: ['spec.sessionAffinityConfig.clientIP.timeoutSeconds FieldValueInvalid'],
  },
  { name: 'externalTrafficPolicy on a ClusterIP service', svc: service({ externalTrafficPolicy: 'Local' }), expect: ['spec.externalTrafficPolicy FieldValueInvalid'] },
  { name: 'an unknown externalTrafficPolicy', svc: service({ type: 'NodePort', externalTrafficPolicy: 'Nearest' }), expect: ['spec.externalTrafficPolicy FieldValueNotSupported'] },
  { name: 'loadBalancerSourceRanges on a ClusterIP service', svc: service({ loadBalancerSourceRanges: ['10.0.0.0/8'] }), expect: ['spec.LoadBalancerSourceRanges FieldValueForbidden'] },
  { name: 'a source range that is no CIDR', svc: service({ type: 'LoadBalancer', loadBalancerSourceRanges: ['10.0.0.0'] }), expect: ['spec.LoadBalancerSourceRanges[0] FieldValueInvalid'] },
  { name: 'a loopback externalIP', svc: service({ externalIPs: ['127.0.0.1'] }), expect: ['spec.externalIPs[0] FieldValueInvalid'] },
  { name: 'an unknown IP family', svc: service({ ipFamilies: ['IPv5'] }), expect: ['spec.ipFamilies[0] FieldValueNotSupported'] },
  { name: 'an IP family listed twice', svc: service({ ipFamilies: ['IPv4', 'IPv4'] }), expect: ['spec.ipFamilies[1] FieldValueDuplicate'] },
];

describe('Service validation', () => {
  it('accepts a defaulted ClusterIP, NodePort, headless and ExternalName service', () => {
    assert.deepEqual(validateCreate('Service', service(), NS), []);
    assert.deepEqual(validateCreate('Service', service({ type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [{ port: 80, protocol: 'TCP', targetPort: 'http', nodePort: 30080 }] }), NS), []);
    assert.deepEqual(validateCreate('Service', service({ clusterIP: 'None', ports: [] }), NS), []);
    assert.deepEqual(validateCreate('Service', service({ type: 'ExternalName', externalName: 'db.example.com.', selector: undefined, ports: [] }), NS), []);
  });

  for (const c of CREATE_CASES) {
    it(`rejects ${c.name}`, () => assert.deepEqual(summary(validateCreate('Service', c.svc, NS)), c.expect));
  }

  it('says what upstream says about the port range', () => {
    const [cause] = validateCreate('Service', service({ ports: [{ port: 0, protocol: 'TCP', targetPort: 80 }] }), NS);
    assert.equal(cause.message, 'Invalid value: 0: must be between 1 and 65535, inclusive');
    const [nodePort] = validateCreate('Service', service({ ports: [{ port: 80, protocol: 'TCP', targetPort: 80, nodePort: 30001 }] }), NS);
    assert.equal(nodePort.message, "Forbidden: may not be used when `type` is 'ClusterIP'");
  });

  it('forbids changing the cluster IP, but keeps it when an update leaves it out', () => {
    const old = service({ clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    const changed = service({ clusterIP: '10.96.0.21', clusterIPs: ['10.96.0.20'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    assert.deepEqual(summary(validateUpdate('Service', changed, old, NS)), ['spec.clusterIPs[0] FieldValueInvalid']);
    assert.deepEqual(validateUpdate('Service', service(), old, NS), []);
  });

  it('lets a service change to ExternalName and back', () => {
    const old = service({ clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    const toExternal = service({ type: 'ExternalName', externalName: 'db.example.com', clusterIP: '10.96.0.20', clusterIPs: ['10.96.0.20'], ipFamilies: ['IPv4'], ipFamilyPolicy: 'SingleStack' });
    assert.deepEqual(validateUpdate('Service', toExternal, old, NS), []);
    const external = service({ type: 'ExternalName', externalName: 'db.example.com' });
    assert.deepEqual(validateUpdate('Service', service({ clusterIP: '10.96.0.30' }), external, NS), []);
  });

  it('drops node ports carried over when a NodePort service becomes ClusterIP', () => {
    const old = service({ type: 'NodePort', externalTrafficPolicy: 'Cluster', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 3000, nodePort: 30080 }] });
    const next = service({ type: 'ClusterIP', externalTrafficPolicy: 'Cluster', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 3000, nodePort: 30080 }] });
    assert.deepEqual(validateUpdate('Service', next, old, NS), []);
  });

  it('keeps metadata.name immutable on update', () => {
    const old = service();
    const renamed = { ...service(), metadata: { name: 'other', namespace: 'default' } };
    assert.deepEqual(summary(validateUpdate('Service', renamed, old, NS)), ['metadata.name FieldValueInvalid']);
    assert.equal(validateUpdate('Service', renamed, old, NS)[0].message, 'Invalid value: "other": field is immutable');
  });
});
