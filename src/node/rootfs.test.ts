import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readRootLayout, renderRootFstab, writeRootTemplate } from './rootfs.ts';

describe('container root', () => {
  it('reads a root layout and writes a template with symlinks, mount points and shims', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-rootfs-'));
    try {
      const fakeRoot = join(dir, 'host');
      mkdirSync(join(fakeRoot, 'usr', 'bin'), { recursive: true });
      mkdirSync(join(fakeRoot, 'etc'));
      symlinkSync('usr/bin', join(fakeRoot, 'bin'));
      writeFileSync(join(fakeRoot, '.dockerenv'), '');
      const layout = readRootLayout(fakeRoot);
      assert.deepEqual(layout, { dirs: ['etc', 'usr'], files: ['.dockerenv'], symlinks: [['bin', 'usr/bin']] });
      writeFileSync(join(dir, 'agnhost-shim'), '#!/bin/sh\n');
      const tpl = join(dir, 'template');
      writeRootTemplate(tpl, { layout, shims: { '/agnhost': join(dir, 'agnhost-shim') } });
      assert.equal(readlinkSync(join(tpl, 'bin')), 'usr/bin');
      assert.ok(lstatSync(join(tpl, 'usr')).isDirectory());
      assert.ok(lstatSync(join(tpl, '.dockerenv')).isFile());
      assert.equal(readFileSync(join(tpl, 'agnhost'), 'utf8'), '#!/bin/sh\n');
      assert.equal(lstatSync(join(tpl, 'agnhost')).mode & 0o777, 0o755);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders the fstab: rbind directories, bind files, then the pod files, escaping spaces', () => {
    const fstab = renderRootFstab({ dirs: ['etc', 'usr'], files: ['.dockerenv'], symlinks: [['bin', 'usr/bin']] }, {
      root: '/data/pods/p 1/app/0.run/root',
      extra: [['/data/pods/p 1/etc/resolv.conf', 'etc/resolv.conf']],
    });
    assert.equal(fstab, [
      '/etc /data/pods/p\\0401/app/0.run/root/etc none rbind 0 0',
      '/usr /data/pods/p\\0401/app/0.run/root/usr none rbind 0 0',
      '/.dockerenv /data/pods/p\\0401/app/0.run/root/.dockerenv none bind 0 0',
      '/data/pods/p\\0401/etc/resolv.conf /data/pods/p\\0401/app/0.run/root/etc/resolv.conf none bind 0 0',
      '',
    ].join('\n'));
  });
});
