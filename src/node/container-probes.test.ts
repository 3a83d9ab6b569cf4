import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ContainerProbes } from './container-probes.ts';
import type { ProbeKind } from './probe-state.ts';

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('ContainerProbes', () => {
  it('runs liveness and readiness only after the startup probe passed', async () => {
    const runs: string[] = [];
    const changes: ProbeKind[] = [];
    let isUp = false;
    const probes = new ContainerProbes({
      name: 'app',
      startupProbe: { exec: { command: ['startup'] }, periodSeconds: 0.01, failureThreshold: 100 },
      livenessProbe: { exec: { command: ['live'] }, periodSeconds: 0.01 },
      readinessProbe: { exec: { command: ['ready'] }, periodSeconds: 0.01 },
    }, {
      startedAtMs: Date.now(),
      run: async (h) => {
        runs.push(h.exec!.command![0]);
        return { isSuccess: h.exec!.command![0] !== 'startup' || isUp };
      },
      onChange: (kind) => changes.push(kind),
    });
    probes.start();
    try {
      await until(() => runs.length >= 3);
      assert.deepEqual(runs.filter((r) => r !== 'startup'), []);
      assert.equal(probes.isStarted, false);
      assert.equal(probes.isReady, false);
      isUp = true;
      await until(() => probes.isReady);
      assert.ok(probes.isStarted);
      assert.ok(runs.includes('live') && runs.includes('ready'));
      assert.deepEqual(changes.slice(0, 2).sort(), ['readiness', 'startup']);
    } finally {
      probes.stop();
    }
  });

  it('reports a liveness failure after failureThreshold misses and stops probing', async () => {
    let runs = 0;
    let failures = 0;
    const probes = new ContainerProbes({ name: 'app', livenessProbe: { tcpSocket: { port: 1 }, periodSeconds: 0.01, failureThreshold: 2 } }, {
      startedAtMs: Date.now(),
      run: async () => (runs++, { isSuccess: false }),
      onChange: () => failures++,
    });
    probes.start();
    try {
      await until(() => probes.failure === 'LivenessFailed');
      assert.equal(failures, 1);
      const seen = runs;
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(runs, seen, 'no more runs after the verdict');
      assert.equal(probes.isReady, true, 'liveness alone does not make a container unready');
    } finally {
      probes.stop();
    }
  });
});
