// Synthetic packets through the rendered proxy table (the netfilter tracer): where each lands, whether it
// is masqueraded, or where it is refused. No kernel, no root.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TraceState, tracePacket } from '../netfilter/trace.ts';
import type { Packet, TraceResult } from '../netfilter/trace.ts';
import type { Ruleset } from '../netfilter/model.ts';
import { buildState, renderRuleset } from './render-ruleset.ts';
import { OPTIONS, representativeCluster, slice, svc } from './test-fixtures.ts';

const NODE1_IP = '198.18.60.11';
const CNI0 = '198.18.224.1';
const POD = '198.18.224.200';
const HOST = '198.18.60.1';

function tableFor(node: 'node-1' | 'node-2' | 'node-3', nodeIP: string): Ruleset {
  const c = representativeCluster();
  return renderRuleset(buildState(c.services, c.slices), { ...OPTIONS, nodeName: node, nodeIPs: [nodeIP] });
}

const node1 = tableFor('node-1', NODE1_IP);
const local1 = [NODE1_IP, CNI0];

function send(p: Partial<Packet> & { dst: string; dport: number }, options: { table?: Ruleset; isLocallyGenerated?: boolean; state?: TraceState; local?: string[] } = {}): TraceResult {
  const packet: Packet = { src: POD, proto: 'tcp', ...p };
  return tracePacket(options.table ?? node1, packet, { localAddresses: options.local ?? local1, isLocallyGenerated: options.isLocallyGenerated, state: options.state });
}

/** Sends `n` new connections and counts where they land (`addr:port`, or the verdict). */
function spread(n: number, p: Partial<Packet> & { dst: string; dport: number }, options: Parameters<typeof send>[1] = {}): Map<string, number> {
  const state = options.state ?? new TraceState();
  const counts = new Map<string, number>();
  for (let i = 0; i < n; i++) {
    const r = send(p, { ...options, state });
    const where = r.dnat ? `${r.dnat.addr}:${r.dnat.port}` : r.verdict;
    counts.set(where, (counts.get(where) ?? 0) + 1);
  }
  return counts;
}

describe('ClusterIP', () => {
  it('spreads 60 connections from a pod evenly over 3 ready endpoints, round robin, without masquerade', () => {
    assert.deepEqual(spread(60, { dst: '198.19.208.10', dport: 80 }), new Map([['198.18.224.10:9376', 20], ['198.18.224.11:9376', 20], ['198.18.225.10:9376', 20]]));
    const r = send({ dst: '198.19.208.10', dport: 80 });
    assert.equal(r.verdict, 'accept');
    assert.equal(r.isMasqueraded, false);
    assert.equal(r.isLocalDelivery, false);
  });

  it('maps each port of a multi-port Service to its own target port and protocol', () => {
    assert.deepEqual(spread(2, { dst: '198.19.208.11', dport: 80 }), new Map([['198.18.224.20:8080', 1], ['198.18.225.20:8080', 1]]));
    assert.deepEqual(spread(2, { dst: '198.19.208.11', dport: 53, proto: 'udp' }), new Map([['198.18.224.20:5353', 1], ['198.18.225.20:5353', 1]]));
    assert.equal(send({ dst: '198.19.208.11', dport: 53, proto: 'tcp' }).verdict, 'reject', 'TCP 53 is not a port of the Service');
  });

  it('rejects a Service with no endpoints at once, from a pod and from the node itself', () => {
    assert.equal(send({ dst: '198.19.208.12', dport: 80 }).verdict, 'reject');
    assert.equal(send({ src: NODE1_IP, dst: '198.19.208.12', dport: 80 }, { isLocallyGenerated: true }).verdict, 'reject');
  });

  it('drops traffic to an unallocated address of the service CIDR and rejects an undefined port of a ClusterIP', () => {
    assert.equal(send({ dst: '198.19.208.99', dport: 80 }).verdict, 'drop');
    assert.equal(send({ dst: '198.19.208.10', dport: 81 }).verdict, 'reject');
    assert.equal(send({ src: NODE1_IP, dst: '198.19.208.99', dport: 80 }, { isLocallyGenerated: true }).verdict, 'drop');
    assert.equal(send({ dst: '198.18.224.10', dport: 9376 }).dnat, undefined, 'pod IPs pass untouched');
  });

  it('masquerades off-cluster clients (the host, the node itself) so replies return through this node', () => {
    assert.equal(send({ src: HOST, dst: '198.19.208.10', dport: 80 }).isMasqueraded, true);
    assert.equal(send({ src: NODE1_IP, dst: '198.19.208.10', dport: 80 }, { isLocallyGenerated: true }).isMasqueraded, true);
  });

  it('masquerades hairpin traffic: a pod reaching itself through its Service', () => {
    const state = new TraceState();
    const first = send({ src: '198.18.224.10', dst: '198.19.208.10', dport: 80 }, { state });
    assert.deepEqual(first.dnat, { addr: '198.18.224.10', port: 9376 });
    assert.equal(first.isMasqueraded, true);
    const second = send({ src: '198.18.224.10', dst: '198.19.208.10', dport: 80 }, { state });
    assert.equal(second.dnat?.addr, '198.18.224.11');
    assert.equal(second.isMasqueraded, false);
  });

  it('falls back to serving-and-terminating endpoints when none is ready, never to non-serving ones', () => {
    assert.deepEqual(spread(5, { dst: '198.19.208.19', dport: 80 }), new Map([['198.18.224.90:9376', 5]]));
  });
});

