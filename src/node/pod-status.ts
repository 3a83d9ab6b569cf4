// The pod status the agent reports: phase (upstream's getPhase), conditions, IPs and container statuses. Pure.
import type { PodCondition } from '../api/types.ts';
import type { ContainerRecord } from './container-record.ts';
import { containerStatus } from './container-record.ts';
import type { ContainerStatus, NodePod } from './pod-types.ts';
import { rfc3339 } from './pod-types.ts';

export interface PodStatusInput {
  pod: NodePod;
  initContainers: readonly ContainerRecord[];
  containers: readonly ContainerRecord[];
  podIPs: string[];
  hostIPs: string[];
  startTimeMs: number;
  /** The pod's network namespace exists and has its address. */
  isSandboxReady: boolean;
  /** Set once the pod finished for good (its containers will not run again). */
  terminalPhase?: 'Succeeded' | 'Failed';
  nowMs: number;
}

export type PodStatus = Record<string, unknown> & { phase: string; conditions: PodCondition[] };

export function podPhase(input: Pick<PodStatusInput, 'pod' | 'initContainers' | 'containers' | 'terminalPhase'>, statuses: { init: ContainerStatus[]; app: ContainerStatus[] }): string {
  if (input.terminalPhase) return input.terminalPhase;
  const policy = input.pod.spec.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of statuses.init) {
    if (s.state.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state.waiting && s.lastState.terminated && s.lastState.terminated.exitCode !== 0) failedInit++;
    else pendingInit++;
  }
  if (failedInit > 0 && policy === 'Never') return 'Failed';
  if (pendingInit > 0 || failedInit > 0) return 'Pending';
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses.app) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting && s.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

export function renderPodStatus(input: PodStatusInput): PodStatus {
  const isInitializing = input.initContainers.some((r) => !(r.current?.exit?.exitCode === 0));
  const init = input.initContainers.map((r) => containerStatus(r, { defaultWaiting: 'PodInitializing' }));
  const app = input.containers.map((r) => containerStatus(r, { defaultWaiting: isInitializing ? 'PodInitializing' : 'ContainerCreating' }));
  const phase = podPhase(input, { init, app });
  const old = (input.pod.status?.conditions ?? []) as PodCondition[];
  const now = rfc3339(new Date(input.nowMs));
  const cond = (type: string, isTrue: boolean, reason?: string, message?: string): PodCondition => {
    const status = isTrue ? 'True' : 'False';
    const prev = old.find((c) => c.type === type);
    const c: PodCondition = { type, status, lastProbeTime: null, lastTransitionTime: prev && prev.status === status ? prev.lastTransitionTime : now };
    if (reason) c.reason = reason;
    if (message) c.message = message;
    return c;
  };
  const isTerminal = phase === 'Succeeded' || phase === 'Failed';
  const incompleteInit = input.initContainers.filter((r) => r.current?.exit?.exitCode !== 0).map((r) => r.name);
  const unready = app.filter((s) => !s.ready).map((s) => s.name);
  const initialized = incompleteInit.length === 0 || phase === 'Succeeded';
  let readyReason: string | undefined;
  let readyMessage: string | undefined;
  if (isTerminal) readyReason = 'PodCompleted';
  else if (unready.length) {
    readyReason = 'ContainersNotReady';
    readyMessage = `containers with unready status: [${unready.join(' ')}]`;
  }
  const isReady = !isTerminal && unready.length === 0 && initialized;
  const conditions: PodCondition[] = [
    cond('PodReadyToStartContainers', input.isSandboxReady && !isTerminal),
    initialized ? cond('Initialized', true, phase === 'Succeeded' ? 'PodCompleted' : undefined) : cond('Initialized', false, 'ContainersNotInitialized', `containers with incomplete status: [${incompleteInit.join(' ')}]`),
    cond('Ready', isReady, isReady ? undefined : readyReason, isReady ? undefined : readyMessage),
    cond('ContainersReady', isReady, isReady ? undefined : readyReason, isReady ? undefined : readyMessage),
  ];
  const scheduled = old.find((c) => c.type === 'PodScheduled');
  if (scheduled) conditions.push(scheduled);
  const status: PodStatus = { ...(input.pod.status ?? {}), phase, conditions, startTime: rfc3339(new Date(input.startTimeMs)) };
  status.hostIP = input.hostIPs[0];
  status.hostIPs = input.hostIPs.map((ip) => ({ ip }));
  if (input.podIPs.length) {
    status.podIP = input.podIPs[0];
    status.podIPs = input.podIPs.map((ip) => ({ ip }));
  }
  if (init.length) status.initContainerStatuses = init;
  status.containerStatuses = app;
  return status;
}
