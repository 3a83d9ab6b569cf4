// One pod on this node, from its sandbox to its deletion: a serialized sync loop that plans (pod-actions.ts),
// starts and kills containers, and reports status on every change.
import { rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import type { AgentContext } from './agent-context.ts';
import { ContainerSet } from './container-set.ts';
import { planPodActions } from './pod-actions.ts';
import { setUpSandbox, tearDownSandbox, podDirOf } from './pod-sandbox.ts';
import type { Sandbox } from './pod-sandbox.ts';
import { renderPodStatus } from './pod-status.ts';
import type { NodePod } from './pod-types.ts';

/** The kubelet never gives a container less than this to stop. */
const MIN_GRACE_SECONDS = 2;

export class PodWorker {
  readonly uid: string;
  #ctx: AgentContext;
  #pod: NodePod;
  #containers: ContainerSet;
  #sandbox?: Sandbox;
  #sandboxError?: string;
  #startTimeMs = Date.now();
  #terminalPhase?: 'Succeeded' | 'Failed';
  #isGone = false;
  /** The pod was Succeeded/Failed before this worker ran it: its status is not ours to rewrite. */
  #isFinishedBefore = false;
  #isDone = false;
  #isStopped = false;
  #running?: Promise<void>;
  #isDirty = false;
  #wake?: NodeJS.Timeout;
  #lastStatus?: Record<string, unknown>;
  #statusWrite: Promise<void> = Promise.resolve();
  /** Resolves once the pod is torn down (after deletion) and the worker can be dropped. */
  readonly finished: Promise<void>;
  #resolveFinished!: () => void;

  constructor(ctx: AgentContext, pod: NodePod) {
    this.#ctx = ctx;
    this.#pod = pod;
    this.uid = pod.metadata.uid!;
    this.finished = new Promise((r) => (this.#resolveFinished = r));
    this.#containers = new ContainerSet(ctx, { pod, podDir: podDirOf(ctx, pod), onChange: () => this.requestSync() });
    const started = pod.status?.startTime ? Date.parse(pod.status.startTime as string) : NaN;
    if (!Number.isNaN(started)) this.#startTimeMs = started;
  }

  get pod(): NodePod {
    return this.#pod;
  }

  get containers(): ContainerSet {
    return this.#containers;
  }

  get podIPs(): string[] {
    return this.#sandbox?.ips ?? [];
  }

  update(pod: NodePod): void {
    if (pod.metadata.uid !== this.uid) return;
    this.#pod = pod;
    this.#containers.updatePod(pod);
    this.requestSync();
  }

  /** The pod is gone from the API (force-deleted): stop everything quickly. */
  markGone(): void {
    this.#isGone = true;
    this.requestSync();
  }

  requestSync(): void {
    if (this.#isStopped || this.#isDone) return;
    this.#isDirty = true;
    if (!this.#running) this.#running = this.#loop().finally(() => (this.#running = undefined));
  }

  /** Agent stop without teardown: leave the containers running for the next agent. */
  release(): void {
    this.#isStopped = true;
    clearTimeout(this.#wake);
    this.#containers.release();
  }

  /** `skiff down`: kill everything at once and remove the sandbox (the API object stays). */
  async destroy(): Promise<void> {
    this.#isStopped = true;
    clearTimeout(this.#wake);
    const name = `${this.#pod.metadata.namespace}/${this.#pod.metadata.name}`;
    await this.#running?.catch(() => undefined);
    await this.#containers.killAll({ graceMs: 0 });
    await tearDownSandbox(this.#ctx, { uid: this.uid, podDir: podDirOf(this.#ctx, this.#pod), isRemovingFiles: true });
    this.#ctx.log(`pod ${name}: containers killed, sandbox removed`);
  }

  async #loop(): Promise<void> {
    while (this.#isDirty && !this.#isStopped && !this.#isDone) {
      this.#isDirty = false;
      try {
        await this.#sync();
      } catch (e) {
        this.#ctx.log(`pod ${this.#pod.metadata.namespace}/${this.#pod.metadata.name}: ${(e as Error).message}`);
        this.#scheduleWake(this.#ctx.errorRetryMs);
      }
    }
  }

  async #sync(): Promise<void> {
    if (this.#isGone || this.#pod.metadata.deletionTimestamp) return this.#terminate();
    if (this.#terminalPhase) return this.#pushStatus();
    const apiPhase = this.#pod.status?.phase;
    if (!this.#sandbox && (apiPhase === 'Succeeded' || apiPhase === 'Failed')) {
      // Finished before this agent started: nothing runs again, its status stays as written; only clean up.
      this.#isFinishedBefore = true;
      await this.#containers.killAll({ graceMs: 0 });
      await tearDownSandbox(this.#ctx, { uid: this.uid, podDir: podDirOf(this.#ctx, this.#pod), isRemovingFiles: false });
      return;
    }
    if (!this.#sandbox) {
      try {
        this.#sandbox = await setUpSandbox(this.#ctx, this.#pod);
        this.#sandboxError = undefined;
        this.#containers.setSandbox(this.#sandbox);
        if (this.#sandbox.isAdopted) {
          this.#containers.adoptAll();
          await this.#containers.killUnadopted();
        } else await this.#containers.adoptExited();
      } catch (e) {
        this.#sandboxError = (e as Error).message;
        this.#ctx.log(`pod ${this.#pod.metadata.namespace}/${this.#pod.metadata.name}: sandbox: ${this.#sandboxError}`);
        await this.#pushStatus();
        this.#scheduleWake(this.#ctx.errorRetryMs);
        return;
      }
    }
    const now = Date.now();
    const actions = planPodActions({
      restartPolicy: this.#pod.spec.restartPolicy ?? 'Always',
      initContainers: this.#containers.initRecords(),
      containers: this.#containers.appRecords(),
      failedProbes: this.#containers.failedProbes(),
      backoffRemaining: (name, finishedAtMs) => this.#ctx.backoff.remaining(this.#containers.backoffKey(name), { finishedAtMs, nowMs: now }),
      nowMs: now,
    });
    let wakeMs = Infinity;
    for (const a of actions) {
      if (a.type === 'start') await this.#containers.start(a.container);
      else if (a.type === 'kill') this.#containers.killForProbe(a.container, a.reason);
      else if (a.type === 'wait') {
        if (a.isCrashLoop) this.#containers.markBackoff(a.container);
        wakeMs = Math.min(wakeMs, a.waitMs);
      } else if (a.type === 'finish') {
        this.#terminalPhase = a.phase;
        await this.#containers.killAll({ graceMs: 0 });
        await tearDownSandbox(this.#ctx, { uid: this.uid, podDir: podDirOf(this.#ctx, this.#pod), isRemovingFiles: false });
      }
    }
    if (wakeMs < Infinity) this.#scheduleWake(wakeMs);
    await this.#pushStatus();
  }

  async #terminate(): Promise<void> {
    clearTimeout(this.#wake);
    const grace = Math.max(MIN_GRACE_SECONDS, this.#pod.metadata.deletionGracePeriodSeconds ?? this.#pod.spec.terminationGracePeriodSeconds ?? 30);
    await this.#containers.killAll({ graceMs: this.#isGone ? MIN_GRACE_SECONDS * 1000 : grace * 1000, hasPreStop: !this.#isGone });
    const podDir = podDirOf(this.#ctx, this.#pod);
    await tearDownSandbox(this.#ctx, { uid: this.uid, podDir, isRemovingFiles: false });
    this.#sandbox = undefined;
    if (!this.#isGone) {
      await this.#pushStatus().catch(() => undefined);
      await this.#statusWrite;
      await this.#ctx.deletePod(this.#pod);
    }
    rmSync(podDir, { recursive: true, force: true });
    this.#isDone = true;
    this.#ctx.backoff.forget(`${this.uid}/`);
    this.#resolveFinished();
  }

  #scheduleWake(ms: number): void {
    clearTimeout(this.#wake);
    this.#wake = setTimeout(() => this.requestSync(), Math.max(0, ms));
  }

  /** Computes the status and writes it if it changed; writes are serialized and never block the sync loop on errors. */
  async #pushStatus(): Promise<void> {
    if (this.#isFinishedBefore) return;
    const status = renderPodStatus({
      pod: this.#pod,
      initContainers: this.#containers.initRecords(),
      containers: this.#containers.appRecords(),
      podIPs: this.#sandbox?.ips ?? (this.#terminalPhase ? this.#lastPodIPs() : []),
      hostIPs: [this.#ctx.nodeIp],
      startTimeMs: this.#startTimeMs,
      isSandboxReady: this.#sandbox !== undefined && !this.#terminalPhase,
      terminalPhase: this.#terminalPhase,
      nowMs: Date.now(),
    });
    if (this.#sandboxError && !this.#sandbox) {
      const c = status.conditions.find((x) => x.type === 'PodReadyToStartContainers');
      if (c) c.message = this.#sandboxError;
    }
    if (isDeepStrictEqual(status, this.#lastStatus)) return;
    this.#lastStatus = status;
    this.#statusWrite = this.#statusWrite.then(() => this.#ctx.writeStatus(this.#pod, status)).catch((e) => {
      this.#lastStatus = undefined;
      this.#ctx.log(`pod ${this.#pod.metadata.namespace}/${this.#pod.metadata.name}: status: ${(e as Error).message}`);
    });
  }

  #lastPodIPs(): string[] {
    const s = this.#pod.status;
    return s?.podIPs?.map((p) => p.ip) ?? (s?.podIP ? [s.podIP] : []);
  }

  /** Lets the status reflect a probe or container change without a full sync. */
  statusChanged(): void {
    void this.#pushStatus();
  }
}
