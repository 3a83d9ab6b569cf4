import { it } from 'node:test';
import assert from 'node:assert/strict';
import { emptyRuleset, goto } from '../netfilter/model.ts';
import type { Element } from '../netfilter/model.ts';
import { SETS } from './render-base.ts';
import { ServiceClaims } from './service-claims.ts';

const part = (elements: Record<string, Element[]>) => {
  const r = emptyRuleset('ip', 't');
  for (const [set, els] of Object.entries(elements)) r.elements.set(set, els);
  return r;
};
const vip = (ip: string): Element => ({ key: [ip, 'tcp', 80], value: goto('c') });
const pair = (ip: string): Element => ({ key: [ip, ip] });

it('gives a contested exclusive key to its first holder, and to the loser once it is released', () => {
  const claims = new ServiceClaims();
  const logged: string[] = [];
  claims.claim('a/one', part({ [SETS.serviceIps]: [vip('198.19.0.1')] }));
  const lost = claims.claim('a/two', part({ [SETS.serviceIps]: [vip('198.19.0.1'), vip('198.19.0.2')] }), (m) => logged.push(m));
  assert.deepEqual(lost.elements.get(SETS.serviceIps)!.map((e) => e.key), [['198.19.0.2', 'tcp', 80]]);
  assert.deepEqual([...claims.losers], ['a/two']);
  assert.equal(logged.length, 1);
  claims.release('a/one', undefined);
  const won = claims.claim('a/two', part({ [SETS.serviceIps]: [vip('198.19.0.1'), vip('198.19.0.2')] }));
  assert.equal(won.elements.get(SETS.serviceIps)!.length, 2);
  assert.deepEqual([...claims.losers], []);
});

it('keeps a shared key while any part holds it, and reports when it appears and goes', () => {
  const claims = new ServiceClaims();
  const one = claims.claim('a/one', part({ [SETS.hairpin]: [pair('198.18.0.5'), pair('198.18.0.6')] }));
  const two = claims.claim('a/two', part({ [SETS.hairpin]: [pair('198.18.0.5')] }));
  assert.deepEqual(claims.shared().get(SETS.hairpin)!.map((e) => e.key), [['198.18.0.5', '198.18.0.5'], ['198.18.0.6', '198.18.0.6']]);
  claims.release('a/one', one);
  const change = claims.takeSharedChanges();
  assert.deepEqual(change.prev.get(SETS.hairpin)!.map((e) => e.key), [['198.18.0.5', '198.18.0.5'], ['198.18.0.6', '198.18.0.6']]);
  assert.deepEqual(change.next.get(SETS.hairpin)!.map((e) => e.key), [['198.18.0.5', '198.18.0.5']], '.5 stays: a/two holds it');
  claims.release('a/two', two);
  assert.deepEqual(claims.takeSharedChanges().next.get(SETS.hairpin), undefined);
});
