import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import { findResource } from '../../src/api/resources.ts';
import { isStatusError } from '../../src/api/status.ts';
import type { EndpointSlice, KubeObject, Pod } from '../../src/api/types.ts';
import { createEndpointsController } from '../../src/controllers/endpoints/endpoints-controller.ts';
import { createEndpointSliceController } from '../../src/controllers/endpointslice/endpointslice-controller.ts';
import type { Endpoints } from '../../src/controllers/endpointslice/endpoints-types.ts';
import { createEndpointSliceMirroringController } from '../../src/controllers/endpointslice/mirroring-controller.ts';
import { SharedInformers } from '../../src/controllers/runtime/shared-informers.ts';
import type { Controller } from '../../src/controllers/runtime/shared-informers.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

const PODS = findResource('', 'v1', 'pods')!;
const SERVICES = findResource('', 'v1', 'services')!;
const NODES = findResource('', 'v1', 'nodes')!;
const ENDPOINTS = findResource('', 'v1', 'endpoints')!;
const SLICES = findResource('discovery.k8s.io', 'v1', 'endpointslices')!;

let c: TestCluster;
let informers: SharedInformers;
let controllers: (Controller & { idle(): Promise<void> })[];

before(async () => {
  c = await startTestCluster();
  await c.client.create(NODES, { metadata: { name: 'node-1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } });
  informers = new SharedInformers(c.client);
  controllers = [createEndpointSliceController(informers), createEndpointsController(informers), createEndpointSliceMirroringController(informers, { sliceChangeDelayMs: 50 })];
  informers.start();
  await Promise.all(controllers.map((x) => x.start()));
});

after(async () => {
  for (const x of controllers) x.stop();
  informers.stop();
  await c.stop();
});

function service(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec } };
}

async function createPod(name: string, app: string, ports = [{ name: 'web', containerPort: 8080 }]): Promise<Pod> {
  return c.client.create<Pod>(PODS, {
    metadata: { name, namespace: 'default', labels: { app } },
    spec: { nodeName: 'node-1', terminationGracePeriodSeconds: 30, containers: [{ name: 'c', image: 'agnhost', ports }] },
  });
}

async function setStatus(name: string, ip: string, isReady: boolean): Promise<void> {
  const pod = await c.client.get<Pod>(PODS, 'default', name);
  await c.client.updateStatus(PODS, { ...pod, status: { phase: 'Running', podIP: ip, conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False' }] } });
}

async function slicesOf(svc: string): Promise<EndpointSlice[]> {
  return (await c.client.list<EndpointSlice>(SLICES, 'default', { labelSelector: `kubernetes.io/service-name=${svc}` })).items;
}

async function endpointsOf(svc: string): Promise<Endpoints | undefined> {
  try {
    return await c.client.get<Endpoints>(ENDPOINTS, 'default', svc);
  } catch (e) {
    if (isStatusError(e, 'NotFound')) return undefined;
    throw e;
  }
}

/** Waits until the service's slices hold exactly these endpoint conditions (by IP) and its Endpoints these ready/not-ready IPs. */
async function expectEndpoints(svc: string, slices: Record<string, [boolean, boolean, boolean]>, ready: string[], notReady: string[]): Promise<void> {
  await waitFor(`slices of ${svc} to be ${JSON.stringify(slices)}`, async () => {
    const seen: Record<string, [boolean, boolean, boolean]> = {};
    for (const s of await slicesOf(svc)) for (const e of s.endpoints ?? []) seen[e.addresses[0]] = [e.conditions!.ready!, e.conditions!.serving!, e.conditions!.terminating!];
    return isDeepStrictEqual(seen, slices);
  });
  await waitFor(`Endpoints of ${svc} to be ready ${ready} / not ready ${notReady}`, async () => {
    const ep = await endpointsOf(svc);
    const ips = (k: 'addresses' | 'notReadyAddresses') => (ep?.subsets ?? []).flatMap((s) => (s[k] ?? []).map((a) => a.ip)).sort();
    return ep !== undefined && JSON.stringify([ips('addresses'), ips('notReadyAddresses')]) === JSON.stringify([ready, notReady]);
  });
}

describe('endpoint controllers against the API server', () => {
  it('follow a pod becoming ready, not ready, terminating and deleted', async () => {
    await c.client.create(SERVICES, service('life'));
    await createPod('life-1', 'life');
    await waitFor('a placeholder slice', async () => (await slicesOf('life')).length === 1);
    const [placeholder] = await slicesOf('life');
    assert.deepEqual(placeholder.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
    assert.equal(placeholder.metadata.ownerReferences![0].name, 'life');

    await setStatus('life-1', '198.18.128.5', true);
    await expectEndpoints('life', { '198.18.128.5': [true, true, false] }, ['198.18.128.5'], []);
    const [slice] = await slicesOf('life');
    assert.equal(slice.metadata.name, placeholder.metadata.name, 'the placeholder is reused');
    assert.deepEqual(slice.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
    assert.deepEqual([slice.endpoints![0].nodeName, slice.endpoints![0].zone, slice.endpoints![0].targetRef?.name], ['node-1', 'zone-a', 'life-1']);
    const ep = (await endpointsOf('life'))!;
    assert.equal(ep.metadata.labels!['endpoints.kubernetes.io/managed-by'], 'endpoint-controller');
    assert.ok(ep.metadata.annotations!['endpoints.kubernetes.io/last-change-trigger-time']);

    await setStatus('life-1', '198.18.128.5', false);
    await expectEndpoints('life', { '198.18.128.5': [false, false, false] }, [], ['198.18.128.5']);

    await setStatus('life-1', '198.18.128.5', true);
    await expectEndpoints('life', { '198.18.128.5': [true, true, false] }, ['198.18.128.5'], []);
    await c.client.delete(PODS, 'default', 'life-1', { gracePeriodSeconds: 30 });
    await expectEndpoints('life', { '198.18.128.5': [false, true, true] }, [], []);

    await c.client.delete(PODS, 'default', 'life-1', { gracePeriodSeconds: 0 });
    await expectEndpoints('life', {}, [], []);
    assert.equal((await slicesOf('life')).length, 1, 'one placeholder remains');
  });

  it('move a relabelled pod from one service to another', async () => {
    await c.client.create(SERVICES, service('blue'));
    await c.client.create(SERVICES, service('green'));
    await createPod('swap-1', 'blue');
    await setStatus('swap-1', '198.18.128.6', true);
    await expectEndpoints('blue', { '198.18.128.6': [true, true, false] }, ['198.18.128.6'], []);
    await c.client.patch(PODS, 'default', 'swap-1', { metadata: { labels: { app: 'green' } } });
    await expectEndpoints('green', { '198.18.128.6': [true, true, false] }, ['198.18.128.6'], []);
    await expectEndpoints('blue', {}, [], []);
  });

  it('resolve a named target port per pod into one slice per port', async () => {
    await c.client.create(SERVICES, service('named', { ports: [{ name: 'http', port: 80, targetPort: 'web' }] }));
    await createPod('named-1', 'named', [{ name: 'web', containerPort: 8080 }]);
    await createPod('named-2', 'named', [{ name: 'web', containerPort: 9090 }]);
    await setStatus('named-1', '198.18.128.7', true);
    await setStatus('named-2', '198.18.128.8', true);
    await expectEndpoints('named', { '198.18.128.7': [true, true, false], '198.18.128.8': [true, true, false] }, ['198.18.128.7', '198.18.128.8'], []);
    const ports = (await slicesOf('named')).map((s) => [s.ports![0].port, s.endpoints![0].addresses[0]]).sort();
    assert.deepEqual(ports, [[8080, '198.18.128.7'], [9090, '198.18.128.8']]);
    const subsets = (await endpointsOf('named'))!.subsets!.map((s) => [s.ports![0].port, s.addresses![0].ip]).sort();
    assert.deepEqual(subsets, [[8080, '198.18.128.7'], [9090, '198.18.128.8']]);
  });

  it('spread 250 pods over 3 slices', { timeout: 120_000 }, async () => {
    await c.client.create(SERVICES, service('many'));
    const names = Array.from({ length: 250 }, (_, i) => `many-${i}`);
    for (let i = 0; i < names.length; i += 25) {
      await Promise.all(names.slice(i, i + 25).map(async (n, j) => {
        await createPod(n, 'many');
        await setStatus(n, `198.18.${129 + Math.floor((i + j) / 200)}.${((i + j) % 200) + 1}`, true);
      }));
    }
    await waitFor('3 slices of 100, 100 and 50', async () => {
      const sizes = (await slicesOf('many')).map((s) => s.endpoints?.length ?? 0).sort((a, b) => a - b);
      return JSON.stringify(sizes) === '[50,100,100]';
    }, { timeoutMs: 60_000 });
    await waitFor('Endpoints with 250 ready addresses', async () => (await endpointsOf('many'))?.subsets?.[0]?.addresses?.length === 250, { timeoutMs: 60_000 });
  });

  it('publish a pod on a Node not yet known in the slices once the Node appears', async () => {
    await c.client.create(SERVICES, service('late'));
    await c.client.create<Pod>(PODS, { metadata: { name: 'late-1', namespace: 'default', labels: { app: 'late' } }, spec: { nodeName: 'node-2', containers: [{ name: 'c', image: 'agnhost' }] } });
    await setStatus('late-1', '198.18.128.9', true);
    await waitFor('Endpoints with the pod', async () => (await endpointsOf('late'))?.subsets?.[0]?.addresses?.[0]?.ip === '198.18.128.9');
    assert.deepEqual((await slicesOf('late')).flatMap((s) => s.endpoints ?? []), [], 'upstream leaves pods on unknown nodes out of slices');
    await c.client.create(NODES, { metadata: { name: 'node-2' } });
    await expectEndpoints('late', { '198.18.128.9': [true, true, false] }, ['198.18.128.9'], []);
  });

  it('write nothing when restarted over state that is already right', async () => {
    const rvs = async () => {
      const slices = (await c.client.list<EndpointSlice>(SLICES, 'default')).items.map((s) => `${s.metadata.name}@${s.metadata.resourceVersion}`);
      const eps = (await c.client.list<Endpoints>(ENDPOINTS, 'default')).items.map((e) => `${e.metadata.name}@${e.metadata.resourceVersion}`);
      return [...slices, ...eps].sort();
    };
    const before = await rvs();
    const fresh = new SharedInformers(c.client);
    const restarted = [createEndpointSliceController(fresh), createEndpointsController(fresh), createEndpointSliceMirroringController(fresh)];
    fresh.start();
    await Promise.all(restarted.map((x) => x.start()));
    await Promise.all(restarted.map((x) => x.idle()));
    for (const x of restarted) x.stop();
    fresh.stop();
    assert.deepEqual(await rvs(), before);
  });

  it('delete slices and Endpoints with the service, and leave slices managed by others alone', async () => {
    await c.client.create(SERVICES, service('gone'));
    await c.client.create(SLICES, { metadata: { name: 'gone-foreign', namespace: 'default', labels: { 'kubernetes.io/service-name': 'gone', 'endpointslice.kubernetes.io/managed-by': 'someone-else' } }, addressType: 'IPv4', endpoints: [], ports: [] });
    await waitFor('our slice and the Endpoints', async () => (await slicesOf('gone')).length === 2 && (await endpointsOf('gone')) !== undefined);
    await c.client.delete(SERVICES, 'default', 'gone');
    await waitFor('only the foreign slice left, and no Endpoints', async () => {
      const names = (await slicesOf('gone')).map((s) => s.metadata.name);
      return JSON.stringify(names) === '["gone-foreign"]' && (await endpointsOf('gone')) === undefined;
    });
  });

  it('mirror user-managed Endpoints once a service loses its selector', async () => {
    await c.client.create(SERVICES, service('manual'));
    await waitFor('controller-managed slice', async () => (await slicesOf('manual')).length === 1 && (await endpointsOf('manual')) !== undefined);
    const svc = await c.client.get(SERVICES, 'default', 'manual');
    await c.client.update(SERVICES, { ...svc, spec: { ...(svc.spec as object), selector: undefined } });
    await waitFor('our slice and Endpoints gone', async () => (await slicesOf('manual')).length === 0 && (await endpointsOf('manual')) === undefined);
    await c.client.create(ENDPOINTS, { metadata: { name: 'manual', namespace: 'default' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }] });
    const [mirrored] = await waitFor('a mirrored slice', async () => {
      const s = await slicesOf('manual');
      return s.length === 1 && s[0].endpoints?.length === 1 ? s : undefined;
    });
    assert.equal(mirrored.metadata.labels!['endpointslice.kubernetes.io/managed-by'], 'endpointslicemirroring-controller.k8s.io');
    assert.deepEqual(mirrored.endpoints![0].addresses, ['192.0.2.10']);
    assert.equal(mirrored.metadata.ownerReferences![0].kind, 'Endpoints');
    await c.client.delete(ENDPOINTS, 'default', 'manual');
    await waitFor('mirrored slice removed', async () => (await slicesOf('manual')).length === 0);
  });
});
