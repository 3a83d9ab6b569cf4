// Node health as the node lifecycle controller judges it: when a node last proved alive (lease renewals or
// Ready heartbeats, timed by our own clock as upstream's probeTimestamp, so clock skew between machines does not
// matter), what its conditions and NoExecute taints should become, and what happens to its pods.
import type { KubeObject, Pod } from '../../api/types.ts';

export type { TaintEffect, Taint, Toleration, NodeCondition, Node } from '../../api/nodes.ts';
import type { Taint, Toleration, NodeCondition, Node } from '../../api/nodes.ts';
import { tolerates } from '../../api/nodes.ts';

export interface Lease extends KubeObject {
  spec?: { holderIdentity?: string; leaseDurationSeconds?: number; renewTime?: string };
}

export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
const MANAGED_TAINTS = [UNREACHABLE_TAINT, NOT_READY_TAINT];
const PROPAGATED_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** What we last saw of a node's signs of life, and when (our clock) we saw them change. */
export interface Probe {
  renewTime?: string;
  heartbeatTime?: string;
  /** ms since epoch, our clock */
  observedAt: number;
}

export function readyHeartbeat(node: Node | undefined): string | undefined {
  return node?.status?.conditions?.find((c) => c.type === 'Ready')?.lastHeartbeatTime;
}

/** A new probe when the lease renewal or the Ready heartbeat moved since `previous` (or there was none). */
export function observeProbe(previous: Probe | undefined, seen: { renewTime?: string; heartbeatTime?: string }, nowMs: number): Probe {
  if (previous && previous.renewTime === seen.renewTime && previous.heartbeatTime === seen.heartbeatTime) return previous;
  return { renewTime: seen.renewTime, heartbeatTime: seen.heartbeatTime, observedAt: nowMs };
}

export function isHealthy(probe: Probe, nowMs: number, gracePeriodMs: number): boolean {
  return nowMs - probe.observedAt <= gracePeriodMs;
}

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * The conditions to write when the node stopped proving it is alive: Ready and the pressure conditions go
 * Unknown. Returns only conditions that change; empty when all already say Unknown.
 */
export function unknownConditions(node: Node, nowMs: number): NodeCondition[] {
  const existing = node.status?.conditions ?? [];
  const out: NodeCondition[] = [];
  if (!existing.some((c) => c.type === 'Ready')) {
    // No lastHeartbeatTime: heartbeats are the node's sign of life, and this one would be ours.
    out.push({ type: 'Ready', status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastTransitionTime: iso(nowMs) });
  }
  for (const c of existing) {
    if (!PROPAGATED_CONDITIONS.includes(c.type) || c.status === 'Unknown') continue;
    out.push({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: iso(nowMs) });
  }
  return out;
}

/** The NoExecute taint a node should carry: unreachable when Ready is Unknown, not-ready when False, none when True or alive. */
export function desiredNoExecuteTaint(readyStatus: NodeCondition['status'] | undefined, isAlive: boolean): string | undefined {
  if (!isAlive) return UNREACHABLE_TAINT;
  if (readyStatus === 'False') return NOT_READY_TAINT;
  return undefined;
}

/** The node's taints with our NoExecute taints set to `wanted`; undefined when nothing changes. */
export function reconcileTaints(taints: readonly Taint[] | undefined, wanted: string | undefined, nowMs: number): Taint[] | undefined {
  const current = taints ?? [];
  const ours = current.filter((t) => t.effect === 'NoExecute' && MANAGED_TAINTS.includes(t.key));
  if (ours.length === (wanted ? 1 : 0) && (!wanted || ours[0].key === wanted)) return undefined;
  const kept = current.filter((t) => !(t.effect === 'NoExecute' && MANAGED_TAINTS.includes(t.key)));
  return wanted ? [...kept, { key: wanted, effect: 'NoExecute', timeAdded: iso(nowMs) }] : kept;
}

export function noExecuteTaint(taints: readonly Taint[] | undefined): Taint | undefined {
  return taints?.find((t) => t.effect === 'NoExecute' && MANAGED_TAINTS.includes(t.key));
}


/**
 * When (ms) a pod on a node tainted with `taint` is evicted: taint time plus the shortest tolerationSeconds of
 * the tolerations that match; never if one matches without a limit; `defaultDelayMs` when none matches
 * (upstream would evict at once; pods normally carry the 300s default tolerations from admission).
 */
export function evictionTime(pod: Pod, taint: Taint, defaultDelayMs: number): number | undefined {
  const added = taint.timeAdded ? Date.parse(taint.timeAdded) : NaN;
  if (Number.isNaN(added)) return undefined;
  const matching = ((pod.spec as { tolerations?: Toleration[] }).tolerations ?? []).filter((t) => tolerates(t, taint));
  if (matching.length === 0) return added + defaultDelayMs;
  if (matching.some((t) => t.tolerationSeconds === undefined || t.tolerationSeconds === null)) return undefined;
  return added + Math.max(0, Math.min(...matching.map((t) => t.tolerationSeconds!))) * 1000;
}

export type PodAction = 'markNotReady' | 'evict' | 'forceDelete';

/**
 * What to do with a pod on an unhealthy node. Ready goes False at once (so endpoints drop it); at its eviction
 * time it is deleted; once its grace period is over and the node is still tainted, nobody is left to confirm
 * it stopped, so it is force-deleted (Skiff's choice; upstream leaves such pods Terminating).
 */
export function podActions(pod: Pod, taint: Taint, nowMs: number, defaultDelayMs: number): PodAction[] {
  const out: PodAction[] = [];
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready && ready.status !== 'False') out.push('markNotReady');
  const deletionTimestamp = pod.metadata.deletionTimestamp;
  if (deletionTimestamp) {
    if (nowMs >= Date.parse(deletionTimestamp)) out.push('forceDelete');
    return out;
  }
  const at = evictionTime(pod, taint, defaultDelayMs);
  if (at !== undefined && nowMs >= at) out.push('evict');
  return out;
}
