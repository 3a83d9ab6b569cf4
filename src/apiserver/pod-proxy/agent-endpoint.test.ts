import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../api/types.ts';
import { agentEndpoint, targetContainer } from './agent-endpoint.ts';

function node(status: unknown): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, status } as KubeObject;
}

function pod(spec: unknown): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web-1', namespace: 'default' }, spec } as KubeObject;
}

describe('agent endpoint of a node', () => {
  const port = { daemonEndpoints: { kubeletEndpoint: { Port: 10250 } } };
  const cases: { name: string; status: unknown; want: { host: string; port: number } | RegExp }[] = [
    { name: 'InternalIP and the kubelet port', status: { addresses: [{ type: 'InternalIP', address: '198.18.0.11' }], ...port }, want: { host: '198.18.0.11', port: 10250 } },
    { name: 'InternalIP before Hostname and ExternalIP', status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'ExternalIP', address: '203.0.113.9' }, { type: 'InternalIP', address: '10.0.0.2' }], ...port }, want: { host: '10.0.0.2', port: 10250 } },
    { name: 'ExternalIP when there is no InternalIP', status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'ExternalIP', address: '203.0.113.9' }], ...port }, want: { host: '203.0.113.9', port: 10250 } },
    { name: 'no addresses', status: port, want: /node "n1" reports no address/ },
    { name: 'no kubelet endpoint', status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }] }, want: /node "n1" reports no agent port/ },
    { name: 'port 0', status: { addresses: [{ type: 'InternalIP', address: '10.0.0.2' }], daemonEndpoints: { kubeletEndpoint: { Port: 0 } } }, want: /no agent port/ },
  ];
  for (const c of cases) {
    it(c.want instanceof RegExp ? `fails with 503 for ${c.name}` : `uses ${c.name}`, () => {
      if (c.want instanceof RegExp) assert.throws(() => agentEndpoint(node(c.status)), (e: { code: number; message: string }) => e.code === 503 && (c.want as RegExp).test(e.message));
      else assert.deepEqual(agentEndpoint(node(c.status)), c.want);
    });
  }
});

describe('target container of a pod request', () => {
  it('defaults to the only container', () => {
    assert.equal(targetContainer(pod({ containers: [{ name: 'main' }] }), null), 'main');
  });

  it('requires a name when there are several, listing them as upstream does', () => {
    assert.throws(() => targetContainer(pod({ containers: [{ name: 'main' }, { name: 'sidecar' }] }), ''), (e: { code: number; message: string }) => e.code === 400 && e.message === 'a container name must be specified for pod web-1, choose one of: [main sidecar]');
  });

  it('accepts init and ephemeral containers and rejects unknown names with 400', () => {
    const p = pod({ containers: [{ name: 'main' }], initContainers: [{ name: 'init' }], ephemeralContainers: [{ name: 'debug' }] });
    assert.equal(targetContainer(p, 'init'), 'init');
    assert.equal(targetContainer(p, 'debug'), 'debug');
    assert.throws(() => targetContainer(p, 'nope'), (e: { code: number; message: string }) => e.code === 400 && e.message === 'container nope is not valid for pod web-1');
  });
});
