import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStoreContract } from './store.contract.ts';
import { SqliteStore } from './sqlite-store.ts';

runStoreContract('SqliteStore', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'skiff-sqlite-'));
  const store = SqliteStore.open(join(dir, 'state.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
