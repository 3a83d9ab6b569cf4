// The scheduler against the in-process API server: binding, Unschedulable reporting, retry when a node appears.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../src/api/resources.ts';
import type { KubeObject, Pod } from '../../src/api/types.ts';
import { SharedInformers } from '../../src/controllers/runtime/shared-informers.ts';
import type { Controller } from '../../src/controllers/runtime/shared-informers.ts';
import { createSchedulerController } from '../../src/controllers/scheduler/scheduler-controller.ts';
import { waitFor } from '../../src/lib/wait.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

const PODS = findResource('', 'v1', 'pods')!;
const NODES = findResource('', 'v1', 'nodes')!;
const EVENTS = findResource('', 'v1', 'events')!;

function node(name: string, extra: { labels?: Record<string, string>; unschedulable?: boolean; ready?: string } = {}): KubeObject {
  return {
    metadata: { name, labels: extra.labels },
    spec: { unschedulable: extra.unschedulable },
    status: { conditions: [{ type: 'Ready', status: extra.ready ?? 'True', reason: 'KubeletReady', message: 'ready' }] },
  };
}

function pod(name: string, spec: Record<string, unknown> = {}): KubeObject {
  return { metadata: { name, namespace: 'default' }, spec: { containers: [{ name: 'c', image: 'pause' }], ...spec } };
}

describe('scheduler controller', () => {
  let c: TestCluster;
  let informers: SharedInformers;
  let controller: Controller;
  before(async () => {
    c = await startTestCluster();
    informers = new SharedInformers(c.client);
    controller = createSchedulerController(informers);
    informers.start();
    await controller.start();
  });
  after(async () => {
    controller.stop();
    informers.stop();
    await c.stop();
  });

  const getPod = (name: string) => c.client.get<Pod>(PODS, 'default', name);
  const eventsFor = async (name: string, reason: string) =>
    (await c.client.list(EVENTS, 'default')).items.filter((e) => (e.involvedObject as { name: string }).name === name && e.reason === reason);

  it('leaves a pod Pending with the Unschedulable condition and a FailedScheduling event when no node fits', async () => {
    await c.client.create(NODES, node('cordoned', { unschedulable: true, labels: { disk: 'ssd' } }));
    await c.client.create(NODES, node('plain'));
    await c.client.create(PODS, pod('picky', { nodeSelector: { disk: 'ssd' } }));
    const expected = "0/2 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) were unschedulable.";
    const cond = await waitFor('PodScheduled=False', async () => (await getPod('picky')).status?.conditions?.find((x) => x.type === 'PodScheduled' && x.status === 'False'));
    assert.equal(cond.reason, 'Unschedulable');
    assert.equal(cond.message, expected);
    const [ev] = await waitFor('FailedScheduling event', async () => {
      const evs = await eventsFor('picky', 'FailedScheduling');
      return evs.length ? evs : undefined;
    });
    assert.equal(ev.message, expected);
    assert.equal(ev.type, 'Warning');
    assert.equal((await getPod('picky')).spec.nodeName, undefined);
  });

  it('schedules the waiting pod once a node that fits appears', async () => {
    await c.client.create(NODES, node('fast', { labels: { disk: 'ssd' } }));
    const bound = await waitFor('pod bound', async () => (await getPod('picky')).spec.nodeName);
    assert.equal(bound, 'fast');
    const p = await getPod('picky');
    assert.equal(p.status?.conditions?.find((x) => x.type === 'PodScheduled')?.status, 'True');
    const [ev] = await waitFor('Scheduled event', async () => {
      const evs = await eventsFor('picky', 'Scheduled');
      return evs.length ? evs : undefined;
    });
    assert.equal(ev.message, 'Successfully assigned default/picky to fast');
  });

  it('binds only to Ready nodes and spreads pods across them', async () => {
    await c.client.create(NODES, node('sick', { ready: 'False' }));
    for (const name of ['s1', 's2', 's3', 's4']) await c.client.create(PODS, pod(name));
    const placed = await waitFor('all bound', async () => {
      const nodes = await Promise.all(['s1', 's2', 's3', 's4'].map(async (n) => (await getPod(n)).spec.nodeName));
      return nodes.every(Boolean) ? nodes : undefined;
    });
    assert.ok(!placed.includes('sick') && !placed.includes('cordoned'), `placed on ${placed.join(',')}`);
    // fast already runs picky: the four new pods even it out at 3 (fast) and 2 (plain).
    const counts = { fast: 1, plain: 0 } as Record<string, number>;
    for (const n of placed) counts[n!]++;
    assert.deepEqual(counts, { fast: 3, plain: 2 });
  });

  it('leaves pods of another scheduler alone', async () => {
    await c.client.create(PODS, pod('foreign', { schedulerName: 'someone-else' }));
    await c.client.create(PODS, pod('canary'));
    await waitFor('canary bound', async () => (await getPod('canary')).spec.nodeName);
    const foreign = await getPod('foreign');
    assert.equal(foreign.spec.nodeName, undefined);
    assert.equal(foreign.status?.conditions?.find((x) => x.type === 'PodScheduled'), undefined);
  });
});
