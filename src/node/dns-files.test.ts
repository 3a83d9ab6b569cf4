import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveDnsPolicy, podHostname, renderHostname, renderHosts, renderHostNetworkHosts, renderResolvConf } from './dns-files.ts';
import type { NodePod } from './pod-types.ts';

const options = { clusterDns: '198.19.0.10', clusterDomain: 'cluster.local', hostResolvConf: '# host\nnameserver 10.0.0.53\nsearch corp.example\noptions edns0\n' };

function pod(spec: Partial<NodePod['spec']> = {}, name = 'web-1'): NodePod {
  return { metadata: { name, namespace: 'shop', uid: 'u' }, spec: { containers: [], ...spec } };
}

describe('renderResolvConf', () => {
  it('points ClusterFirst pods at the cluster DNS with the Kubernetes search path and ndots:5', () => {
    assert.equal(renderResolvConf(pod(), options), 'search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 198.19.0.10\noptions ndots:5\n');
  });

  it('gives Default pods the node resolv.conf', () => {
    assert.equal(renderResolvConf(pod({ dnsPolicy: 'Default' }), options), 'search corp.example\nnameserver 10.0.0.53\noptions edns0\n');
  });

  it('uses only dnsConfig for None', () => {
    const p = pod({ dnsPolicy: 'None', dnsConfig: { nameservers: ['1.2.3.4'], searches: ['a.example'], options: [{ name: 'ndots', value: '2' }, { name: 'rotate' }] } });
    assert.equal(renderResolvConf(p, options), 'search a.example\nnameserver 1.2.3.4\noptions ndots:2 rotate\n');
  });

  it('merges dnsConfig into ClusterFirst, an option given again replacing the default', () => {
    const p = pod({ dnsConfig: { searches: ['extra.example'], options: [{ name: 'ndots', value: '1' }] } });
    assert.equal(renderResolvConf(p, options), 'search shop.svc.cluster.local svc.cluster.local cluster.local extra.example\nnameserver 198.19.0.10\noptions ndots:1\n');
  });

  it('falls back to Default for host-network pods unless ClusterFirstWithHostNet', () => {
    assert.equal(effectiveDnsPolicy(pod({ hostNetwork: true })), 'Default');
    assert.equal(effectiveDnsPolicy(pod({ hostNetwork: true, dnsPolicy: 'ClusterFirstWithHostNet' })), 'ClusterFirst');
  });
});

describe('renderHosts', () => {
  it('maps the pod IP to its hostname and appends hostAliases', () => {
    const text = renderHosts(pod({ hostAliases: [{ ip: '198.18.0.1', hostnames: ['api', 'api.local'] }] }), { podIPs: ['198.18.128.7'], clusterDomain: 'cluster.local' });
    assert.match(text, /^# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n/);
    assert.match(text, /\n198\.18\.128\.7\tweb-1\n/);
    assert.match(text, /# Entries added by HostAliases.\n198\.18\.0\.1\tapi\tapi\.local\n$/);
  });

  it('uses the FQDN when the pod has a subdomain', () => {
    const text = renderHosts(pod({ hostname: 'db-0', subdomain: 'db' }), { podIPs: ['198.18.128.8'], clusterDomain: 'cluster.local' });
    assert.match(text, /\n198\.18\.128\.8\tdb-0\.db\.shop\.svc\.cluster\.local\tdb-0\n/);
  });

  it('appends hostAliases to the node hosts file for host-network pods', () => {
    assert.equal(renderHostNetworkHosts(pod({ hostAliases: [{ ip: '1.1.1.1', hostnames: ['x'] }] }), '127.0.0.1 localhost'), '127.0.0.1 localhost\n\n# Entries added by HostAliases.\n1.1.1.1\tx\n');
  });
});

describe('hostname', () => {
  it('is spec.hostname, else the pod name cut to 63 characters', () => {
    assert.equal(podHostname(pod({ hostname: 'h' })), 'h');
    assert.equal(podHostname(pod({}, 'a'.repeat(70))), 'a'.repeat(63));
    assert.equal(renderHostname(pod({ hostname: 'db-0', subdomain: 'db', setHostnameAsFQDN: true }), 'cluster.local'), 'db-0.db.shop.svc.cluster.local\n');
  });
});
