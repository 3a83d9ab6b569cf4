import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { waitFor } from '../../lib/wait.ts';
import { writeBuiltinShims } from './image-catalog.ts';

function run(argv: string[], env: Record<string, string> = {}) {
  const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += c));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, exited, stderr: () => stderr };
}

describe('writeBuiltinShims', () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-shims-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const shims = writeBuiltinShims(join(dir, 'bin'));

  it('writes one executable sh script per built-in path', () => {
    assert.deepEqual(Object.keys(shims).sort(), ['/agnhost', '/pause']);
    for (const path of Object.values(shims)) {
      assert.equal(statSync(path).mode & 0o777, 0o755);
      assert.match(readFileSync(path, 'utf8'), /^#!\/bin\/sh\n/);
    }
  });

  it('runs agnhost subcommands through the /agnhost shim, even with a hostile NODE_OPTIONS', async () => {
    const server = net.createServer((s) => s.destroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const p = run([shims['/agnhost'], 'connect', `127.0.0.1:${port}`], { NODE_OPTIONS: '--require=/nonexistent.js' });
      assert.equal(await p.exited, 0, p.stderr());
    } finally {
      server.close();
    }
  });

  it('runs the pause image through the /pause shim, which exits 0 on SIGTERM', async () => {
    const p = run([shims['/pause']]);
    await waitFor('pause started', () => p.stderr().includes('Warning'));
    p.child.kill('SIGTERM');
    assert.equal(await p.exited, 0);
  });
});
