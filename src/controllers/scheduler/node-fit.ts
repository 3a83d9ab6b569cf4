// Whether a pod may run on a node, as the default profile's filter plugins decide it, first failure wins:
// NodeUnschedulable, TaintToleration, NodeAffinity (spec.nodeSelector + required node affinity).
import type { KubeObject, Pod } from '../../api/types.ts';
import { matchesRequirements } from '../../api/selectors.ts';
import type { LabelOperator } from '../../api/selectors.ts';

export type { TaintEffect, Taint, Toleration, NodeCondition, Node } from '../../api/nodes.ts';
export { tolerates } from '../../api/nodes.ts';
import { tolerates } from '../../api/nodes.ts';
import type { Taint, Toleration, NodeCondition, Node } from '../../api/nodes.ts';

export interface NodeSelectorRequirement {
  key: string;
  operator: LabelOperator;
  values?: string[];
}

export interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

export interface SchedulingSpec {
  nodeSelector?: Record<string, string>;
  tolerations?: Toleration[];
  affinity?: { nodeAffinity?: { requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms?: NodeSelectorTerm[] } } };
}

export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';
export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

export const REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const REASON_AFFINITY = "node(s) didn't match Pod's node affinity/selector";

export function isTolerated(taint: Taint, tolerations: readonly Toleration[] | undefined): boolean {
  return (tolerations ?? []).some((t) => tolerates(t, taint));
}

export function readyCondition(node: Node): NodeCondition | undefined {
  return node.status?.conditions?.find((c) => c.type === 'Ready');
}

/**
 * The node's taints plus the NoSchedule taint upstream's node lifecycle controller would put on a node
 * that is not Ready, so a not-ready node is filtered (and reported) exactly as upstream reports it.
 */
export function effectiveTaints(node: Node): Taint[] {
  const taints = [...(node.spec?.taints ?? [])];
  const status = readyCondition(node)?.status;
  const implicit = status === 'True' ? undefined : status === 'Unknown' ? UNREACHABLE_TAINT : NOT_READY_TAINT;
  if (implicit && !taints.some((t) => t.key === implicit && t.effect === 'NoSchedule')) taints.push({ key: implicit, effect: 'NoSchedule' });
  return taints;
}

function nodeFields(node: Node): Record<string, string> {
  return { 'metadata.name': node.metadata.name ?? '' };
}

function matchesTerm(term: NodeSelectorTerm, node: Node): boolean {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  // An empty term matches no objects (upstream's NodeSelectorTerm semantics).
  if (expressions.length === 0 && fields.length === 0) return false;
  const req = (e: NodeSelectorRequirement) => ({ key: e.key, operator: e.operator, values: e.values ?? [] });
  return matchesRequirements(expressions.map(req), node.metadata.labels) && matchesRequirements(fields.map(req), nodeFields(node));
}

/** spec.nodeSelector AND (any of the required node affinity terms). */
export function matchesNodeAffinity(spec: SchedulingSpec, node: Node): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(spec.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (terms === undefined) return true;
  return terms.some((t) => matchesTerm(t, node));
}

/** Why the pod cannot run on the node, in upstream's words, or undefined if it fits. */
export function unfitReason(pod: Pod, node: Node): string | undefined {
  const spec = pod.spec as SchedulingSpec;
  if (node.spec?.unschedulable && !isTolerated({ key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule' }, spec.tolerations)) return REASON_UNSCHEDULABLE;
  for (const taint of effectiveTaints(node)) {
    if (taint.effect === 'PreferNoSchedule') continue;
    if (!isTolerated(taint, spec.tolerations)) return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
  }
  if (!matchesNodeAffinity(spec, node)) return REASON_AFFINITY;
  return undefined;
}
