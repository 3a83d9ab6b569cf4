// The whole test suite: type-check, architecture rules, then unit, integration and end-to-end tests with node:test.
// Usage: node scripts/test.ts [unit|integration|e2e|<file or glob>...]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { installGuard, isGuardPossible, readGuard, removeGuard } from './egress-guard.ts';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tiers: Record<string, string[]> = {
  unit: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
  integration: ['test/integration/**/*.test.ts'],
  e2e: ['test/e2e/**/*.test.ts'],
};

class TestFailure extends Error {
  readonly status: number;
  constructor(status: number) {
    super(`exit ${status}`);
    this.status = status;
  }
}

function run(what: string, cmd: string, args: string[]): void {
  const started = Date.now();
  console.log(`\n=== ${what}`);
  // the launcher installs etcd: here a missing etcd must fail its tests, not skip them
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, SKIFF_REQUIRE_ETCD: '1' } });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n✗ ${what} failed (${secs}s)`);
    throw new TestFailure(r.status ?? 1);
  }
  console.log(`✓ ${what} (${secs}s)`);
}

const requested = process.argv.slice(2);
const selected = requested.length ? requested : Object.keys(tiers);
try {
  if (!requested.length) {
    run('type-check (tsc --noEmit)', join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', root]);
    run('architecture rules', process.execPath, [join(root, 'scripts/check-architecture.ts')]);
  }
} catch (e) {
  process.exit(e instanceof TestFailure ? e.status : 1);
}
const hasGuard = selected.includes('e2e') && isGuardPossible();
if (hasGuard) console.log(`\n• egress guard on ${installGuard().join(', ')}: packets to 198.18.0.0/15 or DNS leaving the machine are counted`);
try {
  for (const sel of selected) {
    const patterns = tiers[sel] ?? [sel];
    run(`${sel} tests`, process.execPath, ['--test', '--test-reporter=dot', '--test-timeout=300000', ...patterns]);
  }
  if (hasGuard) {
    const { clusterLeaks, dnsLeaks } = readGuard();
    if (clusterLeaks || dnsLeaks) {
      console.error(`\n✗ packets left the machine during the tests: ${clusterLeaks} towards the cluster ranges (dropped), ${dnsLeaks} DNS queries`);
      process.exitCode = 1;
    } else console.log('✓ egress guard: no packet left the machine');
  }
} catch (e) {
  process.exitCode = e instanceof TestFailure ? e.status : 1;
  if (!(e instanceof TestFailure)) console.error(e);
} finally {
  if (hasGuard) removeGuard();
}
if (process.exitCode) process.exit(process.exitCode);

console.log('\n✓ all tests passed');