describe('NodePort', () => {
  it('with externalTrafficPolicy Cluster, reaches every endpoint and masquerades', () => {
    assert.deepEqual(spread(4, { src: HOST, dst: NODE1_IP, dport: 30080 }), new Map([['198.18.224.30:9376', 2], ['198.18.225.30:9376', 2]]));
    assert.equal(send({ src: HOST, dst: NODE1_IP, dport: 30080 }).isMasqueraded, true);
  });

  it('with externalTrafficPolicy Local, keeps the client address and uses this node\'s endpoints only', () => {
    assert.deepEqual(spread(6, { src: HOST, dst: NODE1_IP, dport: 30081 }), new Map([['198.18.224.40:9376', 6]]));
    assert.equal(send({ src: HOST, dst: NODE1_IP, dport: 30081 }).isMasqueraded, false);
  });

  it('with externalTrafficPolicy Local, lets pods and the node itself use every endpoint', () => {
    assert.deepEqual(spread(4, { dst: NODE1_IP, dport: 30081 }), new Map([['198.18.224.40:9376', 2], ['198.18.225.40:9376', 2]]));
    const fromNode = send({ src: NODE1_IP, dst: NODE1_IP, dport: 30081 }, { isLocallyGenerated: true });
    assert.equal(fromNode.isMasqueraded, true);
  });

  it('with externalTrafficPolicy Local and no endpoint on this node, drops external clients', () => {
    const c = representativeCluster();
    const table = renderRuleset(buildState(c.services, c.slices), { ...OPTIONS, nodeName: 'node-3', nodeIPs: ['198.18.60.13'] });
    assert.equal(send({ src: HOST, dst: '198.18.60.13', dport: 30081 }, { table, local: ['198.18.60.13'] }).verdict, 'drop');
  });

  it('answers on the node\'s addresses only: not on localhost, not on other addresses', () => {
    const r = send({ src: NODE1_IP, dst: '127.0.0.1', dport: 30080 }, { isLocallyGenerated: true });
    assert.equal(r.dnat, undefined);
    assert.equal(send({ src: HOST, dst: CNI0, dport: 30080 }).dnat, undefined);
  });

  it('rejects a NodePort whose Service has no endpoints', () => {
    const table = renderRuleset(buildState([svc('default', 'np', { type: 'NodePort', clusterIP: '198.19.208.13', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })], []), OPTIONS);
    assert.equal(send({ src: HOST, dst: NODE1_IP, dport: 30080 }, { table }).verdict, 'reject');
  });
});

