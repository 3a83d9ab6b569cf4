// Waiting for a condition with a deadline, never a fixed sleep.

export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | false> | T | undefined | false, options: { timeoutMs?: number; intervalMs?: number } = {}): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const interval = options.intervalMs ?? 25;
  let lastError: unknown;
  while (true) {
    try {
      const v = await probe();
      if (v !== undefined && v !== false) return v;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() > deadline) {
      throw new DeadlineError(`timed out waiting for ${what}${lastError ? `: ${lastError instanceof Error ? lastError.message : String(lastError)}` : ''}`, { cause: lastError });
    }
    await new Promise((r) => setTimeout(r, interval));
  }
}
