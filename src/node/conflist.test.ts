import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { conflistSubnet, ensureConflist, renderConflist } from './conflist.ts';

const options = { podCidr: '198.18.130.0/24', routes: ['198.18.0.0/15'], ipamDataDir: '/var/lib/skiff/node-1/cni/ipam' };

describe('renderConflist', () => {
  it('renders bridge + host-local without NAT or default route, then portmap', () => {
    assert.deepEqual(renderConflist(options), {
      cniVersion: '1.0.0',
      name: 'skiff',
      plugins: [
        {
          type: 'bridge', bridge: 'cni0', isGateway: true, ipMasq: false, hairpinMode: true,
          ipam: { type: 'host-local', ranges: [[{ subnet: '198.18.130.0/24', gateway: '198.18.130.1' }]], routes: [{ dst: '198.18.0.0/15', gw: '198.18.130.1' }], dataDir: '/var/lib/skiff/node-1/cni/ipam' },
        },
        { type: 'portmap', capabilities: { portMappings: true } },
      ],
    });
  });

  it('refuses a default route', () => {
    assert.throws(() => renderConflist({ ...options, routes: ['0.0.0.0/0'] }), /default route/);
  });

  it('finds the subnet of a conflist', () => {
    assert.equal(conflistSubnet(renderConflist(options)), '198.18.130.0/24');
  });
});

describe('ensureConflist', () => {
  it('writes the file once and keeps a user edit that serves the same pod CIDR, but replaces one for another CIDR', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-conflist-'));
    try {
      const path = join(dir, 'cni', '10-skiff.conflist');
      assert.equal(ensureConflist(path, options).isWritten, true);
      const edited = JSON.parse(readFileSync(path, 'utf8'));
      edited.plugins[0].mtu = 1400;
      writeFileSync(path, JSON.stringify(edited));
      const kept = ensureConflist(path, options);
      assert.equal(kept.isWritten, false);
      assert.equal(kept.conflist.plugins[0].mtu, 1400);
      const replaced = ensureConflist(path, { ...options, podCidr: '198.18.131.0/24' });
      assert.equal(replaced.isWritten, true);
      assert.equal(conflistSubnet(JSON.parse(readFileSync(path, 'utf8'))), '198.18.131.0/24');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
