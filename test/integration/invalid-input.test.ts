// Invalid objects get 422 Invalid naming the field at fault, over the real HTTP path, and nothing is written.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../src/api/resources.ts';
import { StatusError } from '../../src/api/status.ts';
import type { KubeObject } from '../../src/api/types.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

const R = {
  svc: findResource('', 'v1', 'services')!,
  pod: findResource('', 'v1', 'pods')!,
  ns: findResource('', 'v1', 'namespaces')!,
  cm: findResource('', 'v1', 'configmaps')!,
  secret: findResource('', 'v1', 'secrets')!,
  deploy: findResource('apps', 'v1', 'deployments')!,
  rs: findResource('apps', 'v1', 'replicasets')!,
  slice: findResource('discovery.k8s.io', 'v1', 'endpointslices')!,
  ing: findResource('networking.k8s.io', 'v1', 'ingresses')!,
  netpol: findResource('networking.k8s.io', 'v1', 'networkpolicies')!,
};

const meta = (name: string) => ({ name, namespace: 'default' });
const svc = (spec: Record<string, unknown>, name = 'bad-svc'): KubeObject => ({ metadata: meta(name), spec: { selector: { app: 'a' }, ports: [{ port: 80 }], ...spec } });
const pod = (spec: Record<string, unknown>): KubeObject => ({ metadata: meta('bad-pod'), spec: { containers: [{ name: 'c', image: 'pause' }], ...spec } });
const template = { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'pause' }] } };
const deploy = (spec: Record<string, unknown>): KubeObject => ({ metadata: meta('bad-deploy'), spec: { selector: { matchLabels: { app: 'web' } }, template, ...spec } });
const backend = { service: { name: 'api', port: { number: 80 } } };
const ing = (paths: unknown[]): KubeObject => ({ metadata: meta('bad-ing'), spec: { rules: [{ host: 'a.example.test', http: { paths } }] } });
const netpol = (spec: Record<string, unknown>): KubeObject => ({ metadata: meta('bad-np'), spec: { podSelector: {}, ...spec } });

