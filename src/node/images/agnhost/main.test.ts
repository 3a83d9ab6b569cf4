import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runAgnhostToEnd } from './agnhost-harness.ts';

describe('agnhost main', () => {
  it('prints usage on stderr and exits 1 for an unknown subcommand', async () => {
    const r = await runAgnhostToEnd(['frobnicate']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Error: unknown command "frobnicate" for "agnhost"\n/);
    assert.match(r.stderr, /netexec .*\n/);
    assert.equal(r.stdout, '');
  });

  it('prints usage and exits 0 without a subcommand', async () => {
    const r = await runAgnhostToEnd([]);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Available Commands:\n(.*\n)*  serve-hostname /);
  });

  it('rejects an unknown flag with exit 1', async () => {
    const r = await runAgnhostToEnd(['netexec', '--no-such-flag']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "Error: unknown flag: --no-such-flag\nRun 'agnhost netexec --help' for usage.\n");
  });
});
