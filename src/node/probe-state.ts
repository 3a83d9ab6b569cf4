// One probe of one container instance, as the kubelet's prober worker keeps it: when the next run is due and
// what the result is after failureThreshold / successThreshold consecutive outcomes. Pure (times in ms).
import type { Probe } from './pod-types.ts';

export type ProbeKind = 'readiness' | 'liveness' | 'startup';

export interface ProbeOutcome {
  isSuccess: boolean;
  /** Why it failed (shown in events and logs). */
  message?: string;
}

export class ProbeState {
  readonly kind: ProbeKind;
  readonly probe: Probe;
  #startedAtMs: number;
  #lastRunMs: number | undefined;
  #isPassing: boolean;
  #run = 0;
  #lastOutcome: boolean | undefined;
  /** Liveness and startup stop after a failure until the container restarts (a new ProbeState). */
  #isOnHold = false;

  constructor(probe: Probe, options: { kind: ProbeKind; startedAtMs: number }) {
    const kind = options.kind;
    this.kind = kind;
    this.probe = probe;
    this.#startedAtMs = options.startedAtMs;
    // Until proven otherwise a container is not ready and not started, but alive.
    this.#isPassing = kind === 'liveness';
  }

  get isPassing(): boolean {
    return this.#isPassing;
  }

  get isDone(): boolean {
    return this.#isOnHold || (this.kind === 'startup' && this.#isPassing);
  }

  get periodMs(): number {
    return (this.probe.periodSeconds || 10) * 1000;
  }

  get timeoutMs(): number {
    return (this.probe.timeoutSeconds || 1) * 1000;
  }

  /** When the next run is due: initialDelaySeconds after the start, then every periodSeconds. */
  nextDueMs(): number {
    if (this.#lastRunMs === undefined) return this.#startedAtMs + (this.probe.initialDelaySeconds ?? 0) * 1000;
    return this.#lastRunMs + this.periodMs;
  }

  /** Records one run's outcome; returns true when the probe's result flipped. */
  record(outcome: ProbeOutcome, atMs: number): boolean {
    this.#lastRunMs = atMs;
    if (this.#lastOutcome === outcome.isSuccess) this.#run++;
    else {
      this.#lastOutcome = outcome.isSuccess;
      this.#run = 1;
    }
    const threshold = outcome.isSuccess ? (this.probe.successThreshold || 1) : (this.probe.failureThreshold || 3);
    if (this.#run < threshold || this.#isPassing === outcome.isSuccess) return false;
    this.#isPassing = outcome.isSuccess;
    if (!outcome.isSuccess && this.kind !== 'readiness') this.#isOnHold = true;
    return true;
  }
}
