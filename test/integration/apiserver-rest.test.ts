import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { findResource } from '../../src/api/resources.ts';
import { StatusError } from '../../src/api/status.ts';
import type { KubeObject, Service } from '../../src/api/types.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

const services = findResource('', 'v1', 'services')!;
const namespaces = findResource('', 'v1', 'namespaces')!;
const deployments = findResource('apps', 'v1', 'deployments')!;
const configmaps = findResource('', 'v1', 'configmaps')!;
const pods = findResource('', 'v1', 'pods')!;

function svc(name: string, extra: Partial<Service['spec']> = {}, labels: Record<string, string> = {}): KubeObject {
  return { metadata: { name, namespace: 'default', labels }, spec: { selector: { app: name }, ports: [{ port: 80, targetPort: 3000 }], ...extra } };
}

async function rejects(p: Promise<unknown>, code: number, reason?: string): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected a StatusError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (reason) assert.equal(e.reason, reason);
    return e;
  }
  assert.fail(`expected HTTP ${code}`);
}

function rawRequest(c: TestCluster, method: string, path: string, headers: Record<string, string>, body?: string | Buffer, auth = true): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  const u = new URL(c.url);
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: u.hostname, port: u.port, path, method, headers, ca: c.credentials.caPem, cert: auth ? c.credentials.certPem : undefined, key: auth ? c.credentials.keyPem : undefined },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => (text += d));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('the API server REST surface', () => {
  let c: TestCluster;
  before(async () => {
    c = await startTestCluster();
  });
  after(async () => c.stop());

  it('refuses anonymous requests with 401 but serves /version and /healthz', async () => {
    const anon = await rawRequest(c, 'GET', '/api/v1/namespaces', {}, undefined, false);
    assert.equal(anon.status, 401);
    assert.equal(JSON.parse(anon.body).reason, 'Unauthorized');
    const version = await rawRequest(c, 'GET', '/version', {}, undefined, false);
    assert.equal(JSON.parse(version.body).minor, '32');
    const wrongToken = await rawRequest(c, 'GET', '/api/v1/namespaces', { Authorization: 'Bearer nope' }, undefined, false);
    assert.equal(wrongToken.status, 401);
  });

  it('has the four system namespaces, each labelled with its name', async () => {
    const list = await c.client.list(namespaces);
    const names = list.items.map((n) => n.metadata.name).sort();
    assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    for (const n of list.items) assert.equal(n.metadata.labels?.['kubernetes.io/metadata.name'], n.metadata.name);
  });

  it('creates, reads and lists with defaults filled in and a resourceVersion on the list', async () => {
    const created = await c.client.create<Service>(services, svc('my-app'));
    assert.equal(created.spec.type, 'ClusterIP');
    assert.equal(created.spec.ports![0].protocol, 'TCP');
    assert.ok(created.metadata.uid);
    assert.ok(created.metadata.creationTimestamp);
    const got = await c.client.get<Service>(services, 'default', 'my-app');
    assert.equal(got.metadata.resourceVersion, created.metadata.resourceVersion);
    const list = await c.client.list(services, 'default');
    assert.ok(Number(list.metadata.resourceVersion) >= Number(created.metadata.resourceVersion));
    assert.equal(list.kind, 'ServiceList');
  });

  it('answers 409 AlreadyExists, and 409 Conflict on a stale resourceVersion', async () => {
    await c.client.create(services, svc('dup'));
    await rejects(c.client.create(services, svc('dup')), 409, 'AlreadyExists');
    const cur = await c.client.get(services, 'default', 'dup');
    await c.client.update(services, { ...cur, metadata: { ...cur.metadata, labels: { a: '1' } } });
    const err = await rejects(c.client.update(services, { ...cur, metadata: { ...cur.metadata, labels: { a: '2' } } }), 409, 'Conflict');
    assert.match(err.message, /the object has been modified/);
  });

  it('fills generateName with a random suffix', async () => {
    const a = await c.client.create(configmaps, { metadata: { generateName: 'cfg-', namespace: 'default' }, data: { k: 'v' } });
    assert.match(a.metadata.name!, /^cfg-[a-z0-9]{5}$/);
  });

  it('does not persist dryRun=All creates', async () => {
    const dry = await c.client.create(configmaps, { metadata: { name: 'dry', namespace: 'default' } }, { isDryRun: true });
    assert.equal(dry.metadata.name, 'dry');
    await rejects(c.client.get(configmaps, 'default', 'dry'), 404, 'NotFound');
  });

  it('applies merge, JSON and strategic merge patches', async () => {
    await c.client.create(services, svc('patchme'));
    const merged = await c.client.patch<Service>(services, 'default', 'patchme', { metadata: { labels: { tier: 'web' } } }, { type: 'merge' });
    assert.equal(merged.metadata.labels?.tier, 'web');
    const json = await c.client.patch<Service>(services, 'default', 'patchme', [{ op: 'replace', path: '/spec/ports/0/targetPort', value: 8080 }], { type: 'json' });
    assert.equal(json.spec.ports![0].targetPort, 8080);
    const smp = await c.client.patch<Service>(
      services,
      'default',
      'patchme',
      { spec: { '$setElementOrder/ports': [{ port: 80 }, { port: 9100 }], ports: [{ port: 80, name: 'http' }, { name: 'metrics', port: 9100 }] } },
      { type: 'strategic' },
    );
    assert.deepEqual(smp.spec.ports!.map((p) => [p.port, p.targetPort, p.name]), [[80, 8080, 'http'], [9100, 9100, 'metrics']]);
  });

  it('rejects invalid objects with 422 naming the field, and leaves the store unchanged', async () => {
    const before = await c.client.list(services, 'default');
    const err = await rejects(c.client.create(services, svc('bad-port', { ports: [{ port: 0 }] })), 422, 'Invalid');
    const causes = (err as StatusError).status.details?.causes ?? [];
    assert.ok(causes.some((x) => x.field === 'spec.ports[0].port'), JSON.stringify(causes));
    const after = await c.client.list(services, 'default');
    assert.deepEqual(after.items.map((s) => s.metadata.name), before.items.map((s) => s.metadata.name));
    assert.equal(after.metadata.resourceVersion, before.metadata.resourceVersion);
  });

  it('answers 400 for malformed JSON and YAML, and 415 for unknown media types', async () => {
    const headers = { 'Content-Type': 'application/json' };
    const bad = await rawRequest(c, 'POST', '/api/v1/namespaces/default/configmaps', headers, '{"metadata": ');
    assert.equal(bad.status, 400);
    assert.equal(JSON.parse(bad.body).reason, 'BadRequest');
    const badYaml = await rawRequest(c, 'POST', '/api/v1/namespaces/default/configmaps', { 'Content-Type': 'application/yaml' }, 'metadata: [unclosed');
    assert.equal(badYaml.status, 400);
    const unknown = await rawRequest(c, 'POST', '/api/v1/namespaces/default/configmaps', { 'Content-Type': 'text/csv' }, 'a,b');
    assert.equal(unknown.status, 415);
    const yaml = await rawRequest(c, 'POST', '/api/v1/namespaces/default/configmaps', { 'Content-Type': 'application/yaml' }, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  a: b\n');
    assert.equal(yaml.status, 201);
  });

  it('filters lists by label and field selectors', async () => {
    await c.client.create(services, svc('sel-a', {}, { tier: 'front', env: 'prod' }));
    await c.client.create(services, svc('sel-b', {}, { tier: 'back', env: 'prod' }));
    const names = async (o: { labelSelector?: string; fieldSelector?: string }) => (await c.client.list(services, 'default', o)).items.map((s) => s.metadata.name).sort();
    assert.deepEqual(await names({ labelSelector: 'tier=front' }), ['sel-a']);
    assert.deepEqual(await names({ labelSelector: 'env=prod,tier!=front' }), ['sel-b']);
    assert.deepEqual(await names({ labelSelector: 'tier in (front,back)' }), ['sel-a', 'sel-b']);
    assert.deepEqual(await names({ labelSelector: 'tier notin (front),env' }), ['sel-b']);
    assert.deepEqual(await names({ fieldSelector: 'metadata.name=sel-b' }), ['sel-b']);
    await rejects(c.client.list(services, 'default', { fieldSelector: 'spec.bogus=1' }), 400, 'BadRequest');
  });

  it('pages lists with limit and continue', async () => {
    for (let i = 0; i < 5; i++) await c.client.create(configmaps, { metadata: { name: `page-${i}`, namespace: 'default', labels: { page: 'yes' } } });
    const first = await c.client.list(configmaps, 'default', { labelSelector: 'page=yes', limit: 2 });
    assert.equal(first.items.length, 2);
    assert.ok(first.metadata.continue);
    const rest = await c.client.list(configmaps, 'default', { labelSelector: 'page=yes', limit: 10, continue: first.metadata.continue });
    assert.equal(rest.items.length, 3);
    assert.equal(rest.metadata.continue, undefined);
  });

  it('streams watch events in order and resumes from a resourceVersion without losing any', async () => {
    const start = (await c.client.list(configmaps, 'default')).metadata.resourceVersion!;
    await c.client.create(configmaps, { metadata: { name: 'w1', namespace: 'default' } });
    await c.client.patch(configmaps, 'default', 'w1', { data: { x: '1' } });
    await c.client.delete(configmaps, 'default', 'w1');
    const stream = await c.client.watch(configmaps, 'default', { resourceVersion: start });
    const seen: string[] = [];
    for await (const ev of stream) {
      seen.push(`${ev.type} ${ev.object.metadata.name}`);
      if (seen.length === 3) break;
    }
    stream.stop();
    assert.deepEqual(seen, ['ADDED w1', 'MODIFIED w1', 'DELETED w1']);
  });

  it('sends synthetic ADDED events for a watch from resourceVersion 0', async () => {
    await c.client.create(configmaps, { metadata: { name: 'rv0', namespace: 'default', labels: { rv0: 'y' } } });
    const stream = await c.client.watch(configmaps, 'default', { resourceVersion: '0', labelSelector: 'rv0=y' });
    for await (const ev of stream) {
      assert.equal(ev.type, 'ADDED');
      assert.equal(ev.object.metadata.name, 'rv0');
      break;
    }
    stream.stop();
  });

  it('serves Tables for kubectl get with server-computed cells', async () => {
    const res = await rawRequest(c, 'GET', '/api/v1/namespaces/default/services', { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
    const table = JSON.parse(res.body);
    assert.equal(table.kind, 'Table');
    assert.deepEqual(table.columnDefinitions.filter((d: { priority?: number }) => !d.priority).map((d: { name: string }) => d.name), ['Name', 'Type', 'Cluster-IP', 'External-IP', 'Port(s)', 'Age']);
    const row = table.rows.find((r: { cells: unknown[] }) => r.cells[0] === 'my-app');
    assert.equal(row.cells[1], 'ClusterIP');
    assert.equal(row.object.kind, 'PartialObjectMetadata');
  });

  it('serves aggregated discovery with the exact media type', async () => {
    const res = await rawRequest(c, 'GET', '/apis', { Accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
    assert.equal(res.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const groups = JSON.parse(res.body).items.map((g: { metadata: { name: string } }) => g.metadata.name);
    assert.deepEqual(groups, ['apps', 'discovery.k8s.io', 'networking.k8s.io', 'coordination.k8s.io']);
  });

  it('scales a Deployment through the scale subresource', async () => {
    await c.client.create(deployments, {
      metadata: { name: 'web', namespace: 'default' },
      spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'agnhost' }] } } },
    });
    const scale = await c.client.patch(deployments, 'default', 'web', { spec: { replicas: 5 } }, { subresource: 'scale' });
    assert.equal((scale.spec as { replicas: number }).replicas, 5);
    assert.equal(scale.kind, 'Scale');
    const d = await c.client.get(deployments, 'default', 'web');
    assert.equal((d.spec as { replicas: number }).replicas, 5);
    assert.equal(d.metadata.generation, 2);
  });

  it('keeps status out of main-resource updates and spec out of status updates', async () => {
    const p = await c.client.create(pods, { metadata: { name: 'p1', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'pause' }] } });
    assert.equal((p.status as { phase: string }).phase, 'Pending');
    const s = await c.client.updateStatus(pods, { ...p, status: { phase: 'Running', podIP: '198.18.128.5' }, spec: { ...(p.spec as object), nodeName: 'sneaky' } });
    assert.equal((s.status as { phase: string }).phase, 'Running');
    assert.equal((s.spec as { nodeName?: string }).nodeName, undefined);
    const u = await c.client.update(pods, { ...s, status: { phase: 'Failed' } });
    assert.equal((u.status as { phase: string }).phase, 'Running');
  });

  it('refuses to create in a missing namespace with 404', async () => {
    const err = await rejects(c.client.create(configmaps, { metadata: { name: 'x', namespace: 'nowhere' } }), 404, 'NotFound');
    assert.match(err.message, /namespaces "nowhere" not found/);
  });

  it('deletes with Foreground propagation by marking the object and its finalizer', async () => {
    await c.client.create(configmaps, { metadata: { name: 'fg', namespace: 'default' } });
    const res = await c.client.delete(configmaps, 'default', 'fg', { propagationPolicy: 'Foreground' });
    assert.ok(res.metadata.deletionTimestamp);
    assert.deepEqual(res.metadata.finalizers, ['foregroundDeletion']);
    await c.client.patch(configmaps, 'default', 'fg', { metadata: { finalizers: null } });
    await rejects(c.client.get(configmaps, 'default', 'fg'), 404);
  });

  it('answers pod log with a clear Status while no node agent serves the pod', async () => {
    await c.client.create(pods, { metadata: { name: 'nolog', namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'pause' }] } });
    const res = await rawRequest(c, 'GET', '/api/v1/namespaces/default/pods/nolog/log', {});
    assert.equal(res.status, 503);
    assert.match(JSON.parse(res.body).message, /not scheduled/);
  });
});
