import { it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeSlices } from './endpoints.ts';
import { staleUdpFlows } from './conntrack-cleanup.ts';
import { servicePorts } from './service-port.ts';
import { slice, svc } from './test-fixtures.ts';

const dns = servicePorts(svc('kube-system', 'dns', { type: 'NodePort', clusterIP: '198.19.208.10', externalIPs: ['198.18.62.1'], ports: [{ name: 'dns', port: 53, protocol: 'UDP', nodePort: 30053 }, { name: 'tcp', port: 53, protocol: 'TCP' }] }));
const eps = (ips: string[]) => mergeSlices([slice('kube-system', 'dns', [{ name: 'dns', port: 5353, protocol: 'UDP' }, { name: 'tcp', port: 5353 }], ips.map((ip) => ({ ip })))]);

it('deletes UDP flows answered by an endpoint that went away, for every service address and the NodePort', () => {
  assert.deepEqual(staleUdpFlows({ ports: dns, endpoints: eps(['198.18.224.1', '198.18.224.2']) }, { ports: dns, endpoints: eps(['198.18.224.2']) }), [
    { protocol: 'udp', origDst: '198.19.208.10', origDstPort: 53, replySrc: '198.18.224.1' },
    { protocol: 'udp', origDst: '198.18.62.1', origDstPort: 53, replySrc: '198.18.224.1' },
    { protocol: 'udp', origDstPort: 30053, replySrc: '198.18.224.1' },
  ]);
});

it('deletes every flow to a UDP port that had no endpoint and now has one (those were never DNATed)', () => {
  assert.deepEqual(staleUdpFlows({ ports: dns, endpoints: undefined }, { ports: dns, endpoints: eps(['198.18.224.1']) }), [
    { protocol: 'udp', origDst: '198.19.208.10', origDstPort: 53 },
    { protocol: 'udp', origDst: '198.18.62.1', origDstPort: 53 },
    { protocol: 'udp', origDstPort: 30053 },
  ]);
});

it('deletes every flow to a UDP port of a deleted Service, and nothing for TCP or unchanged endpoints', () => {
  assert.equal(staleUdpFlows({ ports: dns, endpoints: eps(['198.18.224.1']) }, { ports: undefined, endpoints: undefined }).length, 3);
  assert.deepEqual(staleUdpFlows({ ports: dns, endpoints: eps(['198.18.224.1']) }, { ports: dns, endpoints: eps(['198.18.224.1']) }), []);
  const tcpOnly = dns.filter((p) => p.protocol === 'tcp');
  assert.deepEqual(staleUdpFlows({ ports: tcpOnly, endpoints: eps(['198.18.224.1']) }, { ports: tcpOnly, endpoints: eps([]) }), []);
});
