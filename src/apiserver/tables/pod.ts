// The Pod table: READY, STATUS and RESTARTS computed from container statuses the way kube-apiserver's
// printPod does (init containers, sidecars, waiting/terminated reasons, Terminating, "(5m ago)").
import { AGE_COLUMN, NAME_COLUMN, ageOf, column, nameOf, num, parseTime, rec, recs, since, str } from './format.ts';
import type { KindPrinter, Obj, RowCondition } from './format.ts';

/** The reason upstream gives pods whose node stopped reporting (node.NodeUnreachablePodReason). */
const NODE_LOST = 'NodeLost';

export interface PodSummary {
  ready: string;
  status: string;
  restarts: string;
}

function isRestartable(container: Obj | undefined): boolean {
  return container?.restartPolicy === 'Always';
}

function hasCondition(status: Obj, type: string): boolean {
  return recs(status.conditions).some((c) => c.type === type && c.status === 'True');
}

function lastTerminationTime(cs: Obj): number {
  return parseTime(rec(rec(cs.lastState).terminated).finishedAt) ?? 0;
}

function stateOf(cs: Obj): { waiting?: Obj; running?: Obj; terminated?: Obj } {
  const state = rec(cs.state);
  const pick = (v: unknown) => (v === undefined || v === null ? undefined : rec(v));
  return { waiting: pick(state.waiting), running: pick(state.running), terminated: pick(state.terminated) };
}

function exitDescription(terminated: Obj, prefix: string): string {
  const signal = num(terminated.signal);
  return signal !== 0 ? `${prefix}Signal:${signal}` : `${prefix}ExitCode:${num(terminated.exitCode)}`;
}

export function summarizePod(pod: Obj, now: Date): PodSummary {
  const spec = rec(pod.spec);
  const status = rec(pod.status);
  const phase = str(status.phase);
  const initContainers = recs(spec.initContainers);
  const initByName = new Map(initContainers.map((c) => [str(c.name), c]));
  const total = recs(spec.containers).length + initContainers.filter(isRestartable).length;
  let ready = 0;
  let restarts = 0;
  let sidecarRestarts = 0;
  let lastRestart = 0;
  let lastSidecarRestart = 0;

  let reason = str(status.reason) || phase;
  for (const c of recs(status.conditions)) {
    if (c.type === 'PodScheduled' && c.reason === 'SchedulingGated') reason = 'SchedulingGated';
  }

  let initializing = false;
  const initStatuses = recs(status.initContainerStatuses);
  for (let i = 0; i < initStatuses.length; i++) {
    const cs = initStatuses[i];
    const finished = lastTerminationTime(cs);
    restarts += num(cs.restartCount);
    lastRestart = Math.max(lastRestart, finished);
    const isSidecar = isRestartable(initByName.get(str(cs.name)));
    if (isSidecar) {
      sidecarRestarts += num(cs.restartCount);
      lastSidecarRestart = Math.max(lastSidecarRestart, finished);
    }
    const { waiting, terminated } = stateOf(cs);
    if (terminated && num(terminated.exitCode) === 0) continue;
    if (isSidecar && cs.started === true) {
      if (cs.ready === true) ready++;
      continue;
    }
    if (terminated) reason = str(terminated.reason) ? `Init:${str(terminated.reason)}` : exitDescription(terminated, 'Init:');
    else if (waiting && str(waiting.reason) && waiting.reason !== 'PodInitializing') reason = `Init:${str(waiting.reason)}`;
    else reason = `Init:${i}/${initContainers.length}`;
    initializing = true;
    break;
  }

  if (!initializing || hasCondition(status, 'Initialized')) {
    restarts = sidecarRestarts;
    lastRestart = lastSidecarRestart;
    let hasRunning = false;
    const statuses = recs(status.containerStatuses);
    for (let i = statuses.length - 1; i >= 0; i--) {
      const cs = statuses[i];
      restarts += num(cs.restartCount);
      lastRestart = Math.max(lastRestart, lastTerminationTime(cs));
      const { waiting, running, terminated } = stateOf(cs);
      if (waiting && str(waiting.reason)) reason = str(waiting.reason);
      else if (terminated && str(terminated.reason)) reason = str(terminated.reason);
      else if (terminated) reason = exitDescription(terminated, '');
      else if (cs.ready === true && running) {
        hasRunning = true;
        ready++;
      }
    }
    // A pod whose finished containers say Completed is still running while one of them runs.
    if (reason === 'Completed' && hasRunning) reason = hasCondition(status, 'Ready') ? 'Running' : 'NotReady';
  }

  const isDeleting = Boolean(rec(pod.metadata).deletionTimestamp);
  if (isDeleting && status.reason === NODE_LOST) reason = 'Unknown';
  else if (isDeleting && phase !== 'Succeeded' && phase !== 'Failed') reason = 'Terminating';

  const restartText = restarts !== 0 && lastRestart !== 0 ? `${restarts} (${since(lastRestart, now)} ago)` : String(restarts);
  return { ready: `${ready}/${total}`, status: reason, restarts: restartText };
}

function readinessGates(spec: Obj, status: Obj): string {
  const gates = recs(spec.readinessGates);
  if (gates.length === 0) return '<none>';
  const conditions = recs(status.conditions);
  const passed = gates.filter((g) => conditions.find((c) => c.type === g.conditionType)?.status === 'True').length;
  return `${passed}/${gates.length}`;
}

export const podPrinter: KindPrinter = {
  columns: [
    NAME_COLUMN,
    column('Ready', 'The aggregate readiness state of this pod for accepting traffic.'),
    column('Status', 'The aggregate status of the containers in this pod.'),
    column('Restarts', 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.'),
    AGE_COLUMN,
    column('IP', 'podIP address allocated to the pod.', { priority: 1 }),
    column('Node', 'NodeName indicates in which node this pod is scheduled.', { priority: 1 }),
    column('Nominated Node', 'nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot schedule right away as preemption victims receive their graceful termination periods.', { priority: 1 }),
    column('Readiness Gates', 'If specified, all readiness gates will be evaluated for pod readiness.', { priority: 1 }),
  ],
  cells(pod, now) {
    const spec = rec(pod.spec);
    const status = rec(pod.status);
    const { ready, status: reason, restarts } = summarizePod(pod, now);
    const podIP = str(recs(status.podIPs)[0]?.ip) || str(status.podIP) || '<none>';
    return [
      nameOf(pod),
      ready,
      reason,
      restarts,
      ageOf(pod, now),
      podIP,
      str(spec.nodeName) || '<none>',
      str(status.nominatedNodeName) || '<none>',
      readinessGates(spec, status),
    ];
  },
  conditions(pod) {
    const phase = rec(pod.status).phase;
    if (phase === 'Succeeded') return [completed('Succeeded', 'The pod has completed successfully.')];
    if (phase === 'Failed') return [completed('Failed', 'The pod failed.')];
    return undefined;
  },
};

function completed(reason: string, message: string): RowCondition {
  return { type: 'Completed', status: 'True', reason, message };
}
