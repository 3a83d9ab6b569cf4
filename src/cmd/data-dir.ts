// Where a cluster keeps its files. Two clusters with different data dirs share nothing.
import { join, resolve } from 'node:path';

export const DEFAULT_DATA_DIR = '/var/lib/skiff';

export function resolveDataDir(flag: string | undefined): string {
  return resolve(flag ?? process.env.SKIFF_DATA_DIR ?? DEFAULT_DATA_DIR);
}

export function dataPaths(dir: string) {
  return {
    dir,
    pki: join(dir, 'pki'),
    database: join(dir, 'state.db'),
    kubeconfig: join(dir, 'kubeconfig'),
    serverPid: join(dir, 'server.pid'),
    serverLog: join(dir, 'server.log'),
    serverInfo: join(dir, 'server.json'),
    config: join(dir, 'config.json'),
  };
}

export type DataPaths = ReturnType<typeof dataPaths>;
