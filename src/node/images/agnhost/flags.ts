// Command-line flags the way agnhost's cobra/pflag reads them: `--name=value`, `--name value` (the next
// argument is taken even when it starts with `-`, so `--udp-port -1` works), bare `--name` for booleans only,
// `--` ends flags, positionals may sit between flags.

export class FlagError extends Error {
  override name = 'FlagError';
  readonly code = 'AGNHOST_FLAG';
}

export interface FlagSpec<T> {
  kind: 'bool' | 'int' | 'string' | 'duration';
  default: T;
}

export const bool = (d: boolean): FlagSpec<boolean> => ({ kind: 'bool', default: d });
export const int = (d: number): FlagSpec<number> => ({ kind: 'int', default: d });
export const str = (d: string): FlagSpec<string> => ({ kind: 'string', default: d });
/** A Go duration (`5s`, `1m30s`, `250ms`); the parsed value is in milliseconds. */
export const duration = (ms: number): FlagSpec<number> => ({ kind: 'duration', default: ms });

export type FlagValues<S extends Record<string, FlagSpec<unknown>>> = { [K in keyof S]: S[K]['default'] };

export interface ParsedFlags<S extends Record<string, FlagSpec<unknown>>> {
  flags: FlagValues<S>;
  positionals: string[];
}

// agnhost adds klog's flags to every subcommand (tests pass e.g. `--v=2`); they are accepted and ignored.
const KLOG_FLAGS: Record<string, FlagSpec<unknown>> = {
  v: str('0'), vmodule: str(''), log_dir: str(''), log_file: str(''), log_file_max_size: str(''), stderrthreshold: str(''),
  log_backtrace_at: str(''), logtostderr: bool(true), alsologtostderr: bool(false), add_dir_header: bool(false),
  skip_headers: bool(false), skip_log_headers: bool(false), one_output: bool(false),
};

export function parseFlags<S extends Record<string, FlagSpec<unknown>>>(argv: readonly string[], spec: S): ParsedFlags<S> {
  const values: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(spec)) values[name] = s.default;
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!a.startsWith('-') || a === '-') {
      positionals.push(a);
      continue;
    }
    if (!a.startsWith('--')) throw new FlagError(`unknown shorthand flag: ${JSON.stringify(a.slice(1, 2))} in ${a}`);
    const eq = a.indexOf('=');
    const name = eq > 0 ? a.slice(2, eq) : a.slice(2);
    const s = spec[name] ?? KLOG_FLAGS[name];
    if (!s) throw new FlagError(`unknown flag: --${name}`);
    let raw: string;
    if (eq > 0) raw = a.slice(eq + 1);
    else if (s.kind === 'bool') raw = 'true';
    else if (i + 1 < argv.length) raw = argv[++i];
    else throw new FlagError(`flag needs an argument: --${name}`);
    if (name in spec) values[name] = convert(name, s.kind, raw);
  }
  return { flags: values as FlagValues<S>, positionals };
}

function convert(name: string, kind: FlagSpec<unknown>['kind'], raw: string): unknown {
  const invalid = () => new FlagError(`invalid argument ${JSON.stringify(raw)} for "--${name}" flag`);
  switch (kind) {
    case 'string':
      return raw;
    case 'bool': {
      // strconv.ParseBool's spellings.
      if (['1', 't', 'T', 'true', 'TRUE', 'True'].includes(raw)) return true;
      if (['0', 'f', 'F', 'false', 'FALSE', 'False'].includes(raw)) return false;
      throw invalid();
    }
    case 'int': {
      if (!/^[+-]?\d+$/.test(raw)) throw invalid();
      return Number(raw);
    }
    case 'duration': {
      const ms = parseGoDuration(raw);
      if (ms === undefined) throw invalid();
      return ms;
    }
  }
}

const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, 'μs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Parses a Go `time.Duration` string into milliseconds; undefined when it is not one. */
export function parseGoDuration(text: string): number | undefined {
  const m = /^([+-]?)(.*)$/.exec(text);
  if (!m || m[2] === '') return undefined;
  if (m[2] === '0') return 0;
  let total = 0;
  let rest = m[2];
  while (rest.length > 0) {
    const part = /^(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/.exec(rest);
    if (!part) return undefined;
    total += Number(part[1]) * UNIT_MS[part[2]];
    rest = rest.slice(part[0].length);
  }
  return m[1] === '-' ? -total : total;
}
