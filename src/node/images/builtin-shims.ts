// Small `#!/bin/sh` scripts that stand in for the built-in images' executables (`/agnhost`, `/pause`).
// A runtime bind-mounts them over files in the container's private mount namespace.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { builtinPaths } from './image-catalog.ts';

const shQuote = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;

/** Writes one executable shim per built-in path into `dir`; returns in-container path → shim path. */
export function writeBuiltinShims(dir: string, nodePath: string = process.execPath): Record<string, string> {
  mkdirSync(dir, { recursive: true });
  const out: Record<string, string> = {};
  for (const [inContainer, prefix] of Object.entries(builtinPaths(nodePath))) {
    const shim = join(dir, inContainer.replace(/^\//, '').replaceAll('/', '-'));
    // NODE_OPTIONS from the pod's env must not change how the built-in image itself runs.
    writeFileSync(shim, `#!/bin/sh\nunset NODE_OPTIONS\nexec ${prefix.map(shQuote).join(' ')} "$@"\n`);
    chmodSync(shim, 0o755);
    out[inContainer] = shim;
  }
  return out;
}
