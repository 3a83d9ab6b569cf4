// The probes of one running container instance: startup first, then liveness and readiness, each on its own
// schedule (probe-state.ts), reporting when the container's started/ready/failed verdict changes.
import { ProbeState } from './probe-state.ts';
import type { ProbeKind, ProbeOutcome } from './probe-state.ts';
import type { PodContainer, ProbeHandler } from './pod-types.ts';

export type ProbeRunner = (handler: ProbeHandler, options: { timeoutMs: number }) => Promise<ProbeOutcome>;

export class ContainerProbes {
  readonly startup?: ProbeState;
  readonly liveness?: ProbeState;
  readonly readiness?: ProbeState;
  #run: ProbeRunner;
  #onChange: (kind: ProbeKind, outcome: ProbeOutcome) => void;
  #timer?: NodeJS.Timeout;
  #isStopped = false;
  #now: () => number;

  constructor(container: PodContainer, options: { startedAtMs: number; run: ProbeRunner; onChange: (kind: ProbeKind, outcome: ProbeOutcome) => void; now?: () => number }) {
    if (container.startupProbe) this.startup = new ProbeState(container.startupProbe, { kind: 'startup', startedAtMs: options.startedAtMs });
    if (container.livenessProbe) this.liveness = new ProbeState(container.livenessProbe, { kind: 'liveness', startedAtMs: options.startedAtMs });
    if (container.readinessProbe) this.readiness = new ProbeState(container.readinessProbe, { kind: 'readiness', startedAtMs: options.startedAtMs });
    this.#run = options.run;
    this.#onChange = options.onChange;
    this.#now = options.now ?? Date.now;
  }

  get isStarted(): boolean {
    return !this.startup || this.startup.isPassing;
  }

  get isReady(): boolean {
    return this.isStarted && (!this.readiness || this.readiness.isPassing);
  }

  /** Set once a liveness or startup probe failed: the container must be killed. */
  get failure(): 'LivenessFailed' | 'StartupFailed' | undefined {
    if (this.startup && this.startup.isDone && !this.startup.isPassing) return 'StartupFailed';
    if (this.liveness && this.liveness.isDone && !this.liveness.isPassing) return 'LivenessFailed';
    return undefined;
  }

  start(): void {
    this.#schedule();
  }

  stop(): void {
    this.#isStopped = true;
    clearTimeout(this.#timer);
  }

  #active(): ProbeState[] {
    if (this.failure) return [];
    if (this.startup && !this.startup.isDone) return [this.startup];
    return [this.liveness, this.readiness].filter((p): p is ProbeState => p !== undefined && !p.isDone);
  }

  #schedule(): void {
    if (this.#isStopped) return;
    const active = this.#active();
    if (active.length === 0) return;
    const due = Math.min(...active.map((p) => p.nextDueMs()));
    this.#timer = setTimeout(() => void this.#tick(), Math.max(0, due - this.#now()));
  }

  async #tick(): Promise<void> {
    const now = this.#now();
    const due = this.#active().filter((p) => p.nextDueMs() <= now);
    await Promise.all(due.map(async (p) => {
      const handler: ProbeHandler = p.probe;
      const outcome = await this.#run(handler, { timeoutMs: p.timeoutMs });
      if (this.#isStopped) return;
      if (p.record(outcome, now)) this.#onChange(p.kind, outcome);
    }));
    this.#schedule();
  }
}
