import { it } from 'node:test';
import assert from 'node:assert/strict';
import { renderRulesetText } from '../netfilter/render.ts';
import { describeRules, serviceOfComment } from './describe-rules.ts';
import { buildState, renderRuleset } from './render-ruleset.ts';
import { OPTIONS, representativeCluster } from './test-fixtures.ts';

const c = representativeCluster();
const ruleset = renderRuleset(buildState(c.services, c.slices), OPTIONS);

it('groups each Service\'s map entries, chains and affinity sets under the Service', () => {
  const text = describeRules(ruleset);
  const web = text.slice(text.indexOf('# Service default/web\n'));
  assert.match(web, /^ {2}service-ips +198\.19\.208\.10 \. tcp \. 80 : goto service-\S+default\/web\/tcp\/http$/m);
  assert.match(web, /^ {2}chain service-\S+-default\/web\/tcp\/http$/m);
  assert.match(web, /^ {6}meta l4proto tcp dnat ip to numgen inc mod 3 offset \d+ map @endpoints-0$/m);
  assert.deepEqual(web.match(/^ {2}endpoints-0 +\d+ : \S+ \. 9376$/gm)?.map((l) => l.split(' : ')[1]), ['198.18.224.10 . 9376', '198.18.224.11 . 9376', '198.18.225.10 . 9376']);
  assert.equal((web.match(/^ {2}chain endpoint-/gm) ?? []).length, 0);
  const sticky = text.slice(text.indexOf('# Service default/sticky'), text.indexOf('# Service default/web'));
  assert.equal((sticky.match(/^ {2}set affinity-/gm) ?? []).length, 2);
});

it('lists the shared skeleton first and says where map elements went', () => {
  const text = describeRules(ruleset);
  assert.ok(text.indexOf('# shared chains, sets and maps') < text.indexOf('# Service '));
  assert.match(text, /^ {2}map service-ips  # ClusterIP, ExternalIP and LoadBalancer IP traffic  \(12 elements, listed under their Services\)$/m);
  assert.match(text, /^ {2}chain cluster-ips-check$/m);
  assert.doesNotMatch(text, /Service default\/(outside|headless)/);
});

it('reads nft list output the same way as the model', () => {
  assert.equal(describeRules(renderRulesetText(ruleset)), describeRules(ruleset));
  assert.equal(serviceOfComment('default/web:http session affinity'), 'default/web');
  assert.equal(serviceOfComment('active ClusterIPs'), undefined);
});
