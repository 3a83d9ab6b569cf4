// A rolling update behind a Service while a load generator runs through the ClusterIP: readiness probes,
// terminating endpoints, graceful shutdown and the proxy together must lose no request.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SkiffCluster } from '../support/skiff-cli.ts';
import { getOnce } from '../support/http.ts';
import { planFlags, TEST_PLANS } from '../support/test-plans.ts';
import { waitFor } from '../../src/lib/wait.ts';

const PLAN = TEST_PLANS.rolling;

const MANIFEST = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 3
  selector:
    matchLabels: {app: web}
  strategy:
    rollingUpdate: {maxSurge: 1, maxUnavailable: 0}
  template:
    metadata:
      labels: {app: web}
    spec:
      terminationGracePeriodSeconds: 30
      containers:
        - name: web
          image: registry.k8s.io/e2e-test-images/agnhost:2.53
          args: [netexec, --http-port=8080, --delay-shutdown=5]
          readinessProbe:
            httpGet: {path: /readyz, port: 8080}
            periodSeconds: 1
            failureThreshold: 1
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - port: 80
      targetPort: 8080
`;

describe('a rolling update under load through the ClusterIP', () => {
  const c = new SkiffCluster();
  before(async () => {
    const r = await c.skiff('up', '--port', '0', '--nodes', '2', '--dns-upstream', 'none', ...planFlags(PLAN));
    assert.equal(r.code, 0, r.stdout + r.stderr);
  });
  after(async () => c.destroy());

  it('loses no request while every pod is replaced', async () => {
    const file = join(c.home, 'web.yaml');
    writeFileSync(file, MANIFEST);
    await c.kubectl('apply', '-f', file);
    await c.kubectl('rollout', 'status', 'deploy/web', '--timeout=90s');
    const ip = (await c.kubectl('get', 'svc', 'web', '-o', 'jsonpath={.spec.clusterIP}')).trim();
    assert.match(execFileSync('ip', ['route', 'get', ip], { encoding: 'utf8' }), new RegExp(`dev ${PLAN.bridge}`));
    const url = `http://${ip}/hostname`;
    await waitFor('the ClusterIP to answer', () => getOnce(url), { timeoutMs: 20_000, intervalMs: 100 });

    let isRunning = true;
    const served = new Set<string>();
    const failures: string[] = [];
    let total = 0;
    const load = (async () => {
      while (isRunning) {
        total++;
        try {
          served.add(await getOnce(url));
        } catch (e) {
          failures.push((e as Error).message);
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const podNames = async () => (JSON.parse(await c.kubectl('get', 'pods', '-l', 'app=web', '-o', 'json')).items as { metadata: { name: string } }[]).map((p) => p.metadata.name);
    const before = await podNames();
    await c.kubectl('rollout', 'restart', 'deploy/web');
    await c.kubectl('rollout', 'status', 'deploy/web', '--timeout=120s');
    // keep the load on until the old pods have finished their graceful shutdown
    await waitFor('the old pods to be gone', async () => {
      const pods = JSON.parse(await c.kubectl('get', 'pods', '-l', 'app=web', '-o', 'json')).items as unknown[];
      return pods.length === 3;
    }, { timeoutMs: 60_000, intervalMs: 250 });
    isRunning = false;
    await load;
    assert.deepEqual(failures, [], `${failures.length} of ${total} requests failed`);
    assert.ok(total > 100, `only ${total} requests were made`);
    const now = await podNames();
    for (const name of now) assert.ok(served.has(name), `the new pod ${name} got traffic`);
    assert.ok(before.every((n) => !now.includes(n)), 'every pod was replaced');
  });
});
