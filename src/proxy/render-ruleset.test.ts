// Golden tests of the whole rendered table. Regenerate with SKIFF_UPDATE_GOLDEN=1 and read the diff.
// As root with nft installed, each golden file is also checked by the kernel (`nft -c`: nothing changes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { renderRulesetText } from '../netfilter/render.ts';
import { fullSyncScript } from '../netfilter/transaction.ts';
import { buildState, renderRuleset } from './render-ruleset.ts';
import type { RenderOptions } from './render-base.ts';
import { OPTIONS, representativeCluster, slice, svc } from './test-fixtures.ts';
import type { EndpointSlice, Service } from '../api/types.ts';

const isUpdating = process.env.SKIFF_UPDATE_GOLDEN === '1';
const canCheck = process.getuid?.() === 0 && hasNft();

function hasNft(): boolean {
  try {
    execFileSync('nft', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function nftCheck(text: string): void {
  execFileSync('nft', ['-c', '-f', '-'], { input: text, stdio: ['pipe', 'ignore', 'pipe'] });
}

const cases: { file: string; what: string; services: Service[]; slices: EndpointSlice[]; options?: Partial<RenderOptions> }[] = [
  { file: 'empty.nft', what: 'the skeleton alone: no Services yet', services: [], slices: [] },
  { file: 'representative-node-1.nft', what: 'every feature, seen from node-1', ...representativeCluster() },
  { file: 'representative-node-2.nft', what: 'the same cluster from node-2 (other local endpoints)', ...representativeCluster(), options: { nodeName: 'node-2', nodeIPs: ['198.18.60.12'] } },
  {
    file: 'no-node-ips.nft',
    what: 'a NodePort when the node addresses are unknown: any local address but localhost',
    services: [svc('default', 'np', { type: 'NodePort', clusterIP: '198.19.208.13', ports: [{ name: 'http', port: 80, nodePort: 30080 }] })],
    slices: [slice('default', 'np', [{ name: 'http', port: 9376 }], [{ ip: '198.18.224.30' }])],
    options: { nodeIPs: [] },
  },
];

describe('the rendered proxy table', () => {
  for (const c of cases) {
    it(`matches testdata/${c.file}: ${c.what}`, () => {
      const path = fileURLToPath(new URL(`./testdata/${c.file}`, import.meta.url));
      const ruleset = renderRuleset(buildState(c.services, c.slices), { ...OPTIONS, ...c.options });
      const text = renderRulesetText(ruleset);
      if (isUpdating || !existsSync(path)) writeFileSync(path, text);
      assert.equal(text, readFileSync(path, 'utf8'));
    });

    it(`${c.file} is accepted by the kernel, nested and as a transaction`, { skip: canCheck ? false : 'needs root and nft' }, () => {
      const ruleset = renderRuleset(buildState(c.services, c.slices), { ...OPTIONS, ...c.options });
      nftCheck(renderRulesetText(ruleset));
      nftCheck(fullSyncScript(ruleset).script);
      nftCheck(fullSyncScript(ruleset, { isRecreate: true }).script);
    });
  }

  it('renders the same text whatever order the objects arrive in', () => {
    const c = representativeCluster();
    const a = renderRulesetText(renderRuleset(buildState(c.services, c.slices), OPTIONS));
    const b = renderRulesetText(renderRuleset(buildState([...c.services].reverse(), [...c.slices].reverse()), OPTIONS));
    assert.equal(a, b);
  });

  it('gives a shared externalIP:port to the first Service by name and leaves the other out', () => {
    const services = [svc('b', 'two', { clusterIP: '198.19.208.21', externalIPs: ['198.18.62.9'] }), svc('a', 'one', { clusterIP: '198.19.208.20', externalIPs: ['198.18.62.9'] })];
    const slices = [slice('a', 'one', [{ name: 'http', port: 80 }], [{ ip: '198.18.224.5' }]), slice('b', 'two', [{ name: 'http', port: 80 }], [{ ip: '198.18.224.6' }])];
    const ruleset = renderRuleset(buildState(services, slices), OPTIONS);
    const claims = ruleset.elements.get('service-ips')!.filter((e) => Array.isArray(e.key) && e.key[0] === '198.18.62.9');
    assert.deepEqual(claims.map((e) => e.comment), ['a/one:http']);
  });
});
