// The CRI container log format (`<RFC3339Nano> <stdout|stderr> <P|F> <text>`), as the kubelet reads it for
// `kubectl logs`. Pure: formatting, parsing and the selection that --tail, --since and --limit-bytes make.

export type LogStream = 'stdout' | 'stderr';

export interface CriLogEntry {
  /** RFC 3339 with nanoseconds, as written. */
  time: string;
  stream: LogStream;
  /** P: a partial line (more follows), F: the line's end. */
  isPartial: boolean;
  text: string;
}

/** The CRI runtimes split lines longer than this into partial entries. */
export const MAX_LOG_LINE = 16 * 1024;

export function formatCriLine(entry: CriLogEntry): string {
  return `${entry.time} ${entry.stream} ${entry.isPartial ? 'P' : 'F'} ${entry.text}\n`;
}

/** Parses one line (without its newline); undefined if it is not a CRI log line. */
export function parseCriLine(line: string): CriLogEntry | undefined {
  const a = line.indexOf(' ');
  const b = line.indexOf(' ', a + 1);
  if (a <= 0 || b < 0) return undefined;
  const stream = line.slice(a + 1, b);
  if (stream !== 'stdout' && stream !== 'stderr') return undefined;
  const tag = line.slice(b + 1, b + 2);
  if (tag !== 'P' && tag !== 'F') return undefined;
  return { time: line.slice(0, a), stream, isPartial: tag === 'P', text: line.slice(b + 3) };
}

/** A clock reading as RFC 3339 with nanoseconds: `2024-05-01T10:00:00.123456789Z`. */
export function rfc3339Nano(epochNs: bigint): string {
  const ms = Number(epochNs / 1_000_000n);
  const frac = (epochNs % 1_000_000_000n).toString().padStart(9, '0');
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, `.${frac}Z`);
}

/** Nanoseconds since the epoch for an RFC 3339 time with any number of fractional digits; NaN-safe (0n). */
export function parseRfc3339Nano(time: string): bigint {
  const m = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(time);
  if (!m) return 0n;
  const ms = Date.parse(m[1] + m[3]);
  if (Number.isNaN(ms)) return 0n;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0').slice(0, 9) || '0');
}

export interface LogSelection {
  tailLines?: number;
  /** Only entries at or after this instant (ns since the epoch). */
  sinceNs?: bigint;
  timestamps?: boolean;
  limitBytes?: number;
}

/**
 * What `kubectl logs` shows of a log file's complete lines: an F entry ends a line with a newline, a P entry
 * does not. --tail counts whole lines; --timestamps prefixes each entry with its time.
 */
export function renderLogEntries(entries: readonly CriLogEntry[], selection: LogSelection = {}): string {
  let chosen = entries.filter((e) => selection.sinceNs === undefined || parseRfc3339Nano(e.time) >= selection.sinceNs);
  if (selection.tailLines !== undefined) chosen = tailEntries(chosen, selection.tailLines);
  let out = chosen.map((e) => renderEntry(e, selection.timestamps === true)).join('');
  if (selection.limitBytes !== undefined) out = Buffer.from(out).subarray(0, selection.limitBytes).toString('utf8');
  return out;
}

export function renderEntry(e: CriLogEntry, hasTimestamps: boolean): string {
  return `${hasTimestamps ? `${e.time} ` : ''}${e.text}${e.isPartial ? '' : '\n'}`;
}

function tailEntries(entries: readonly CriLogEntry[], lines: number): CriLogEntry[] {
  if (lines <= 0) return [];
  let full = 0;
  let i = entries.length - 1;
  // A trailing partial entry belongs to the line still being written; it counts as that line.
  if (i >= 0 && entries[i].isPartial) full++;
  for (; i >= 0; i--) {
    if (!entries[i].isPartial) {
      if (full === lines) break;
      full++;
    }
  }
  return entries.slice(i + 1);
}

export function parseCriLog(text: string): CriLogEntry[] {
  const out: CriLogEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const e = parseCriLine(line);
    if (e) out.push(e);
  }
  return out;
}

/**
 * Splits a stream's bytes into CRI entries: one F entry per newline-terminated line, P entries for lines
 * longer than MAX_LOG_LINE. Keeps the unterminated rest for the next chunk; `flush` emits it as F (at EOF).
 */
export class LineSplitter {
  #rest = '';

  push(chunk: string): { text: string; isPartial: boolean }[] {
    const out: { text: string; isPartial: boolean }[] = [];
    let data = this.#rest + chunk;
    let nl: number;
    while ((nl = data.indexOf('\n')) >= 0) {
      out.push(...splitLong(data.slice(0, nl), false));
      data = data.slice(nl + 1);
    }
    while (data.length > MAX_LOG_LINE) {
      out.push({ text: data.slice(0, MAX_LOG_LINE), isPartial: true });
      data = data.slice(MAX_LOG_LINE);
    }
    this.#rest = data;
    return out;
  }

  flush(): { text: string; isPartial: boolean }[] {
    const rest = this.#rest;
    this.#rest = '';
    return rest ? [{ text: rest, isPartial: false }] : [];
  }
}

function splitLong(line: string, isLastPartial: boolean): { text: string; isPartial: boolean }[] {
  const out: { text: string; isPartial: boolean }[] = [];
  let rest = line;
  while (rest.length > MAX_LOG_LINE) {
    out.push({ text: rest.slice(0, MAX_LOG_LINE), isPartial: true });
    rest = rest.slice(MAX_LOG_LINE);
  }
  out.push({ text: rest, isPartial: isLastPartial });
  return out;
}
