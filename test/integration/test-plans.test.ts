// The e2e address plans never overlap one another, so test files can build their sandboxes in parallel.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { TEST_PLANS } from '../support/test-plans.ts';
import { validatePlan } from '../../src/sandbox/network-plan.ts';

function range(cidr: string): [number, number] {
  const [ip, bits] = cidr.split('/');
  const base = ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
  return [base, base + 2 ** (32 - Number(bits)) - 1];
}

it('gives every e2e plan valid ranges that overlap no other plan, and unique names', () => {
  const plans = Object.values(TEST_PLANS);
  for (const p of plans) validatePlan(p);
  assert.equal(new Set(plans.map((p) => p.clusterName)).size, plans.length);
  assert.equal(new Set(plans.map((p) => p.bridge)).size, plans.length);
  const all = plans.flatMap((p) => [p.underlayCidr, p.lbPool, p.clusterCidr, p.serviceCidr].map((c) => ({ owner: p.clusterName, c, r: range(c) })));
  for (const a of all) for (const b of all) {
    if (a === b) continue;
    assert.ok(a.r[1] < b.r[0] || b.r[1] < a.r[0], `${a.owner} ${a.c} overlaps ${b.owner} ${b.c}`);
  }
});
