import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DnsConfigError, configFromConfigMap, parseCorefile, parseKubeDnsKeys, parseResolvConf, parseServer, serversFor } from './upstream-config.ts';

const DEFAULTS = { upstreams: [{ address: '127.0.0.9', port: 53 }], stubDomains: [] };

describe('upstream configuration', () => {
  it('reads upstream addresses with and without ports, IPv4 and IPv6', () => {
    assert.deepEqual(parseServer('198.18.0.53'), { address: '198.18.0.53', port: 53 });
    assert.deepEqual(parseServer('dns://198.18.0.53:5353'), { address: '198.18.0.53', port: 5353 });
    assert.deepEqual(parseServer('::1'), { address: '::1', port: 53 });
    assert.deepEqual(parseServer('[::1]:5353'), { address: '::1', port: 5353 });
    assert.throws(() => parseServer('dns.example.test'), DnsConfigError);
    assert.throws(() => parseServer('1.2.3.4:99999'), DnsConfigError);
  });

  it('reads the nameservers of resolv.conf, ignoring comments and options', () => {
    assert.deepEqual(parseResolvConf('# c\nnameserver 10.0.0.1\nsearch a b\nnameserver fe80::1%eth0\noptions ndots:5\nnameserver bogus\n'), [
      { address: '10.0.0.1', port: 53 },
      { address: 'fe80::1', port: 53 },
    ]);
  });

  it('reads a CoreDNS Corefile: forward in the root block, stub domains in their own blocks, log', () => {
    const corefile = `
.:53 {
    errors
    health { lameduck 5s }
    kubernetes cluster.local in-addr.arpa ip6.arpa {
       pods insecure
       fallthrough in-addr.arpa ip6.arpa
    }
    forward . 198.18.0.53 198.18.0.54:5353 {
       max_concurrent 500
    }
    cache 30
    log
}
example.test:53 {
    forward . 127.0.0.1:5354
}
dns://a.test b.test {
    forward . [::1]:53
}
`;
    assert.deepEqual(parseCorefile(corefile), {
      upstreams: [{ address: '198.18.0.53', port: 53 }, { address: '198.18.0.54', port: 5353 }],
      stubDomains: [
        { domain: 'example.test', servers: [{ address: '127.0.0.1', port: 5354 }] },
        { domain: 'a.test', servers: [{ address: '::1', port: 53 }] },
        { domain: 'b.test', servers: [{ address: '::1', port: 53 }] },
      ],
      isQueryLogEnabled: true,
      maxConcurrent: 500,
    });
  });

  it('reads `forward . /path` as that file\'s nameservers, only where files may be read', () => {
    const config = parseCorefile('. { forward . /etc/resolv.conf }', { readFile: () => 'nameserver 10.1.1.1\n' });
    assert.deepEqual(config.upstreams, [{ address: '10.1.1.1', port: 53 }]);
    assert.throws(() => parseCorefile('. { forward . /etc/resolv.conf }'), DnsConfigError);
  });

  it('rejects broken Corefiles with the line number', () => {
    assert.throws(() => parseCorefile('. {\n forward . 1.2.3.4\n'), /unclosed/);
    assert.throws(() => parseCorefile('. {\n forward .\n}'), /line 2/);
    assert.throws(() => parseCorefile('. { forward . tls://1.2.3.4 }'), /unsupported/);
    assert.throws(() => parseCorefile('forward . 1.2.3.4'), /server block/);
  });

  it('reads kube-dns stubDomains and upstreamNameservers', () => {
    assert.deepEqual(parseKubeDnsKeys({ upstreamNameservers: '["10.0.0.1", "10.0.0.2:5353"]', stubDomains: '{"Acme.Local.": ["1.2.3.4"]}' }), {
      upstreams: [{ address: '10.0.0.1', port: 53 }, { address: '10.0.0.2', port: 5353 }],
      stubDomains: [{ domain: 'acme.local', servers: [{ address: '1.2.3.4', port: 53 }] }],
    });
    assert.throws(() => parseKubeDnsKeys({ stubDomains: '["x"]' }), /JSON object/);
    assert.throws(() => parseKubeDnsKeys({ upstreamNameservers: 'nope' }), /not valid JSON/);
  });

  it('keeps the default upstreams when the ConfigMap names none, and returns to them when it is deleted', () => {
    const stubOnly = configFromConfigMap({ stubDomains: '{"x.test": ["127.0.0.2"]}' }, DEFAULTS);
    assert.deepEqual(stubOnly.upstreams, DEFAULTS.upstreams);
    assert.equal(stubOnly.stubDomains.length, 1);
    assert.equal(configFromConfigMap(undefined, DEFAULTS), DEFAULTS);
    assert.deepEqual(configFromConfigMap({ Corefile: '. { forward . 10.9.9.9 }', stubDomains: '{"ignored.test": ["1.1.1.1"]}' }, DEFAULTS).stubDomains, [], 'Corefile wins over kube-dns keys');
  });

  it('routes a name to the longest matching stub domain, else to the upstreams', () => {
    const config = parseCorefile('. { forward . 10.0.0.1 }\nexample.test { forward . 10.0.0.2 }\ndeep.example.test { forward . 10.0.0.3 }');
    assert.equal(serversFor(config, 'www.example.test').servers[0].address, '10.0.0.2');
    assert.equal(serversFor(config, 'example.test').servers[0].address, '10.0.0.2');
    assert.equal(serversFor(config, 'a.deep.example.test').servers[0].address, '10.0.0.3');
    assert.equal(serversFor(config, 'notexample.test').servers[0].address, '10.0.0.1');
  });
});
