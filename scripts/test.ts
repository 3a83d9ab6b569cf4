// The whole test suite: type-check, architecture rules, then unit, integration and end-to-end tests with node:test.
// Usage: node scripts/test.ts [unit|integration|e2e|<file or glob>...]
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const tiers: Record<string, string[]> = {
  unit: ['src/**/*.test.ts', 'scripts/**/*.test.ts'],
  integration: ['test/integration/**/*.test.ts'],
  e2e: ['test/e2e/**/*.test.ts'],
};

function run(what: string, cmd: string, args: string[]): void {
  const started = Date.now();
  console.log(`\n=== ${what}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  const secs = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status !== 0) {
    console.error(`\n✗ ${what} failed (${secs}s)`);
    process.exit(r.status ?? 1);
  }
  console.log(`✓ ${what} (${secs}s)`);
}

const requested = process.argv.slice(2);
const selected = requested.length ? requested : Object.keys(tiers);
if (!requested.length) {
  run('type-check (tsc --noEmit)', join(root, 'node_modules/.bin/tsc'), ['--noEmit', '-p', root]);
  run('architecture rules', process.execPath, [join(root, 'scripts/check-architecture.ts')]);
}
for (const sel of selected) {
  const patterns = tiers[sel] ?? [sel];
  run(`${sel} tests`, process.execPath, ['--test', '--test-reporter=dot', '--test-timeout=300000', ...patterns]);
}
console.log('\n✓ all tests passed');
