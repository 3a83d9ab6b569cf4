import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../api/nodes.ts';
import { FakeCommandRunner } from '../platform/linux/command-fake.ts';
import { Ip } from '../platform/linux/ip.ts';
import { desiredHostGwRoutes, diffHostGwRoutes, syncHostGwRoutes } from './host-gw.ts';

function node(name: string, ip: string | undefined, podCIDR?: string): Node {
  return { metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {}, status: { addresses: ip ? [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] : [] } };
}

const nodes = [node('node-1', '198.18.0.11', '198.18.128.0/24'), node('node-2', '198.18.0.12', '198.18.129.0/24'), node('node-3', '198.18.0.13'), node('node-4', undefined, '198.18.131.0/24')];

describe('host-gw routes', () => {
  it('routes every other node pod CIDR via its InternalIP, skipping nodes without one or without a CIDR', () => {
    assert.deepEqual(desiredHostGwRoutes(nodes, 'node-1'), [{ dst: '198.18.129.0/24', via: '198.18.0.12', protocol: '77' }]);
  });

  it('replaces missing or changed routes and removes only its own stale ones', () => {
    const desired = desiredHostGwRoutes(nodes, 'node-3');
    const current = [
      { dst: '198.18.128.0/24', gateway: '198.18.0.99', type: 'unicast', protocol: '77' },
      { dst: '198.18.129.0/24', gateway: '198.18.0.12', type: 'unicast', protocol: '77' },
      { dst: '198.18.140.0/24', gateway: '198.18.0.20', type: 'unicast', protocol: '77' },
      { dst: '198.18.0.0/24', type: 'unicast', protocol: 'kernel', dev: 'eth0' },
    ];
    assert.deepEqual(diffHostGwRoutes(desired, current), {
      replace: [{ dst: '198.18.128.0/24', via: '198.18.0.11', protocol: '77' }],
      remove: [{ dst: '198.18.140.0/24', protocol: '77' }],
    });
  });

  it('applies the difference with ip route in the agent netns', async () => {
    const runner = new FakeCommandRunner();
    runner.on('ip -j route show', { stdout: JSON.stringify([{ dst: '198.18.140.0/24', gateway: '198.18.0.20', protocol: '77' }]) });
    assert.deepEqual(await syncHostGwRoutes(new Ip(runner), desiredHostGwRoutes(nodes, 'node-1')), { replaced: 1, removed: 1 });
    assert.deepEqual(runner.lines().slice(1), ['ip route replace 198.18.129.0/24 via 198.18.0.12 proto 77', 'ip route delete 198.18.140.0/24 proto 77']);
  });
});