const CASES: { what: string; r: keyof typeof R; obj: KubeObject; field: string }[] = [
  { what: 'a Service port out of range', r: 'svc', obj: svc({ ports: [{ port: 70000 }] }), field: 'spec.ports[0].port' },
  { what: 'a Service port of 0', r: 'svc', obj: svc({ ports: [{ port: 0 }] }), field: 'spec.ports[0].port' },
  { what: 'an unknown Service protocol', r: 'svc', obj: svc({ ports: [{ port: 80, protocol: 'ICMP' }] }), field: 'spec.ports[0].protocol' },
  { what: 'an unknown Service type', r: 'svc', obj: svc({ type: 'Magic' }), field: 'spec.type' },
  { what: 'a Service name that is not a DNS-1035 label', r: 'svc', obj: svc({}, '1-starts-with-digit'), field: 'metadata.name' },
  { what: 'two unnamed ports on a Service', r: 'svc', obj: svc({ ports: [{ port: 80 }, { port: 81 }] }), field: 'spec.ports[0].name' },
  { what: 'a nodePort on a ClusterIP Service', r: 'svc', obj: svc({ ports: [{ port: 80, nodePort: 30080 }] }), field: 'spec.ports[0].nodePort' },
  { what: 'an ExternalName Service without externalName', r: 'svc', obj: svc({ type: 'ExternalName', selector: undefined }), field: 'spec.externalName' },
  { what: 'a malformed clusterIP', r: 'svc', obj: svc({ clusterIP: '300.1.1.1' }), field: 'spec.clusterIPs[0]' },
  { what: 'an invalid label value', r: 'cm', obj: { metadata: { ...meta('cm1'), labels: { app: 'has spaces' } } }, field: 'metadata.labels' },
  { what: 'an upper-case ConfigMap name', r: 'cm', obj: { metadata: meta('Upper') }, field: 'metadata.name' },
  { what: 'a bad ConfigMap key', r: 'cm', obj: { metadata: meta('cm2'), data: { 'a/b': 'x' } }, field: 'data[a/b]' },
  { what: 'a Namespace name with dots', r: 'ns', obj: { metadata: { name: 'a.b' } }, field: 'metadata.name' },
  { what: 'a Pod without containers', r: 'pod', obj: pod({ containers: [] }), field: 'spec.containers' },
  { what: 'a container without an image', r: 'pod', obj: pod({ containers: [{ name: 'c' }] }), field: 'spec.containers[0].image' },
  { what: 'duplicate container names', r: 'pod', obj: pod({ containers: [{ name: 'c', image: 'a' }, { name: 'c', image: 'b' }] }), field: 'spec.containers[1].name' },
  { what: 'an unknown restartPolicy', r: 'pod', obj: pod({ restartPolicy: 'Sometimes' }), field: 'spec.restartPolicy' },
  { what: 'a containerPort out of range', r: 'pod', obj: pod({ containers: [{ name: 'c', image: 'a', ports: [{ containerPort: 99999 }] }] }), field: 'spec.containers[0].ports[0].containerPort' },
  { what: 'a Deployment selector that does not match its template', r: 'deploy', obj: deploy({ selector: { matchLabels: { app: 'other' } } }), field: 'spec.template.metadata.labels' },
  { what: 'negative Deployment replicas', r: 'deploy', obj: deploy({ replicas: -1 }), field: 'spec.replicas' },
  { what: 'a Deployment without a selector', r: 'deploy', obj: deploy({ selector: undefined }), field: 'spec.selector' },
  { what: 'a ReplicaSet template container without an image', r: 'rs', obj: { metadata: meta('bad-rs'), spec: { selector: { matchLabels: { app: 'web' } }, template: { ...template, spec: { containers: [{ name: 'c' }] } } } }, field: 'spec.template.spec.containers[0].image' },
  { what: 'an EndpointSlice with an unknown addressType', r: 'slice', obj: { metadata: meta('bad-slice'), addressType: 'IPv5', endpoints: [] }, field: 'addressType' },
  { what: 'an EndpointSlice address that is not an IP', r: 'slice', obj: { metadata: meta('bad-slice'), addressType: 'IPv4', endpoints: [{ addresses: ['not-an-ip'] }] }, field: 'endpoints[0].addresses[0]' },
  { what: 'an Ingress path without pathType', r: 'ing', obj: ing([{ path: '/', backend }]), field: 'spec.rules[0].http.paths[0].pathType' },
  { what: 'an Ingress Prefix path not starting with /', r: 'ing', obj: ing([{ path: 'api', pathType: 'Prefix', backend }]), field: 'spec.rules[0].http.paths[0].path' },
  { what: 'an Ingress backend port with both number and name', r: 'ing', obj: ing([{ path: '/', pathType: 'Prefix', backend: { service: { name: 'a', port: { number: 80, name: 'http' } } } }]), field: 'spec.rules[0].http.paths[0].backend' },
  { what: 'a NetworkPolicy peer with nothing in it', r: 'netpol', obj: netpol({ ingress: [{ from: [{}] }] }), field: 'spec.ingress[0].from[0]' },
  { what: 'a NetworkPolicy ipBlock with a bad CIDR', r: 'netpol', obj: netpol({ ingress: [{ from: [{ ipBlock: { cidr: '10.0.0.0/40' } }] }] }), field: 'spec.ingress[0].from[0].ipBlock.cidr' },
  { what: 'a NetworkPolicy with an unknown policyType', r: 'netpol', obj: netpol({ policyTypes: ['Sideways'] }), field: 'spec.policyTypes[0]' },
  { what: 'a label selector operator In without values', r: 'netpol', obj: netpol({ podSelector: { matchExpressions: [{ key: 'app', operator: 'In' }] } }), field: 'spec.podSelector.matchExpressions[0].values' },
];

describe('invalid input', () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => c.stop());

  for (const tc of CASES) {
    it(`rejects ${tc.what} with 422 naming ${tc.field}, and writes nothing`, async () => {
      const before = await c.store.currentRevision();
      const err = await c.client.create(R[tc.r], tc.obj).then(
        () => assert.fail('expected 422'),
        (e: unknown) => e as StatusError,
      );
      assert.ok(err instanceof StatusError, String(err));
      assert.equal(err.code, 422, err.message);
      assert.equal(err.reason, 'Invalid');
      const fields = (err.status.details?.causes ?? []).map((x) => x.field);
      assert.ok(fields.includes(tc.field), `causes ${JSON.stringify(err.status.details?.causes)} do not name ${tc.field}`);
      assert.equal(await c.store.currentRevision(), before);
    });
  }

  it('refuses an update that changes an immutable field, keeping the stored object', async () => {
    const created = await c.client.create(R.svc, { metadata: meta('immutable'), spec: { selector: { app: 'a' }, ports: [{ port: 80 }] } });
    const ip = (created.spec as { clusterIP: string }).clusterIP;
    const err = await c.client.update(R.svc, { ...created, spec: { ...(created.spec as object), clusterIP: '198.19.200.200', clusterIPs: ['198.19.200.200'] } }).catch((e: StatusError) => e);
    assert.ok(err instanceof StatusError);
    assert.equal(err.code, 422);
    assert.ok(err.status.details?.causes?.some((x) => x.field === 'spec.clusterIPs[0]' || x.field === 'spec.clusterIP'), JSON.stringify(err.status.details));
    const got = await c.client.get(R.svc, 'default', 'immutable');
    assert.equal((got.spec as { clusterIP: string }).clusterIP, ip);
    assert.equal(got.metadata.resourceVersion, created.metadata.resourceVersion);
  });
});
