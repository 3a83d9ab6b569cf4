// The scheduling decision: which node a pod goes to, or why none fits (upstream's FitError message).
import type { Pod, PodCondition } from '../../api/types.ts';
import { unfitReason } from './node-fit.ts';
import type { Node } from './node-fit.ts';

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';
export const NO_NODES_MESSAGE = 'no nodes available to schedule pods';

export type ScheduleResult = { nodeName: string } | { message: string };

/** Whether this scheduler should place the pod now. */
export function needsScheduling(pod: Pod, schedulerName: string = DEFAULT_SCHEDULER_NAME): boolean {
  const spec = pod.spec as Pod['spec'] & { schedulerName?: string; schedulingGates?: unknown[] };
  if (spec.nodeName || pod.metadata.deletionTimestamp) return false;
  if ((spec.schedulerName || DEFAULT_SCHEDULER_NAME) !== schedulerName) return false;
  if (spec.schedulingGates?.length) return false;
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed';
}

/** Pods bound to each node that still hold it (not Succeeded/Failed). */
export function countPodsByNode(pods: readonly Pod[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const p of pods) {
    const node = p.spec?.nodeName;
    const phase = p.status?.phase;
    if (!node || phase === 'Succeeded' || phase === 'Failed') continue;
    counts.set(node, (counts.get(node) ?? 0) + 1);
  }
  return counts;
}

/** `0/3 nodes are available: 1 node(s) ..., 2 node(s) ....`: reasons counted, sorted as strings. */
export function fitErrorMessage(totalNodes: number, reasons: readonly string[]): string {
  if (totalNodes === 0) return NO_NODES_MESSAGE;
  const histogram = new Map<string, number>();
  for (const r of reasons) histogram.set(r, (histogram.get(r) ?? 0) + 1);
  const parts = [...histogram].map(([reason, n]) => `${n} ${reason}`).sort();
  return `0/${totalNodes} nodes are available: ${parts.join(', ')}.`;
}

/** Filters nodes, then spreads: the feasible node with the fewest pods, ties broken by name. */
export function schedulePod(pod: Pod, nodes: readonly Node[], podCounts: ReadonlyMap<string, number>): ScheduleResult {
  const reasons: string[] = [];
  let best: { name: string; count: number } | undefined;
  for (const node of nodes) {
    const reason = unfitReason(pod, node);
    if (reason) {
      reasons.push(reason);
      continue;
    }
    const name = node.metadata.name ?? '';
    const count = podCounts.get(name) ?? 0;
    if (!best || count < best.count || (count === best.count && name < best.name)) best = { name, count };
  }
  if (best) return { nodeName: best.name };
  return { message: fitErrorMessage(nodes.length, reasons) };
}

/** The PodScheduled=False condition to write, or undefined when the pod already carries exactly it. */
export function unschedulableCondition(pod: Pod, message: string, now: Date): PodCondition | undefined {
  const current = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (current && current.status === 'False' && current.reason === 'Unschedulable' && current.message === message) return undefined;
  const lastTransitionTime = current?.status === 'False' && current.lastTransitionTime ? current.lastTransitionTime : now.toISOString().replace(/\.\d{3}Z$/, 'Z');
  return { type: 'PodScheduled', status: 'False', reason: 'Unschedulable', message, lastProbeTime: null, lastTransitionTime };
}
