// The LoadBalancer IP controller against the in-process API server: addresses from the pool, an exhausted
// pool leaves a service pending with an event, release on type change and delete, no reuse after restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../src/api/resources.ts';
import type { KubeObject, Service } from '../../src/api/types.ts';
import { createLoadBalancerController } from '../../src/controllers/loadbalancer/loadbalancer-controller.ts';
import { SharedInformers } from '../../src/controllers/runtime/shared-informers.ts';
import type { Controller } from '../../src/controllers/runtime/shared-informers.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

const SERVICES = findResource('', 'v1', 'services')!;
const EVENTS = findResource('', 'v1', 'events')!;
// A /30 holds two usable addresses: .1 and .2.
const POOL = '198.18.1.0/30';

describe('loadbalancer controller', () => {
  let c: TestCluster;
  let informers: SharedInformers;
  let controller: Controller;

  const start = async () => {
    informers = new SharedInformers(c.client);
    controller = createLoadBalancerController(informers, { pool: POOL });
    informers.start();
    await controller.start();
  };
  const stop = () => {
    controller.stop();
    informers.stop();
  };
  before(async () => {
    c = await startTestCluster();
    await start();
  });
  after(async () => {
    stop();
    await c.stop();
  });

  const lb = (name: string, spec: Record<string, unknown> = {}) =>
    c.client.create(SERVICES, { metadata: { name, namespace: 'default' }, spec: { type: 'LoadBalancer', selector: { app: name }, ports: [{ port: 80 }], ...spec } });
  const ingressOf = async (name: string) => (await c.client.get<Service>(SERVICES, 'default', name)).status?.loadBalancer?.ingress;
  const ipOf = async (name: string) => (await ingressOf(name))?.[0]?.ip;
  const events = async (name: string, reason: string) =>
    (await c.client.list(EVENTS, 'default')).items.filter((e: KubeObject) => (e.involvedObject as { name: string }).name === name && e.reason === reason);

  it('gives LoadBalancer services addresses from the pool, with ipMode VIP and an IPAllocated event', async () => {
    await lb('first');
    await lb('second');
    const a = await waitFor('first gets an IP', () => ipOf('first'));
    const b = await waitFor('second gets an IP', () => ipOf('second'));
    assert.deepEqual([a, b].sort(), ['198.18.1.1', '198.18.1.2']);
    assert.deepEqual(await ingressOf('first'), [{ ip: a, ipMode: 'VIP' }]);
    const [ev] = await waitFor('IPAllocated', async () => ((await events('first', 'IPAllocated')).length ? events('first', 'IPAllocated') : undefined));
    assert.equal(ev.message, `Assigned IP ["${a}"]`);
  });

  it('leaves a service pending with an AllocationFailed event when the pool is exhausted', async () => {
    await lb('third');
    const [ev] = await waitFor('AllocationFailed', async () => ((await events('third', 'AllocationFailed')).length ? events('third', 'AllocationFailed') : undefined));
    assert.equal(ev.message, 'Failed to allocate IP for "default/third": no available IPs');
    assert.equal(ev.type, 'Warning');
    assert.equal(await ipOf('third'), undefined);
  });

  it('releases an address when the type changes, and a waiting service gets it', async () => {
    const freed = await ipOf('first');
    await c.client.patch(SERVICES, 'default', 'first', { spec: { type: 'ClusterIP' } });
    await waitFor('first status cleared', async () => ((await ingressOf('first')) ?? []).length === 0);
    assert.equal(await waitFor('third gets the freed IP', () => ipOf('third')), freed);
  });

  it('does not hand out an address twice after a restart', async () => {
    stop();
    await lb('fourth');
    await c.client.delete(SERVICES, 'default', 'second');
    const held = await ipOf('third');
    await start();
    const got = await waitFor('fourth gets the IP second released', () => ipOf('fourth'));
    assert.notEqual(got, held);
    assert.equal(await ipOf('third'), held);
  });

  it('refuses a requested address outside the pool and ignores other classes', async () => {
    await lb('wants-outside', { loadBalancerIP: '198.18.9.9' });
    await lb('not-ours', { loadBalancerClass: 'example.com/other' });
    const [ev] = await waitFor('AllocationFailed', async () => ((await events('wants-outside', 'AllocationFailed')).length ? events('wants-outside', 'AllocationFailed') : undefined));
    assert.equal(ev.message, 'Failed to allocate IP for "default/wants-outside": "198.18.9.9" is not allowed in config');
    assert.equal(await ipOf('wants-outside'), undefined);
    assert.equal(await ipOf('not-ours'), undefined);
    assert.equal((await events('not-ours', 'AllocationFailed')).length, 0);
  });
});
