import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Node } from '../api/nodes.ts';
import { FakeCommandRunner } from '../platform/linux/command-fake.ts';
import { LbAnnouncer, announcedBy, electHolder, lbHolders } from './lb-announcer.ts';
import { buildState } from './render-ruleset.ts';
import { slice, svc } from './test-fixtures.ts';

const node = (name: string, isReady = true, labels: Record<string, string> = {}): Node => ({
  metadata: { name, labels },
  status: { conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False' }] },
});

const lb = (name: string, ip: string, policy: 'Cluster' | 'Local' = 'Cluster') =>
  svc('default', name, { type: 'LoadBalancer', clusterIP: '198.19.208.50', externalTrafficPolicy: policy, ports: [{ name: 'http', port: 80, nodePort: 30080 }] }, [ip]);

describe('LoadBalancer IP holder election', () => {
  it('is deterministic, independent of the order nodes are listed in, and spreads addresses over nodes', () => {
    const names = ['node-1', 'node-2', 'node-3'];
    const holders = Array.from({ length: 30 }, (_, i) => electHolder(`198.18.61.${i + 1}`, names));
    assert.deepEqual(holders, Array.from({ length: 30 }, (_, i) => electHolder(`198.18.61.${i + 1}`, [...names].reverse())));
    assert.equal(new Set(holders).size, 3);
  });

  it('only considers Ready nodes without the exclude-from-external-load-balancers label', () => {
    const state = buildState([lb('a', '198.18.61.1')], []);
    const nodes = [node('node-1', false), node('node-2', true, { 'node.kubernetes.io/exclude-from-external-load-balancers': '' }), node('node-3')];
    assert.deepEqual([...lbHolders(state, nodes)], [['198.18.61.1', 'node-3']]);
    assert.deepEqual(announcedBy(state, nodes, 'node-3'), ['198.18.61.1']);
    assert.deepEqual(announcedBy(state, nodes, 'node-1'), []);
  });

  it('with externalTrafficPolicy Local, only a node with a ready endpoint may hold it; none, nobody', () => {
    const svcs = [lb('a', '198.18.61.1', 'Local')];
    const nodes = [node('node-1'), node('node-2'), node('node-3')];
    const withEp = buildState(svcs, [slice('default', 'a', [{ name: 'http', port: 80 }], [{ ip: '198.18.225.1', node: 'node-2' }])]);
    assert.equal(lbHolders(withEp, nodes).get('198.18.61.1'), 'node-2');
    assert.equal(lbHolders(buildState(svcs, []), nodes).size, 0);
  });
});

describe('LbAnnouncer', () => {
  it('adds and removes only its own labelled /32 addresses on the underlay interface, in the netns', async () => {
    const runner = new FakeCommandRunner().on('[netns n1] ip -j -4 addr show dev eth0', {
      stdout: JSON.stringify([{ addr_info: [
        { family: 'inet', local: '198.18.60.11', prefixlen: 24, label: 'eth0' },
        { family: 'inet', local: '198.18.61.9', prefixlen: 32, label: 'eth0:lb' },
        { family: 'inet', local: '198.18.61.7', prefixlen: 32, label: 'eth0' },
      ] }]),
    });
    const a = new LbAnnouncer({ runner, device: 'eth0', netns: 'n1' });
    assert.deepEqual(await a.reconcile(['198.18.61.1']), { added: ['198.18.61.1'], removed: ['198.18.61.9'] });
    assert.deepEqual(runner.lines().slice(1), ['[netns n1] ip addr replace 198.18.61.1/32 dev eth0 label eth0:lb', '[netns n1] ip addr del 198.18.61.9/32 dev eth0']);
  });
});
