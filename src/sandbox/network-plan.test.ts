import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  PlanError, defaultPlan, hostAddress, hostVeth, isInClusterCidr, isUnderlayAddress, maxNodes, nodeAddress,
  nodeIndexOf, nodeName, nodeNetns, podNetnsPrefix, validatePlan,
} from './network-plan.ts';
import { containsCidr, formatCidr, overlaps, parseCidr, parseIp } from './ipv4.ts';

const problems = (overrides: object) => {
  try {
    validatePlan(defaultPlan(overrides));
    return [];
  } catch (e) {
    assert.ok(e instanceof PlanError);
    assert.equal(e.code, 'InvalidPlan');
    return e.problems;
  }
};

describe('network plan', () => {
  it('defaults to the documented plan, which is valid', () => {
    assert.deepEqual(validatePlan(defaultPlan()), {
      clusterName: 'skiff', bridge: 'skiff0', underlayCidr: '198.18.0.0/24', clusterCidr: '198.18.128.0/17', serviceCidr: '198.19.0.0/16', lbPool: '198.18.1.0/24',
    });
  });

  it('derives addresses and names', () => {
    const p = defaultPlan();
    assert.equal(hostAddress(p), '198.18.0.1');
    assert.equal(nodeAddress(p, 1), '198.18.0.11');
    assert.equal(nodeAddress(p, 3), '198.18.0.13');
    assert.equal(nodeNetns(p, 2), 'skiff-skiff-node-2');
    assert.equal(nodeName(2), 'node-2');
    assert.equal(hostVeth(p, 2), 'sk-skiff-2');
    assert.equal(podNetnsPrefix(p), 'skiff-skiff-pod-');
    assert.equal(nodeIndexOf(p, 'skiff-skiff-node-12'), 12);
    assert.equal(nodeIndexOf(p, 'skiff-skiff-pod-1'), undefined);
    assert.equal(nodeIndexOf(p, 'skiff-other-node-1'), undefined);
  });

  it('keeps host veth names within the 15 characters Linux allows', () => {
    const p = defaultPlan({ clusterName: 'abcdefgh' });
    assert.equal(hostVeth(p, maxNodes(p)).length <= 15, true);
    assert.equal(hostVeth(p, 244), 'sk-abcdefgh-244');
  });

  it('refuses node indexes outside the underlay', () => {
    const p = defaultPlan();
    assert.equal(maxNodes(p), 244);
    assert.equal(nodeAddress(p, 244), '198.18.0.254');
    assert.throws(() => nodeAddress(p, 245), PlanError);
    assert.throws(() => nodeAddress(p, 0), PlanError);
    assert.throws(() => nodeNetns(p, 1.5), PlanError);
  });

  it('refuses any range outside 198.18.0.0/15, so no real network can be addressed', () => {
    assert.match(problems({ serviceCidr: '10.96.0.0/12' }).join(), /serviceCidr 10.96.0.0\/12 is outside 198.18.0.0\/15/);
    assert.match(problems({ clusterCidr: '198.16.0.0/12' }).join(), /outside/);
    assert.match(problems({ lbPool: '198.20.0.0/24' }).join(), /outside/);
    assert.match(problems({ underlayCidr: '0.0.0.0/0' }).join(), /outside/);
    assert.deepEqual(problems({ serviceCidr: '198.19.0.0/16' }), []);
  });

  it('refuses overlapping ranges', () => {
    assert.match(problems({ lbPool: '198.18.0.128/25' }).join(), /underlayCidr 198.18.0.0\/24 overlaps lbPool 198.18.0.128\/25/);
    assert.match(problems({ serviceCidr: '198.18.128.0/20' }).join(), /clusterCidr .* overlaps serviceCidr/);
  });

  it('refuses malformed ranges, names and bridges', () => {
    assert.match(problems({ clusterCidr: '198.18.128.1/17' }).join(), /host bits/);
    assert.match(problems({ clusterCidr: '198.18.128.0' }).join(), /not an IPv4 CIDR/);
    assert.match(problems({ clusterName: 'Skiff' }).join(), /clusterName/);
    assert.match(problems({ clusterName: 'toolongname' }).join(), /clusterName/);
    assert.match(problems({ clusterName: 'a-b' }).join(), /clusterName/);
    assert.match(problems({ bridge: 'eth0' }).join(), /bridge/);
    assert.match(problems({ bridge: 'sk' }).join(), /bridge/);
    assert.match(problems({ underlayCidr: '198.18.0.0/29' }).join(), /too small/);
  });

  it('tells underlay addresses and pod ranges apart', () => {
    const p = defaultPlan();
    assert.equal(isUnderlayAddress(p, '198.18.0.12'), true);
    assert.equal(isUnderlayAddress(p, '198.18.1.12'), false);
    assert.equal(isInClusterCidr(p, '198.18.130.0/24'), true);
    assert.equal(isInClusterCidr(p, '198.18.0.0/16'), false);
    assert.equal(isInClusterCidr(p, '10.0.0.0/24'), false);
  });
});

describe('ipv4', () => {
  it('parses, formats and compares ranges', () => {
    assert.equal(parseIp('198.18.0.1'), 0xc6120001);
    assert.equal(parseIp('198.18.0.256'), undefined);
    assert.equal(parseIp('01.2.3.4'), undefined);
    assert.equal(formatCidr(parseCidr('198.18.128.0/17')!), '198.18.128.0/17');
    assert.equal(containsCidr(parseCidr('198.18.0.0/15')!, parseCidr('198.19.255.0/24')!), true);
    assert.equal(containsCidr(parseCidr('198.18.0.0/15')!, parseCidr('198.20.0.0/24')!), false);
    assert.equal(overlaps(parseCidr('198.18.0.0/24')!, parseCidr('198.18.0.0/15')!), true);
    assert.equal(overlaps(parseCidr('198.18.0.0/24')!, parseCidr('198.18.1.0/24')!), false);
    assert.equal(parseCidr('0.0.0.0/0')?.base, 0);
  });
});
