// What the agent knows about one container of a pod across its restarts, and the ContainerStatus that
// follows from it (as the kubelet's convertToAPIContainerStatuses). Pure.
import type { ContainerState, ContainerStateTerminated, ContainerStatus } from './pod-types.ts';
import { rfc3339 } from './pod-types.ts';

export interface ContainerExit {
  exitCode: number;
  /** Completed, Error, StartError, … */
  reason: string;
  message?: string;
  signal?: number;
  startedAtMs: number;
  finishedAtMs: number;
  containerID: string;
}

export interface ContainerInstance {
  /** Hex id; the status shows `skiff://<id>`. */
  id: string;
  startedAtMs: number;
  exit?: ContainerExit;
  isReady: boolean;
  /** True once the startup probe passed (or at once without one). */
  isStarted: boolean;
}

export interface ContainerRecord {
  name: string;
  isInit: boolean;
  image: string;
  imageID: string;
  /** How many times the container was restarted (instances started − 1). */
  restartCount: number;
  /** The latest instance started, running or exited. */
  current?: ContainerInstance;
  /** The exit of the instance before `current`. */
  previousExit?: ContainerExit;
  /** Why it is not running: ErrImagePull, CreateContainerConfigError, CrashLoopBackOff (set by the worker). */
  waiting?: { reason: string; message?: string };
  /** For an error waiting reason: when to try again. */
  retryAtMs?: number;
}

export const RUNTIME_SCHEME = 'skiff://';

export function newRecord(name: string, options: { isInit: boolean; image: string }): ContainerRecord {
  return { name, isInit: options.isInit, image: options.image, imageID: '', restartCount: 0 };
}

export function isRunning(r: ContainerRecord): boolean {
  return r.current !== undefined && r.current.exit === undefined;
}

export function terminationReason(exitCode: number): string {
  return exitCode === 0 ? 'Completed' : 'Error';
}

export function terminatedState(e: ContainerExit): ContainerStateTerminated {
  const t: ContainerStateTerminated = { exitCode: e.exitCode, reason: e.reason, startedAt: rfc3339(new Date(e.startedAtMs)), finishedAt: rfc3339(new Date(e.finishedAtMs)), containerID: RUNTIME_SCHEME + e.containerID };
  if (e.signal !== undefined) t.signal = e.signal;
  if (e.message) t.message = e.message;
  return t;
}

/** The ContainerStatus of a record; `defaultWaiting` is the reason shown before the first start. */
export function containerStatus(r: ContainerRecord, options: { defaultWaiting: string }): ContainerStatus {
  let state: ContainerState;
  let lastState: ContainerState = {};
  const cur = r.current;
  if (r.waiting) {
    state = { waiting: { ...r.waiting } };
    if (cur?.exit) lastState = { terminated: terminatedState(cur.exit) };
  } else if (cur && !cur.exit) {
    state = { running: { startedAt: rfc3339(new Date(cur.startedAtMs)) } };
    if (r.previousExit) lastState = { terminated: terminatedState(r.previousExit) };
  } else if (cur?.exit) {
    state = { terminated: terminatedState(cur.exit) };
    if (r.previousExit) lastState = { terminated: terminatedState(r.previousExit) };
  } else {
    state = { waiting: { reason: options.defaultWaiting } };
  }
  const running = isRunning(r);
  const status: ContainerStatus = {
    name: r.name,
    state,
    lastState,
    ready: running && cur!.isReady,
    restartCount: r.restartCount,
    image: r.image,
    imageID: r.imageID,
    started: running && cur!.isStarted,
  };
  if (cur) status.containerID = RUNTIME_SCHEME + cur.id;
  return status;
}
