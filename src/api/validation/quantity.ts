// Resource quantities ("500m", "1Gi", "2e3"), read the way apimachinery's resource.Quantity reads them.

export const QUANTITY_REGEX_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

/** The quantity's value as a number, or undefined when it is not a quantity at all. */
export function parseQuantity(v: unknown): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v !== 'string') return undefined;
  const m = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(.*)$/.exec(v);
  if (!m) return undefined;
  const [, sign, digits, suffix] = m;
  let scale: number | undefined = BINARY[suffix] ?? DECIMAL[suffix];
  if (scale === undefined) {
    const exp = /^[eE]([+-]?[0-9]+)$/.exec(suffix);
    if (!exp) return undefined;
    scale = 10 ** Number(exp[1]);
  }
  const value = Number(digits) * scale;
  return sign === '-' ? -value : value;
}
