// Cell formatting shared by the table printers, following kube-apiserver's printers and apimachinery helpers.
import type { LabelSelector } from '../../api/types.ts';

export type Obj = Record<string, unknown>;

export interface ColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

export interface RowCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** How one kind is printed: its columns (wide ones have priority 1) and the cells of one object. */
export interface KindPrinter {
  columns: readonly ColumnDefinition[];
  cells(obj: Obj, now: Date): unknown[];
  conditions?(obj: Obj): RowCondition[] | undefined;
}

export function column(name: string, description: string, options: { type?: string; format?: string; priority?: number } = {}): ColumnDefinition {
  return { name, type: options.type ?? 'string', format: options.format ?? '', description, priority: options.priority ?? 0 };
}

// Descriptions upstream takes from the ObjectMeta swagger docs (first sentence).
export const NAME_COLUMN = column('Name', 'Name must be unique within a namespace.', { format: 'name' });
export const AGE_COLUMN = column('Age', 'CreationTimestamp is a timestamp representing the server time when this object was created.');

export function rec(v: unknown): Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Obj) : {};
}

export function recs(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter((x): x is Obj => typeof x === 'object' && x !== null && !Array.isArray(x)) : [];
}

export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

export function num(v: unknown): number {
  return typeof v === 'number' && Number.isFinite(v) ? v : 0;
}

export function strs(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function nameOf(obj: Obj): string {
  return str(rec(obj.metadata).name);
}

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * apimachinery's duration.HumanDuration: about two significant figures ("45s", "3m20s", "10m", "5h3m", "3d4h",
 * "45d", "2y30d"). A clock skew of under two seconds reads as "0s".
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  const days = Math.trunc(hours / 24);
  if (hours < 24 * 8) {
    const h = hours % 24;
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${days}d`;
  const years = Math.trunc(days / 365);
  if (hours < 24 * 365 * 8) {
    const dy = days % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

const GO_ZERO_TIME = Date.parse('0001-01-01T00:00:00Z');

/** Milliseconds since the epoch, or undefined for an absent, null or zero (0001-01-01) timestamp. */
export function parseTime(v: unknown): number | undefined {
  if (typeof v !== 'string' || v === '') return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t) || t === GO_ZERO_TIME) return undefined;
  return t;
}

/** translateTimestampSince: the age of a timestamp, "<unknown>" when it is unset. */
export function since(timestamp: unknown, now: Date): string {
  const t = typeof timestamp === 'number' ? timestamp : parseTime(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(now.getTime() - t);
}

export function ageOf(obj: Obj, now: Date): string {
  return since(rec(obj.metadata).creationTimestamp, now);
}

/** labels.FormatLabels: "k=v" pairs sorted by key, "<none>" when empty. */
export function formatLabels(labels: unknown): string {
  const entries = Object.entries(rec(labels)).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return entries.length ? entries.map(([k, v]) => `${k}=${String(v)}`).join(',') : '<none>';
}

/** labels.Selector.String() of a LabelSelector: requirements sorted by key, "" when it selects everything or nothing. */
export function selectorString(sel: unknown): string {
  const s = rec(sel) as LabelSelector;
  const reqs: { key: string; text: string }[] = [];
  for (const [key, value] of Object.entries(s.matchLabels ?? {})) reqs.push({ key, text: `${key}=${value}` });
  for (const e of s.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    const text =
      e.operator === 'In' ? `${e.key} in (${values})`
      : e.operator === 'NotIn' ? `${e.key} notin (${values})`
      : e.operator === 'Exists' ? e.key
      : `!${e.key}`;
    reqs.push({ key: e.key, text });
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** metav1.FormatLabelSelector: like selectorString, but "<none>" when empty. */
export function formatLabelSelector(sel: unknown): string {
  return selectorString(sel) || '<none>';
}

/** The first `max` entries joined by ",", then " + N more..." for the rest; "<unset>" when there are none. */
export function listWithMore(all: readonly string[], max = 3): string {
  const shown = all.slice(0, max).join(',');
  if (all.length > max) return `${shown} + ${all.length - max} more...`;
  return shown || '<unset>';
}

/** Container names and images, each joined by "," (the wide Containers and Images columns). */
export function containerCells(podSpec: unknown): [string, string] {
  const containers = recs(rec(podSpec).containers);
  return [containers.map((c) => str(c.name)).join(','), containers.map((c) => str(c.image)).join(',')];
}

export const CONTAINERS_COLUMN = column('Containers', 'Names of each container in the template.', { priority: 1 });
export const IMAGES_COLUMN = column('Images', 'Images referenced by each container in the template.', { priority: 1 });
