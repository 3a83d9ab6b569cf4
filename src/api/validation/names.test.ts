import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  isConfigMapKey, isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isDomainPrefixedPath, isEnvVarName, isQualifiedName,
  isValidLabelValue, isValidPortName, isValidPortNum, isWildcardDNS1123Subdomain, nameIsDNSSubdomain,
} from './names.ts';
import { cidrContains, parseCIDR, parseIP, validateNonSpecialIP } from './ip.ts';
import { parseQuantity } from './quantity.ts';

describe('string formats carry upstream messages word for word', () => {
  it('a DNS-1123 label, with the double space before "or"', () => {
    assert.deepEqual(isDNS1123Label('my-name'), []);
    assert.deepEqual(isDNS1123Label('My_Name'), [
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
    assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']);
    assert.deepEqual(isDNS1123Label('a'.repeat(64)), ['must be no more than 63 characters']);
  });

  it('a DNS-1123 subdomain and a DNS-1035 label', () => {
    assert.deepEqual(isDNS1123Subdomain('a.example.com'), []);
    assert.match(isDNS1123Subdomain('-x')[0], /^a lowercase RFC 1123 subdomain must consist of .* \(e\.g\. 'example\.com', regex used for validation is/);
    assert.deepEqual(isDNS1035Label('web'), []);
    assert.deepEqual(isDNS1035Label('1web'), [
      "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });

  it('qualified names with and without a prefix', () => {
    assert.deepEqual(isQualifiedName('app.kubernetes.io/name'), []);
    assert.deepEqual(isQualifiedName('/name'), ['prefix part must be non-empty']);
    assert.match(isQualifiedName('Example.com/x')[0], /^prefix part a lowercase RFC 1123 subdomain/);
    assert.match(isQualifiedName('a/b/c')[0], /^a valid label key must consist of .* with an optional DNS subdomain prefix and '\/' \(e\.g\. 'example\.com\/MyName'\)$/);
    assert.match(isQualifiedName('-x')[0], /^name part must consist of alphanumeric characters/);
  });

  it('label values, port numbers, port names, config keys, env names', () => {
    assert.deepEqual(isValidLabelValue(''), []);
    assert.equal(isValidLabelValue('x'.repeat(64))[0], 'must be no more than 63 characters');
    assert.deepEqual(isValidPortNum(65536), ['must be between 1 and 65535, inclusive']);
    assert.deepEqual(isValidPortName('http'), []);
    assert.deepEqual(isValidPortName('8080'), ['must contain at least one letter (a-z)']);
    assert.deepEqual(isValidPortName('-web--x-'), ['must not contain consecutive hyphens', 'must not begin or end with a hyphen']);
    assert.match(isConfigMapKey('a b')[0], /^a valid config key must consist of alphanumeric characters, '-', '_' or '\.'/);
    assert.deepEqual(isConfigMapKey('..x'), ["must not start with '..'"]);
    assert.match(isEnvVarName('1ABC')[0], /^a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '\.', and must not start with a digit/);
  });

  it('wildcard hosts and domain-prefixed paths', () => {
    assert.deepEqual(isWildcardDNS1123Subdomain('*.example.com'), []);
    assert.equal(isWildcardDNS1123Subdomain('*.*.example.com').length, 1);
    assert.deepEqual(isDomainPrefixedPath('example.com/ingress-controller'), []);
    assert.deepEqual(isDomainPrefixedPath('nginx'), [{ value: 'nginx', message: 'must be a domain-prefixed path (such as "acme.io/foo")' }]);
  });

  it('generateName prefixes may end with a dash', () => {
    assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
    assert.equal(nameIsDNSSubdomain('web-', false).length, 1);
  });
});

describe('IP, CIDR and quantity parsing follow Go', () => {
  it('parses IPv4 (leading zeros tolerated), IPv6 and embedded IPv4, and rejects the rest', () => {
    for (const ok of ['10.0.0.1', '010.0.0.1', '::', '::1', 'fe80::1', '2001:db8::ffff', '::ffff:1.2.3.4']) assert.ok(parseIP(ok), ok);
    for (const bad of ['', '10.0.0', '256.0.0.1', '1::2::3', '1.2.3.4::', 'fe80::1%eth0', 'abc', '1:2:3:4:5:6:7:8:9']) assert.equal(parseIP(bad), undefined, bad);
  });

  it('parses CIDRs and tests containment', () => {
    const net = parseCIDR('10.0.0.0/16')!;
    assert.ok(cidrContains(net, parseIP('10.0.200.1')!));
    assert.ok(!cidrContains(net, parseIP('10.1.0.1')!));
    assert.equal(parseCIDR('10.0.0.0/33'), undefined);
    assert.ok(parseCIDR('2001:db8::/64'));
  });

  it('names special addresses the way upstream does', () => {
    assert.deepEqual(validateNonSpecialIP('x', '10.1.2.3'), []);
    assert.equal(validateNonSpecialIP('x', '127.0.0.1')[0].message, 'Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)');
    assert.equal(validateNonSpecialIP('x', '0.0.0.0')[0].message, 'Invalid value: "0.0.0.0": may not be unspecified (0.0.0.0)');
    assert.equal(validateNonSpecialIP('x', '169.254.1.1').length, 1);
  });

  it('reads quantities with binary, decimal and exponent suffixes', () => {
    assert.equal(parseQuantity('500m'), 0.5);
    assert.equal(parseQuantity('1Gi'), 2 ** 30);
    assert.equal(parseQuantity('2e3'), 2000);
    assert.equal(parseQuantity(3), 3);
    assert.equal(parseQuantity('1.5.2'), undefined);
    assert.equal(parseQuantity('10 GB'), undefined);
  });
});
