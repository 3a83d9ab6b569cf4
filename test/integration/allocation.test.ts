// ClusterIP and NodePort allocation at admission: exhaustion gives a clear 422, concurrent creates never share
// an address or a port, and a restarted server rebuilds every allocation from storage.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findResource } from '../../src/api/resources.ts';
import { StatusError } from '../../src/api/status.ts';
import type { Service } from '../../src/api/types.ts';
import { startTestCluster } from '../support/in-process.ts';
import type { TestCluster } from '../support/in-process.ts';

const services = findResource('', 'v1', 'services')!;
const svc = (name: string, spec: Partial<Service['spec']> = {}) => ({ metadata: { name, namespace: 'default' }, spec: { selector: { app: name }, ports: [{ port: 80 }], ...spec } });

describe('allocation in a tiny service CIDR and node-port range', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-alloc-'));
  let c: TestCluster;
  // a /27 holds 32 addresses: network, broadcast and the first 10 are never handed out dynamically
  const options = { dir, allocator: { serviceCidr: '198.19.7.0/27', nodePortRange: { min: 30000, max: 30014 } } };
  before(async () => {
    c = await startTestCluster(options);
  });
  after(async () => {
    await c.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives concurrent creates distinct ClusterIPs and NodePorts, then answers 422 when the range is full', async () => {
    const results = await Promise.allSettled(Array.from({ length: 24 }, (_, i) => c.client.create<Service>(services, svc(`s${i}`, { type: 'NodePort' }))));
    const created = results.filter((r) => r.status === 'fulfilled').map((r) => (r as PromiseFulfilledResult<Service>).value);
    const failed = results.filter((r) => r.status === 'rejected').map((r) => (r as PromiseRejectedResult).reason as StatusError);
    // 15 node ports and 20 dynamic addresses (.11–.30): the node ports run out first
    assert.equal(created.length, 15);
    assert.equal(failed.length, 9);
    const ips = created.map((s) => s.spec.clusterIP);
    const ports = created.map((s) => s.spec.ports![0].nodePort);
    assert.equal(new Set(ips).size, ips.length);
    assert.equal(new Set(ports).size, ports.length);
    for (const e of failed) {
      assert.equal(e.code, 422, e.message);
      assert.match(e.message, /failed to allocate a nodePort: range is full/);
    }
    // no port or address was leaked by the refused creates: the 5 addresses left are still there
    for (let i = 0; i < 5; i++) await c.client.create(services, svc(`ip${i}`));
    const full = await c.client.create(services, svc('one-more')).catch((e: StatusError) => e);
    assert.ok(full instanceof StatusError);
    assert.equal(full.code, 422);
    assert.match(full.message, /failed to allocate a serviceIP: range is full/);
    assert.equal(full.status.details?.causes?.[0].field, 'spec.clusterIPs');
  });

  it('refuses a requested IP outside the range or already taken, naming the field', async () => {
    const outside = await c.client.create(services, svc('outside', { clusterIP: '198.19.9.9' })).catch((e: StatusError) => e);
    assert.ok(outside instanceof StatusError);
    assert.match(outside.message, /not in the valid range/);
    const taken = await c.client.create(services, svc('taken', { clusterIP: '198.19.7.1' })).catch((e: StatusError) => e);
    assert.ok(taken instanceof StatusError);
    assert.match(taken.message, /provided IP is already allocated/);
  });

  it('keeps every allocation across a restart and frees them on delete', async () => {
    const held = new Map((await c.client.list<Service>(services, 'default')).items.map((s) => [s.metadata.name, s.spec.clusterIP]));
    await c.stop();
    c = await startTestCluster(options);
    const again = await c.client.create(services, svc('after-restart')).catch((e: StatusError) => e);
    assert.ok(again instanceof StatusError, 'the rebuilt allocator must still see the range as full');
    await c.client.delete(services, 'default', 's0');
    const reused = await c.client.create<Service>(services, svc('reuses', { type: 'NodePort' }));
    assert.equal(reused.spec.clusterIP, held.get('s0'), 'the only free address is the one s0 released');
    const after = (await c.client.list<Service>(services, 'default')).items;
    for (const s of after) if (s.metadata.name !== 'reuses') assert.equal(s.spec.clusterIP, held.get(s.metadata.name), `${s.metadata.name} kept its address`);
  });
});
