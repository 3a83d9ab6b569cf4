// From a pod's container spec to what the runtime starts: the environment, the argv (the image catalog's
// command/args rules, `$(VAR)` expanded against the environment) and the working directory — or the
// waiting reason that keeps it from starting (ErrImagePull, CreateContainerConfigError). Pure.
import { EnvError, renderEnv } from './env.ts';
import type { EnvContext } from './env.ts';
import { expand } from './expand.ts';
import type { PodContainer } from './pod-types.ts';

export type ResolvedImage =
  | { kind: 'builtin'; name: string; argv: string[] }
  | { kind: 'host'; argv: string[] }
  | { kind: 'unsupported'; reason: string; message: string };

export type ImageResolver = (image: string, command?: string[], args?: string[]) => ResolvedImage;

export type ContainerLaunch =
  | { kind: 'ready'; argv: string[]; env: [string, string][]; workingDir: string; imageID: string; isBuiltin: boolean }
  | { kind: 'blocked'; reason: string; message: string };

export function buildContainerLaunch(container: PodContainer, options: { envContext: EnvContext; resolveImage: ImageResolver }): ContainerLaunch {
  let env: [string, string][];
  try {
    env = renderEnv(container, options.envContext);
  } catch (e) {
    if (e instanceof EnvError) return { kind: 'blocked', reason: e.code, message: e.message };
    throw e;
  }
  const vars = new Map(env);
  const lookup = (name: string) => vars.get(name);
  const command = container.command?.map((s) => expand(s, lookup));
  const args = container.args?.map((s) => expand(s, lookup));
  const image = container.image ?? '';
  const resolved = options.resolveImage(image, command, args);
  if (resolved.kind === 'unsupported') return { kind: 'blocked', reason: resolved.reason, message: resolved.message };
  if (resolved.argv.length === 0) return { kind: 'blocked', reason: 'CreateContainerError', message: `container ${container.name} has no command to run` };
  const isBuiltin = resolved.kind === 'builtin';
  return { kind: 'ready', argv: resolved.argv, env, workingDir: container.workingDir || '/', imageID: isBuiltin ? `skiff-builtin://${resolved.name}` : `host://${image}`, isBuiltin };
}
