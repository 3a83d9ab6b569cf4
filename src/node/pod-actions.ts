// What to do next for one pod, from its spec and what its containers are doing, as the kubelet's
// computePodActions: init containers one by one in order, then every app container, restarts per
// restartPolicy behind the crash back-off, kills for failed liveness/startup probes. Pure.
import type { ContainerRecord } from './container-record.ts';
import { isRunning } from './container-record.ts';

export type PodAction =
  | { type: 'start'; container: string; isInit: boolean }
  | { type: 'kill'; container: string; reason: 'LivenessFailed' | 'StartupFailed' }
  /** The container must wait `waitMs` more before its restart (CrashLoopBackOff, or an error to retry). */
  | { type: 'wait'; container: string; waitMs: number; isCrashLoop: boolean }
  /** Every container has finished for good: the pod is terminal. */
  | { type: 'finish'; phase: 'Succeeded' | 'Failed' };

export interface PlanInput {
  restartPolicy: string;
  initContainers: readonly ContainerRecord[];
  containers: readonly ContainerRecord[];
  /** Liveness or startup probe verdicts on running instances, by container name. */
  failedProbes: ReadonlyMap<string, 'LivenessFailed' | 'StartupFailed'>;
  /** ms before the container may restart after an exit at `finishedAtMs` (the crash back-off). */
  backoffRemaining(container: string, finishedAtMs: number): number;
  nowMs: number;
}

export function planPodActions(input: PlanInput): PodAction[] {
  const policy = input.restartPolicy || 'Always';
  for (const r of input.initContainers) {
    if (isRunning(r)) return [];
    const exit = r.current?.exit;
    if (exit && exit.exitCode === 0) continue;
    if (exit) {
      if (policy === 'Never') return [{ type: 'finish', phase: 'Failed' }];
      return [restartOrWait(r, input)];
    }
    return [startOrRetry(r, input, true)];
  }

  const actions: PodAction[] = [];
  let isAnyLive = false;
  let isAnyFailed = false;
  for (const r of input.containers) {
    if (isRunning(r)) {
      isAnyLive = true;
      const failed = input.failedProbes.get(r.name);
      if (failed) actions.push({ type: 'kill', container: r.name, reason: failed });
      continue;
    }
    const exit = r.current?.exit;
    if (!exit) {
      isAnyLive = true;
      actions.push(startOrRetry(r, input, false));
      continue;
    }
    const shouldRestart = policy === 'Always' || (policy === 'OnFailure' && exit.exitCode !== 0);
    if (shouldRestart) {
      isAnyLive = true;
      actions.push(restartOrWait(r, input));
    } else if (exit.exitCode !== 0) {
      isAnyFailed = true;
    }
  }
  if (!isAnyLive && input.containers.length > 0) return [{ type: 'finish', phase: isAnyFailed ? 'Failed' : 'Succeeded' }];
  return actions;
}

function startOrRetry(r: ContainerRecord, input: PlanInput, isInit: boolean): PodAction {
  if (r.retryAtMs !== undefined && r.retryAtMs > input.nowMs) return { type: 'wait', container: r.name, waitMs: r.retryAtMs - input.nowMs, isCrashLoop: false };
  return { type: 'start', container: r.name, isInit };
}

function restartOrWait(r: ContainerRecord, input: PlanInput): PodAction {
  const waitMs = input.backoffRemaining(r.name, r.current!.exit!.finishedAtMs);
  if (waitMs > 0) return { type: 'wait', container: r.name, waitMs, isCrashLoop: true };
  return startOrRetry(r, input, r.isInit);
}
