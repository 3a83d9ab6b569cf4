import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { waitFor } from '../../../lib/wait.ts';
import { type AgnhostProcess, runAgnhostToEnd, startAgnhost } from './agnhost-harness.ts';
import { PAUSE_IMAGE_SUBCOMMAND } from './main.ts';

async function signalWhen(p: AgnhostProcess, ready: () => boolean, signal: NodeJS.Signals) {
  await waitFor('process ready', ready);
  p.child.kill(signal);
  return p.exited;
}

describe('agnhost pause', () => {
  it('prints Paused and exits 2 on SIGTERM, as upstream', async () => {
    const p = startAgnhost(['pause']);
    const { code } = await signalWhen(p, () => p.output().stdout.includes('Paused'), 'SIGTERM');
    assert.equal(code, 2);
    assert.equal(p.output().stdout, 'Paused\nexiting 2\n');
  });

  it('exits 1 on SIGINT', async () => {
    const p = startAgnhost(['pause']);
    assert.equal((await signalWhen(p, () => p.output().stdout.includes('Paused'), 'SIGINT')).code, 1);
  });
});

describe('the pause image', () => {
  it('exits 0 on SIGTERM', async () => {
    const p = startAgnhost([PAUSE_IMAGE_SUBCOMMAND]);
    const { code } = await signalWhen(p, () => p.output().stderr.includes('Warning'), 'SIGTERM');
    assert.equal(code, 0);
    assert.match(p.output().stderr, /Shutting down, got signal: Terminated\n$/);
  });

  it('exits 0 on SIGINT', async () => {
    const p = startAgnhost([PAUSE_IMAGE_SUBCOMMAND]);
    assert.equal((await signalWhen(p, () => p.output().stderr.includes('Warning'), 'SIGINT')).code, 0);
  });

  it('prints a version for -v', async () => {
    const r = await runAgnhostToEnd([PAUSE_IMAGE_SUBCOMMAND, '-v']);
    assert.deepEqual([r.code, r.stdout], [0, 'pause.c skiff\n']);
  });
});
