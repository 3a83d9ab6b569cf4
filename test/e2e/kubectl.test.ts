// The real kubectl against `skiff up` in a temporary data dir, used the way a person would use it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, SkiffCluster } from '../support/skiff-cli.ts';

const SEEDS = join(REPO, 'test/fixtures/seeds.yaml');
const SEEDS_CHANGED = join(REPO, 'test/fixtures/seeds-changed.yaml');

describe('kubectl against skiff up', () => {
  const c = new SkiffCluster();
  before(async () => {
    const r = await c.skiff('up', '--port', '0', '--nodes', '0');
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /API server ready/);
  });
  after(async () => c.destroy());

  it('reports version 1.32 so the dispatcher picks the matching client', async () => {
    const out = await c.kubectl('version', '-o', 'json');
    const v = JSON.parse(out);
    assert.equal(v.serverVersion.minor, '32');
    assert.match(v.clientVersion.gitVersion, /^v1\.32\./);
  });

  it('lists the system namespaces in a table like a real cluster', async () => {
    const out = await c.kubectl('get', 'namespaces');
    assert.match(out, /^NAME\s+STATUS\s+AGE\n/);
    for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.match(out, new RegExp(`^${ns}\\s+Active\\s+\\d+s`, 'm'));
  });

  it('applies the seed manifests, then re-applies a changed version', async () => {
    const created = await c.kubectl('apply', '-f', SEEDS);
    assert.match(created, /service\/my-app created/);
    assert.match(created, /ingress\.networking\.k8s\.io\/my-app created/);
    assert.match(created, /networkpolicy\.networking\.k8s\.io\/api-allow-frontend created/);
    const again = await c.kubectl('apply', '-f', SEEDS);
    assert.match(again, /service\/my-app unchanged/);
    const changed = await c.kubectl('apply', '-f', SEEDS_CHANGED);
    assert.match(changed, /service\/my-app configured/);
    const svc = JSON.parse(await c.kubectl('get', 'svc', 'my-app', '-o', 'json'));
    assert.deepEqual(svc.spec.ports.map((p: { name: string; port: number; targetPort: number }) => [p.name, p.port, p.targetPort]), [['http', 80, 3000], ['metrics', 9100, 9100]]);
    assert.equal(svc.metadata.labels.tier, 'web');
    assert.match(svc.spec.clusterIP, /^198\.19\.\d+\.\d+$/);
  });

  it('gets with -o wide, -o yaml, -A, -l and --show-labels', async () => {
    const wide = await c.kubectl('get', 'svc', '-o', 'wide');
    assert.match(wide, /^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\s+SELECTOR\n/);
    assert.match(wide, /^my-app\s+ClusterIP\s+198\.19\.\d+\.\d+\s+<none>\s+80\/TCP,9100\/TCP\s+\S+\s+app=my-app$/m);
    assert.match(wide, /^kubernetes\s+ClusterIP\s+198\.19\.0\.1\s+<none>\s+443\/TCP/m);
    const yaml = await c.kubectl('get', 'svc', 'my-app', '-o', 'yaml');
    assert.match(yaml, /^kind: Service$/m);
    assert.match(yaml, /targetPort: 3000/);
    const all = await c.kubectl('get', 'svc', '-A');
    assert.match(all, /^NAMESPACE\s+NAME\s+TYPE/);
    assert.match(all, /^default\s+my-app\s+ClusterIP/m);
    const labelled = await c.kubectl('get', 'svc', '-l', 'tier=web', '--show-labels');
    assert.match(labelled, /my-app.*app=my-app,tier=web/);
    assert.doesNotMatch(labelled, /kubernetes/);
    const ing = await c.kubectl('get', 'ingress');
    assert.match(ing, /^NAME\s+CLASS\s+HOSTS\s+ADDRESS\s+PORTS\s+AGE\n/);
    assert.match(ing, /^my-app\s+<none>\s+my-app\.example\.test\s+80, 443\s+/m);
    const np = await c.kubectl('get', 'netpol');
    assert.match(np, /^api-allow-frontend\s+app=api\s+/m);
  });

  it('describes a Service and a NetworkPolicy', async () => {
    const svc = await c.kubectl('describe', 'svc', 'my-app');
    assert.match(svc, /^Name:\s+my-app$/m);
    assert.match(svc, /^Selector:\s+app=my-app$/m);
    assert.match(svc, /^TargetPort:\s+3000\/TCP$/m);
    const np = await c.kubectl('describe', 'netpol', 'api-allow-frontend');
    assert.match(np, /PodSelector:\s+app=api/);
    assert.match(np, /From:\s*\n\s+PodSelector: app=frontend/);
  });

  it('watches with get -w and prints a row when a Service changes', async () => {
    const w = c.watch('get', 'svc', 'my-app', '-w', '--output-watch-events');
    try {
      await w.waitFor(/my-app/);
      await c.kubectl('label', 'svc', 'my-app', 'watched=yes');
      await w.waitFor(/^MODIFIED\s+my-app/);
    } finally {
      w.stop();
    }
  });

  it('labels and annotates', async () => {
    await c.kubectl('label', 'svc', 'my-app', 'owner=team-a', '--overwrite');
    await c.kubectl('annotate', 'svc', 'my-app', 'note=hello');
    const svc = JSON.parse(await c.kubectl('get', 'svc', 'my-app', '-o', 'json'));
    assert.equal(svc.metadata.labels.owner, 'team-a');
    assert.equal(svc.metadata.annotations.note, 'hello');
    await c.kubectl('label', 'svc', 'my-app', 'owner-');
    const after = JSON.parse(await c.kubectl('get', 'svc', 'my-app', '-o', 'json'));
    assert.equal(after.metadata.labels.owner, undefined);
  });

  it('patches with strategic merge, JSON merge and JSON patch', async () => {
    await c.kubectl('patch', 'svc', 'my-app', '-p', '{"spec":{"ports":[{"port":80,"targetPort":8080}]}}');
    let svc = JSON.parse(await c.kubectl('get', 'svc', 'my-app', '-o', 'json'));
    assert.deepEqual(svc.spec.ports.map((p: { port: number; targetPort: number }) => [p.port, p.targetPort]), [[80, 8080], [9100, 9100]]);
    await c.kubectl('patch', 'svc', 'my-app', '--type=merge', '-p', '{"spec":{"sessionAffinity":"ClientIP"}}');
    await c.kubectl('patch', 'svc', 'my-app', '--type=json', '-p', '[{"op":"remove","path":"/spec/ports/1"}]');
    svc = JSON.parse(await c.kubectl('get', 'svc', 'my-app', '-o', 'json'));
    assert.equal(svc.spec.sessionAffinity, 'ClientIP');
    assert.equal(svc.spec.ports.length, 1);
  });

  it('edits through a scripted KUBE_EDITOR', async () => {
    const editor = join(c.home, 'editor.sh');
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/targetPort: 8080/targetPort: 8081/" "$1"\n');
    chmodSync(editor, 0o755);
    const r = await c.kubectlResult(['edit', 'svc', 'my-app'], undefined, { KUBE_EDITOR: editor });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /service\/my-app edited/);
    const svc = JSON.parse(await c.kubectl('get', 'svc', 'my-app', '-o', 'json'));
    assert.equal(svc.spec.ports[0].targetPort, 8081);
  });

  it('creates from generators that send protobuf bodies', async () => {
    await c.kubectl('create', 'namespace', 'team-a');
    await c.kubectl('create', 'configmap', 'cfg', '-n', 'team-a', '--from-literal=a=b');
    const cm = JSON.parse(await c.kubectl('get', 'cm', 'cfg', '-n', 'team-a', '-o', 'json'));
    assert.deepEqual(cm.data, { a: 'b' });
    const ns = JSON.parse(await c.kubectl('get', 'ns', 'team-a', '-o', 'json'));
    assert.equal(ns.metadata.labels['kubernetes.io/metadata.name'], 'team-a');
  });

  it('answers a bad manifest with the field at fault and keeps the store unchanged', async () => {
    const bad = join(c.home, 'bad.yaml');
    writeFileSync(bad, 'apiVersion: v1\nkind: Service\nmetadata:\n  name: bad\nspec:\n  ports:\n  - port: 70000\n');
    const r = await c.kubectlResult(['apply', '-f', bad]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /The Service "bad" is invalid:/);
    assert.match(r.stderr, /spec\.ports\[0\]\.port: Invalid value: 70000: must be between 1 and 65535, inclusive/);
    const get = await c.kubectlResult(['get', 'svc', 'bad']);
    assert.match(get.stderr, /NotFound/);
  });

  it('explains fields and lists api-resources', async () => {
    const explain = await c.kubectl('explain', 'service.spec.ports');
    assert.match(explain, /KIND:\s+Service/);
    assert.match(explain, /targetPort/);
    const res = await c.kubectl('api-resources');
    for (const line of [/^services\s+svc\s+v1\s+true\s+Service$/m, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m, /^endpointslices\s+discovery\.k8s\.io\/v1\s+true\s+EndpointSlice$/m, /^ingresses\s+ing\s+networking\.k8s\.io\/v1\s+true\s+Ingress$/m]) {
      assert.match(res, line);
    }
  });

  it('gets all', async () => {
    const out = await c.kubectl('get', 'all');
    assert.match(out, /^service\/my-app\s+ClusterIP/m);
    assert.match(out, /^service\/kubernetes\s+ClusterIP/m);
  });

  it('deletes by name, by file and by label', async () => {
    await c.kubectl('create', 'configmap', 'del-a', '--from-literal=x=1');
    await c.kubectl('label', 'cm', 'del-a', 'group=gone');
    await c.kubectl('create', 'configmap', 'del-b', '--from-literal=x=1');
    await c.kubectl('label', 'cm', 'del-b', 'group=gone');
    assert.match(await c.kubectl('delete', 'cm', '-l', 'group=gone'), /configmap "del-a" deleted\nconfigmap "del-b" deleted/);
    assert.match(await c.kubectl('delete', 'netpol', 'api-allow-frontend'), /networkpolicy\.networking\.k8s\.io "api-allow-frontend" deleted/);
    const byFile = await c.kubectlResult(['delete', '-f', SEEDS, '--ignore-not-found']);
    assert.equal(byFile.code, 0, byFile.stderr);
    assert.match(byFile.stdout, /service "my-app" deleted/);
    const left = await c.kubectl('get', 'svc,ing,cm', '-o', 'name');
    assert.doesNotMatch(left, /my-app|del-a|del-b/);
  });
});
