// Which container images skiff implements itself, and the argv a container runs, with Kubernetes'
// command/args rules: `command` replaces the image's ENTRYPOINT and drops its CMD; `args` replaces CMD.
import { fileURLToPath } from 'node:url';

export type BuiltinImageName = 'agnhost' | 'pause';

export type ResolvedImage =
  | { kind: 'builtin'; name: BuiltinImageName; argv: string[] }
  | { kind: 'host'; argv: string[] }
  | { kind: 'unsupported'; reason: 'ErrImagePull'; message: string };

interface BuiltinImage {
  name: BuiltinImageName;
  repositories: string[];
  entrypoint: string[];
  cmd: string[];
}

// Entrypoints and CMDs as in the upstream Dockerfiles.
const BUILTIN_IMAGES: BuiltinImage[] = [
  {
    name: 'agnhost',
    repositories: ['registry.k8s.io/e2e-test-images/agnhost', 'k8s.gcr.io/e2e-test-images/agnhost', 'gcr.io/kubernetes-e2e-test-images/agnhost'],
    entrypoint: ['/agnhost'],
    cmd: ['pause'],
  },
  {
    name: 'pause',
    repositories: ['registry.k8s.io/pause', 'k8s.gcr.io/pause', 'gcr.io/google-containers/pause', 'gcr.io/google_containers/pause'],
    entrypoint: ['/pause'],
    cmd: [],
  },
];

/** The repository part of an image reference: `registry.k8s.io/pause:3.10@sha256:…` → `registry.k8s.io/pause`. */
export function imageRepository(image: string): string {
  const withoutDigest = image.split('@')[0];
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.indexOf(':', lastSlash + 1);
  return colon < 0 ? withoutDigest : withoutDigest.slice(0, colon);
}

const builtinFor = (image: string) => BUILTIN_IMAGES.find((b) => b.repositories.includes(imageRepository(image.trim())));

export function findBuiltinImage(image: string): BuiltinImageName | undefined {
  return builtinFor(image)?.name;
}

/** The argv a container runs. Empty `command`/`args` count as unset, as in Kubernetes. */
export function resolveImage(image: string, command?: string[], args?: string[]): ResolvedImage {
  const hasCommand = command !== undefined && command.length > 0;
  const hasArgs = args !== undefined && args.length > 0;
  const builtin = builtinFor(image);
  if (builtin) {
    const entrypoint = hasCommand ? command : builtin.entrypoint;
    const rest = hasArgs ? args : hasCommand ? [] : builtin.cmd;
    return { kind: 'builtin', name: builtin.name, argv: [...entrypoint, ...rest] };
  }
  if (hasCommand) return { kind: 'host', argv: [...command, ...(hasArgs ? args : [])] };
  const known = BUILTIN_IMAGES.map((b) => `${b.repositories[0]} (any tag)`).join(' and ');
  return {
    kind: 'unsupported',
    reason: 'ErrImagePull',
    message: `image ${JSON.stringify(image)} is not built into skiff and skiff pulls no images: the built-in images are ${known}; ` +
      'any other image needs a container `command`, which runs from the host filesystem',
  };
}

/** Absolute path of the agnhost entry point that implements both built-in images. */
export const AGNHOST_MAIN = fileURLToPath(new URL('./agnhost/main.ts', import.meta.url));

/** Must match PAUSE_IMAGE_SUBCOMMAND in agnhost/main.ts (not imported: that module starts servers' code). */
const PAUSE_IMAGE_SUBCOMMAND = 'skiff-pause-image';

/**
 * In-container executable paths of the built-in images → the host argv prefix implementing them.
 * `/pause` is the pause image's binary (exit 0 on SIGTERM), not `agnhost pause` (which exits 2).
 */
export function builtinPaths(nodePath: string = process.execPath): Record<string, string[]> {
  return {
    '/agnhost': [nodePath, AGNHOST_MAIN],
    '/pause': [nodePath, AGNHOST_MAIN, PAUSE_IMAGE_SUBCOMMAND],
  };
}

/** Rewrites argv[0] when it names a built-in executable, for runtimes that cannot make `/agnhost` exist. */
export function toHostArgv(argv: string[], nodePath: string = process.execPath): string[] {
  const prefix = argv.length > 0 ? builtinPaths(nodePath)[argv[0]] : undefined;
  return prefix ? [...prefix, ...argv.slice(1)] : [...argv];
}

export { writeBuiltinShims } from './builtin-shims.ts';
