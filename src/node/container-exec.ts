// Short commands inside a running container (exec probes, lifecycle hooks) and lifecycle hook handling.
import type { AgentContext } from './agent-context.ts';
import type { ContainerInstanceHandle, ContainerRuntime } from './container-runtime.ts';
import type { LifecycleHandler, PodContainer } from './pod-types.ts';
import type { ProbeTarget } from './prober.ts';

const MAX_OUTPUT = 10 * 1024;

/** Runs `argv` in the container; kills it at the deadline (exit status 137 then, as the kubelet reports). */
export function execWithTimeout(handle: ContainerInstanceHandle, options: { runtime: ContainerRuntime; argv: string[]; timeoutMs: number }): Promise<{ exitCode: number; output: string }> {
  return new Promise((resolve) => {
    let output = '';
    let child;
    try {
      child = options.runtime.exec(handle, { argv: options.argv, hasStdin: false });
    } catch (e) {
      resolve({ exitCode: 126, output: (e as Error).message });
      return;
    }
    const collect = (d: Buffer) => {
      if (output.length < MAX_OUTPUT) output += d.toString('utf8');
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.on('error', (e) => {
      clearTimeout(timer);
      resolve({ exitCode: 126, output: e.message });
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ exitCode: code ?? (signal === 'SIGKILL' ? 137 : 128), output });
    });
  });
}

export function probeTarget(ctx: AgentContext, options: { container: PodContainer; podIP: string; handle: ContainerInstanceHandle }): ProbeTarget {
  return {
    podIP: options.podIP,
    container: options.container,
    exec: (argv, o) => execWithTimeout(options.handle, { runtime: ctx.runtime, argv, timeoutMs: o.timeoutMs }),
  };
}

/** Runs a postStart/preStop hook; resolves with an error message when it failed. */
export async function runHook(ctx: AgentContext, hook: LifecycleHandler, options: { target: ProbeTarget; timeoutMs: number }): Promise<string | undefined> {
  if (hook.sleep) {
    await new Promise((r) => setTimeout(r, Math.min(hook.sleep!.seconds * 1000, options.timeoutMs)));
    return undefined;
  }
  const outcome = await ctx.runProbe(hook, options);
  return outcome.isSuccess ? undefined : outcome.message ?? 'hook failed';
}