describe('LoadBalancer and externalIPs', () => {
  it('DNATs a LoadBalancer IP like a ClusterIP, masqueraded, for sources inside loadBalancerSourceRanges', () => {
    const r = send({ src: HOST, dst: '198.18.61.1', dport: 80 });
    assert.deepEqual(r.dnat, { addr: '198.18.225.50', port: 9376 });
    assert.equal(r.isMasqueraded, true);
  });

  it('drops LoadBalancer traffic from outside loadBalancerSourceRanges, but not ClusterIP traffic', () => {
    assert.equal(send({ src: '198.18.99.7', dst: '198.18.61.1', dport: 80 }).verdict, 'drop');
    assert.equal(send({ src: '198.18.99.7', dst: '198.19.208.15', dport: 80 }).verdict, 'accept');
  });

  it('DNATs externalIPs, and rejects them when the Service has no endpoints', () => {
    assert.deepEqual(send({ src: HOST, dst: '198.18.62.5', dport: 80 }).dnat, { addr: '198.18.224.60', port: 9376 });
    const table = renderRuleset(buildState([svc('default', 'ext', { clusterIP: '198.19.208.16', externalIPs: ['198.18.62.5'] })], []), OPTIONS);
    assert.equal(send({ src: HOST, dst: '198.18.62.5', dport: 80 }, { table }).verdict, 'reject');
  });
});

describe('session affinity and traffic policies', () => {
  it('sends a client back to its endpoint until the affinity timeout passes', () => {
    const state = new TraceState();
    const a = send({ src: '198.18.224.201', dst: '198.19.208.17', dport: 80 }, { state }).dnat?.addr;
    const b = send({ src: '198.18.224.202', dst: '198.19.208.17', dport: 80 }, { state }).dnat?.addr;
    assert.notEqual(a, b, 'new clients are still balanced');
    for (let i = 0; i < 10; i++) assert.equal(send({ src: '198.18.224.201', dst: '198.19.208.17', dport: 80 }, { state }).dnat?.addr, a);
    state.nowSeconds += 59;
    send({ src: '198.18.224.203', dst: '198.19.208.17', dport: 80 }, { state }); // takes the round-robin turn of a's endpoint
    assert.equal(send({ src: '198.18.224.201', dst: '198.19.208.17', dport: 80 }, { state }).dnat?.addr, a, 'within 60 s of its last connection it sticks');
    state.nowSeconds += 61; // the round-robin turn is now b's endpoint
    assert.equal(send({ src: '198.18.224.201', dst: '198.19.208.17', dport: 80 }, { state }).dnat?.addr, b, 'after 60 s idle it is balanced again');
  });

  it('with internalTrafficPolicy Local, uses only this node\'s endpoint, and each node its own', () => {
    assert.deepEqual(spread(4, { dst: '198.19.208.18', dport: 80 }), new Map([['198.18.224.80:9376', 4]]));
    const node2 = tableFor('node-2', '198.18.60.12');
    assert.deepEqual(spread(4, { src: '198.18.225.200', dst: '198.19.208.18', dport: 80 }, { table: node2, local: ['198.18.60.12'] }), new Map([['198.18.225.80:9376', 4]]));
  });

  it('with internalTrafficPolicy Local and no local endpoint, drops (endpoints exist elsewhere)', () => {
    const table = tableFor('node-3', '198.18.60.13');
    assert.equal(send({ src: '198.18.226.5', dst: '198.19.208.18', dport: 80 }, { table, local: ['198.18.60.13'] }).verdict, 'drop');
  });

  it('leaves ExternalName and headless Services out of the table', () => {
    const table = renderRuleset(buildState(representativeCluster().services.filter((s) => ['outside', 'headless'].includes(s.metadata.name!)), [slice('default', 'headless', [{ port: 80 }], [{ ip: '198.18.224.5' }])]), OPTIONS);
    assert.deepEqual([...table.chains.keys()].filter((n) => /outside|headless/.test(n)), []);
    assert.deepEqual([...table.elements.values()].flat().filter((e) => /outside|headless/.test(e.comment ?? '')), []);
  });
});
