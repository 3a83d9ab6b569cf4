import { it } from 'node:test';
import assert from 'node:assert/strict';
import { listedNames, parseTableText } from './listing.ts';

// As `nft list table` prints it (nft 1.0.6), including an element comment with a comma in it.
const LISTING = `table ip skiff-a-proxy {
	comment "skiff service proxy of node node-1: written only by it"
	set affinity-X-ns/a/tcp/http__10.0.0.1/80 {
		type ipv4_addr
		size 65535
		flags dynamic,timeout
		comment "ns/a:http session affinity"
		elements = { 198.18.224.9 timeout 1m expires 54s }
	}

	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		comment "ClusterIP, ExternalIP and LoadBalancer IP traffic"
		elements = { 198.19.0.10 . tcp . 80 comment "ns/a:http" : goto service-X-ns/a/tcp/http,
			     198.19.0.11 . udp . 53 comment "odd, but legal" : goto service-Y-ns/b/udp/dns }
	}

	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}

	chain service-X-ns/a/tcp/http {
		comment "ns/a:http"
		numgen inc mod 1 vmap { 0 : goto endpoint-Z-ns/a/tcp/http__10.0.0.1/80 }
	}
}
`;

it('reads tables, blocks, comments, rules and elements back from nft list output', () => {
  const [t] = parseTableText(LISTING);
  assert.equal(t.name, 'skiff-a-proxy');
  assert.equal(t.comment, 'skiff service proxy of node node-1: written only by it');
  assert.deepEqual(t.blocks.map((b) => `${b.kind} ${b.name}`), ['set affinity-X-ns/a/tcp/http__10.0.0.1/80', 'map service-ips', 'chain nat-prerouting', 'chain service-X-ns/a/tcp/http']);
  assert.deepEqual(t.blocks[1].elements, ['198.19.0.10 . tcp . 80 comment "ns/a:http" : goto service-X-ns/a/tcp/http', '198.19.0.11 . udp . 53 comment "odd, but legal" : goto service-Y-ns/b/udp/dns']);
  assert.deepEqual(t.blocks[0].elements, ['198.18.224.9 timeout 1m expires 54s']);
  assert.equal(t.blocks[3].comment, 'ns/a:http');
  assert.deepEqual(t.blocks[3].lines, ['numgen inc mod 1 vmap { 0 : goto endpoint-Z-ns/a/tcp/http__10.0.0.1/80 }']);
});

it('lists the chain and set names of a table', () => {
  assert.deepEqual(listedNames(LISTING), { chains: ['nat-prerouting', 'service-X-ns/a/tcp/http'], sets: [{ name: 'affinity-X-ns/a/tcp/http__10.0.0.1/80', kind: 'set' }, { name: 'service-ips', kind: 'map' }] });
  assert.deepEqual(listedNames(''), { chains: [], sets: [] });
});
