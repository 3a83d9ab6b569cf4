import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { categorizeEndpoints, mergeSlices } from './endpoints.ts';
import { chainBase, endpointChainName, hashedName, portLabel, servicePorts } from './service-port.ts';
import { NODE, slice, svc } from './test-fixtures.ts';

describe('servicePorts', () => {
  it('slims a LoadBalancer Service to what the proxy programs', () => {
    const [p] = servicePorts(
      svc('shop', 'cart', { type: 'LoadBalancer', clusterIP: '198.19.208.5', externalTrafficPolicy: 'Local', healthCheckNodePort: 32000, loadBalancerSourceRanges: [' 10.0.0.0/8 '], sessionAffinity: 'ClientIP', ports: [{ name: 'web', port: 80, nodePort: 30001 }] }, ['198.18.61.3', 'lb.example.com']),
    );
    assert.deepEqual(p, {
      namespace: 'shop', name: 'cart', portName: 'web', protocol: 'tcp', port: 80, clusterIP: '198.19.208.5', nodePort: 30001, externalIPs: [], loadBalancerIPs: ['198.18.61.3'],
      loadBalancerSourceRanges: ['10.0.0.0/8'], isExternalPolicyLocal: true, isInternalPolicyLocal: false, affinityTimeoutSeconds: 10800, healthCheckNodePort: 32000,
    });
  });

  it('programs nothing for ExternalName and headless Services, and no NodePort for a ClusterIP Service', () => {
    assert.deepEqual(servicePorts(svc('a', 'b', { type: 'ExternalName', clusterIP: '', externalName: 'x.example' })), []);
    assert.deepEqual(servicePorts(svc('a', 'b', { clusterIP: 'None' })), []);
    assert.equal(servicePorts(svc('a', 'b', { clusterIP: '198.19.208.5', ports: [{ port: 80, nodePort: 30000 }] }))[0].nodePort, undefined);
  });
});

describe('names', () => {
  it('are readable and stable, and unnamed ports use the number', () => {
    const [p] = servicePorts(svc('default', 'web', { clusterIP: '198.19.208.5', ports: [{ port: 8080, protocol: 'UDP' }] }));
    assert.equal(chainBase(p), 'default/web/udp/8080');
    assert.equal(portLabel(p), 'default/web');
    assert.match(endpointChainName(p, { ip: '198.18.224.1', port: 80 }), /^endpoint-[A-Z2-7]{8}-default\/web\/udp\/8080__198\.18\.224\.1\/80$/);
    assert.equal(hashedName('service', 'a/b/tcp/x'), hashedName('service', 'a/b/tcp/x'));
  });

  it('are cut to 255 characters, the hash keeping them apart', () => {
    const long = 'n'.repeat(100);
    const a = hashedName('endpoint', `${long}/${long}/tcp/${long}__198.18.224.1/80`);
    const b = hashedName('endpoint', `${long}/${long}/tcp/${long}__198.18.224.2/80`);
    assert.equal(a.length, 255);
    assert.notEqual(a, b);
  });
});

describe('endpoints', () => {
  it('merge slices, dedupe an address listed twice keeping its ready copy, and sort by address', () => {
    const a = slice('ns', 'web', [{ name: 'http', port: 80 }], [{ ip: '198.18.224.10' }, { ip: '198.18.224.9', ready: false }], 'a');
    const b = slice('ns', 'web', [{ name: 'http', port: 80 }], [{ ip: '198.18.224.9' }], 'b');
    const merged = mergeSlices([a, b]).get('http/tcp')!;
    assert.deepEqual(merged.map((e) => [e.ip, e.isReady]), [['198.18.224.9', true], ['198.18.224.10', true]]);
  });

  it('prefer ready endpoints, fall back to serving-and-terminating ones, and pick local ones per policy', () => {
    const [p] = servicePorts(svc('ns', 'web', { clusterIP: '198.19.208.5', internalTrafficPolicy: 'Local' }));
    const eps = mergeSlices([slice('ns', 'web', [{ name: 'http', port: 80 }], [
      { ip: '198.18.224.1', ready: false, serving: true, terminating: true },
      { ip: '198.18.225.1', node: 'node-2' },
    ])]).get('http/tcp')!;
    const c = categorizeEndpoints(p, eps, NODE);
    assert.deepEqual(c.cluster.map((e) => e.ip), ['198.18.225.1']);
    assert.deepEqual(c.local.map((e) => e.ip), ['198.18.224.1'], 'no ready local endpoint: the terminating one serves');
  });
});
