import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { descendantsOf, killProcessTree, netnsArgv, readProcessTable, waitForExit } from './process.ts';
import type { ProcEntry } from './process.ts';
import { waitFor } from '../../lib/wait.ts';

function table(entries: [number, number][]): Map<number, ProcEntry> {
  return new Map(entries.map(([pid, ppid]) => [pid, { pid, ppid, state: 'S' }]));
}

describe('process helpers', () => {
  it('runs a command in a netns through nsenter', () => {
    assert.deepEqual(netnsArgv('skiff-a-pod-x', ['/bin/sh', '-c', 'sleep 1']), ['nsenter', '--net=/run/netns/skiff-a-pod-x', '--', '/bin/sh', '-c', 'sleep 1']);
    assert.throws(() => netnsArgv('n', []));
  });

  it('finds a process and all its descendants, parents first', () => {
    const t = table([[1, 0], [10, 1], [11, 10], [12, 10], [13, 11], [20, 1]]);
    assert.deepEqual(descendantsOf(t, 10), [10, 11, 12, 13]);
    assert.deepEqual(descendantsOf(t, 99), []);
  });

  it('reads parents and states from a /proc-like directory, even with odd command names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'skiff-proc-'));
    try {
      mkdirSync(join(dir, '42'));
      writeFileSync(join(dir, '42', 'stat'), '42 (we ird) name)) S 7 42 42 0 -1\n');
      mkdirSync(join(dir, '43'));
      writeFileSync(join(dir, '43', 'stat'), '43 (sh) Z 42 42 42 0 -1\n');
      mkdirSync(join(dir, 'self'));
      assert.deepEqual([...readProcessTable(dir).values()].sort((a, b) => a.pid - b.pid), [
        { pid: 42, ppid: 7, state: 'S' },
        { pid: 43, ppid: 42, state: 'Z' },
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kills a whole process tree, grandchildren included', async () => {
    // sh starts two background sleeps and waits: three processes in the tree.
    const child = spawn('sh', ['-c', 'sleep 300 & sleep 300 & wait'], { stdio: 'ignore' });
    const pid = child.pid!;
    const tree = await waitFor('the tree to start', () => {
      const t = descendantsOf(readProcessTable(), pid);
      return t.length === 3 ? t : undefined;
    });
    const exited = new Promise((r) => child.once('exit', r));
    const killed = await killProcessTree(pid);
    assert.deepEqual([...killed].sort(), [...tree].sort());
    await exited;
    await waitForExit(tree, { timeoutMs: 2000 });
  });
});
