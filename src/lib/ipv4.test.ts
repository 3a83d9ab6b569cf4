import { it } from 'node:test';
import assert from 'node:assert/strict';
import { formatIpv4, parseIpv4 } from './ipv4.ts';

it('parses dotted quads to numbers and back', () => {
  assert.equal(parseIpv4('0.0.0.0'), 0);
  assert.equal(parseIpv4('255.255.255.255'), 0xffffffff);
  assert.equal(parseIpv4('198.18.224.10'), ((198 * 256 + 18) * 256 + 224) * 256 + 10);
  assert.equal(parseIpv4('10.0.0.01'), parseIpv4('10.0.0.1'));
  for (const ip of ['198.19.208.10', '1.2.3.4', '127.0.0.1']) assert.equal(formatIpv4(parseIpv4(ip)!), ip);
});

it('refuses anything that is not four decimal parts of 0-255', () => {
  for (const bad of ['', '1.2.3', '1.2.3.4.5', '1.2.3.256', '1..3.4', '.1.2.3', '1.2.3.', '1.2.3.4/24', 'a.b.c.d', '1.2.3.1000', ' 1.2.3.4', '1.2.3.-4']) {
    assert.equal(parseIpv4(bad), undefined, bad);
  }
});
