// Checks that imports between src/ folders point one way, as docs/architecture.md describes.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');

/** Which src/ folders each folder may import (besides itself). */
export const ALLOWED: Record<string, string[]> = {
  api: [],
  lib: [],
  storage: ['lib'],
  platform: ['lib'],
  sandbox: ['lib', 'platform'],
  netfilter: ['lib', 'platform'],
  client: ['api', 'lib'],
  apiserver: ['api', 'storage', 'lib'],
  controllers: ['api', 'client', 'lib'],
  node: ['api', 'client', 'lib', 'platform', 'netfilter'],
  proxy: ['api', 'client', 'lib', 'platform', 'netfilter'],
  netpol: ['api', 'client', 'lib', 'platform', 'netfilter'],
  dns: ['api', 'client', 'lib'],
  ingress: ['api', 'client', 'lib'],
  cmd: ['*'],
  cli: ['cmd', 'lib', 'client', 'api'],
};

/** Node built-ins that pure layers may not use: they are side effects. */
const IMPURE_BUILTINS = /^node:(fs|net|dgram|child_process|http|https|tls|dns|cluster|worker_threads)/;

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) yield* files(p);
    else if (p.endsWith('.ts') && !p.endsWith('.test.ts')) yield p;
  }
}

export function violations(): string[] {
  const out: string[] = [];
  for (const file of files(src)) {
    const folder = relative(src, file).split(sep)[0];
    const allowed = ALLOWED[folder];
    if (!allowed) {
      out.push(`${relative(root, file)}: folder src/${folder} has no rule in scripts/check-architecture.ts`);
      continue;
    }
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (folder === 'api' && IMPURE_BUILTINS.test(spec)) out.push(`${relative(root, file)}: src/api must stay pure but imports ${spec}`);
      if (!spec.startsWith('.')) continue;
      const target = relative(src, resolve(dirname(file), spec));
      if (target.startsWith('..')) {
        out.push(`${relative(root, file)}: imports ${spec} from outside src/`);
        continue;
      }
      const targetFolder = target.split(sep)[0];
      if (targetFolder === folder || allowed.includes('*') || allowed.includes(targetFolder)) continue;
      out.push(`${relative(root, file)}: src/${folder} may not import src/${targetFolder} (${spec})`);
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const v = violations();
  for (const line of v) console.error(line);
  if (v.length) process.exit(1);
  console.log('architecture rules hold');
}
