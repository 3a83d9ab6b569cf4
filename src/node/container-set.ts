// The containers of one pod: their records (restart counts, last exits, waiting reasons), the running instances,
// their probes, and the start / kill / adopt operations the pod worker asks for.
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { AgentContext } from './agent-context.ts';
import { buildContainerLaunch } from './container-launch.ts';
import { ContainerProbes } from './container-probes.ts';
import { probeTarget, runHook } from './container-exec.ts';
import { isRunning, newRecord, terminationReason } from './container-record.ts';
import type { ContainerExit, ContainerRecord } from './container-record.ts';
import { ContainerRuntime } from './container-runtime.ts';
import type { ContainerInstanceHandle, InstanceExit, InstanceState } from './container-runtime.ts';
import { backoffMessage } from './crash-backoff.ts';
import { envReferences } from './env.ts';
import type { Sandbox } from './pod-sandbox.ts';
import type { NodePod, PodContainer } from './pod-types.ts';

export class ContainerSet {
  #ctx: AgentContext;
  #pod: NodePod;
  #podDir: string;
  #onChange: () => void;
  #records = new Map<string, ContainerRecord>();
  #handles = new Map<string, ContainerInstanceHandle>();
  #probes = new Map<string, ContainerProbes>();
  #killing = new Set<string>();
  #killLater: string[] = [];
  #sandbox?: Sandbox;

  constructor(ctx: AgentContext, options: { pod: NodePod; podDir: string; onChange: () => void }) {
    const pod = options.pod;
    this.#ctx = ctx;
    this.#pod = pod;
    this.#podDir = options.podDir;
    this.#onChange = options.onChange;
    for (const c of pod.spec.initContainers ?? []) this.#records.set(c.name, newRecord(c.name, { isInit: true, image: c.image ?? '' }));
    for (const c of pod.spec.containers) this.#records.set(c.name, newRecord(c.name, { isInit: false, image: c.image ?? '' }));
  }

  updatePod(pod: NodePod): void {
    this.#pod = pod;
  }

  setSandbox(sandbox: Sandbox): void {
    this.#sandbox = sandbox;
  }

  initRecords(): ContainerRecord[] {
    return [...this.#records.values()].filter((r) => r.isInit);
  }

  appRecords(): ContainerRecord[] {
    return [...this.#records.values()].filter((r) => !r.isInit);
  }

  record(name: string): ContainerRecord | undefined {
    return this.#records.get(name);
  }

  handle(name: string): ContainerInstanceHandle | undefined {
    return this.#handles.get(name);
  }

  containerDir(name: string): string {
    return join(this.#podDir, name);
  }

  backoffKey(name: string): string {
    return `${this.#pod.metadata.uid}/${name}`;
  }

  failedProbes(): Map<string, 'LivenessFailed' | 'StartupFailed'> {
    const out = new Map<string, 'LivenessFailed' | 'StartupFailed'>();
    for (const [name, p] of this.#probes) if (p.failure) out.set(name, p.failure);
    return out;
  }

  markBackoff(name: string): void {
    const r = this.#records.get(name)!;
    const meta = this.#pod.metadata;
    r.waiting = { reason: 'CrashLoopBackOff', message: backoffMessage(this.#ctx.backoff.delay(this.backoffKey(name)), { container: name, pod: { name: meta.name!, namespace: meta.namespace!, uid: meta.uid! } }) };
  }

  async start(name: string): Promise<void> {
    const spec = this.#spec(name);
    const rec = this.#records.get(name)!;
    const sandbox = this.#sandbox!;
    const ns = this.#pod.metadata.namespace!;
    const refs = envReferences(spec);
    const configMaps = new Map<string, Record<string, string> | undefined>();
    const secrets = new Map<string, Record<string, string> | undefined>();
    for (const n of refs.configMaps) configMaps.set(n, await this.#ctx.readConfig('configmap', { namespace: ns, name: n }));
    for (const n of refs.secrets) secrets.set(n, await this.#ctx.readConfig('secret', { namespace: ns, name: n }));
    const launch = buildContainerLaunch(spec, {
      resolveImage: this.#ctx.resolveImage,
      envContext: {
        pod: this.#pod, nodeName: this.#ctx.nodeName, podIPs: sandbox.ips, hostIPs: [this.#ctx.nodeIp], services: this.#ctx.services(),
        configMap: (n) => configMaps.get(n), secret: (n) => secrets.get(n), allocatable: this.#ctx.allocatable, hostname: sandbox.hostname ?? hostname(),
      },
    });
    if (launch.kind === 'blocked') {
      rec.waiting = { reason: launch.reason, message: launch.message };
      rec.retryAtMs = Date.now() + this.#ctx.errorRetryMs;
      this.#onChange();
      return;
    }
    const previous = rec.current?.exit;
    const handle = await this.#ctx.runtime.start({
      podUid: this.#pod.metadata.uid!, container: name, containerDir: this.containerDir(name), instance: rec.current ? rec.restartCount + 1 : 0,
      argv: launch.argv, env: launch.env, workingDir: launch.workingDir, netns: sandbox.netns, hostname: sandbox.hostname,
      layout: this.#ctx.root.layout, templateDir: this.#ctx.root.templateDir, binds: sandbox.binds,
    });
    if (previous) {
      this.#ctx.backoff.next(this.backoffKey(name), previous.finishedAtMs);
      rec.previousExit = previous;
      rec.restartCount++;
    }
    rec.imageID = launch.imageID;
    rec.waiting = undefined;
    rec.retryAtMs = undefined;
    this.#track(name, handle);
    if (spec.lifecycle?.postStart && !handle.exitInfo) {
      const failure = await runHook(this.#ctx, spec.lifecycle.postStart, { target: this.#target(spec, handle), timeoutMs: 30_000 });
      if (failure) {
        this.#ctx.log(`pod ${ns}/${this.#pod.metadata.name}: container ${name}: postStart hook failed: ${failure}`);
        void this.#ctx.runtime.stop(handle, { graceMs: this.#graceMs() });
      }
    }
  }

  /** Kills a container whose liveness/startup probe failed; its exit then restarts it per restartPolicy. */
  killForProbe(name: string, reason: string): void {
    const handle = this.#handles.get(name);
    if (!handle || this.#killing.has(name)) return;
    this.#killing.add(name);
    const spec = this.#spec(name);
    const probe = reason === 'StartupFailed' ? spec.startupProbe : spec.livenessProbe;
    const graceMs = probe?.terminationGracePeriodSeconds !== undefined ? probe.terminationGracePeriodSeconds * 1000 : this.#graceMs();
    this.#ctx.log(`pod ${this.#pod.metadata.namespace}/${this.#pod.metadata.name}: container ${name} failed its ${reason === 'StartupFailed' ? 'startup' : 'liveness'} probe, will be restarted`);
    void this.#stopOne(name, handle, { graceMs, hasPreStop: true });
  }

  /** Stops every running container: preStop hooks, SIGTERM, SIGKILL after `graceMs`. */
  async killAll(options: { graceMs: number; hasPreStop?: boolean }): Promise<void> {
    for (const p of this.#probes.values()) p.stop();
    await Promise.all([...this.#handles].filter(([, h]) => !h.exitInfo).map(([name, h]) => this.#stopOne(name, h, { graceMs: options.graceMs, hasPreStop: options.hasPreStop === true })));
  }

  /** The pod's netns was kept: take over the instances the previous agent left, running or not. */
  adoptAll(): void {
    for (const [name, rec] of this.#records) {
      const dir = this.containerDir(name);
      const instances = ContainerRuntime.instances(dir);
      if (!instances.length) continue;
      const last = instances[instances.length - 1];
      const handle = this.#ctx.runtime.adopt(dir, last);
      if (handle) {
        this.#restore(rec, dir, last, handle.state, handle.exitInfo);
        if (!handle.exitInfo) this.#track(name, handle, { isAdopted: true });
        continue;
      }
      // The previous agent died while starting this instance: whatever it started goes; the count stays.
      this.#killLater.push(name);
      this.#restore(rec, dir, last, { id: `lost-${last}`, startedAtMs: Date.now() } as InstanceState, { exitCode: 137, finishedAtMs: Date.now(), isStartError: true });
    }
  }

  /** Kills what adoptAll could not take over (see there). */
  async killUnadopted(): Promise<void> {
    for (const name of this.#killLater.splice(0)) await this.#ctx.cgroups.kill(this.#ctx.cgroups.containerPath(this.#pod.metadata.uid!, name));
  }

  /** A new sandbox: earlier instances (if any) are dead; keep their counts and exits so restarts continue. */
  async adoptExited(): Promise<void> {
    for (const [name, rec] of this.#records) {
      const dir = this.containerDir(name);
      const instances = ContainerRuntime.instances(dir);
      if (!instances.length) continue;
      await this.#ctx.cgroups.kill(this.#ctx.cgroups.containerPath(this.#pod.metadata.uid!, name));
      const last = instances[instances.length - 1];
      const seen = ContainerRuntime.inspect(dir, last);
      const lost = { exitCode: 137, finishedAtMs: Date.now(), isStartError: false };
      this.#restore(rec, dir, last, seen?.state ?? ({ id: `lost-${last}`, startedAtMs: Date.now() } as InstanceState), seen?.exit ?? lost);
    }
  }

  /** Agent stop without teardown: stop probes and log readers, leave the processes. */
  release(): void {
    for (const p of this.#probes.values()) p.stop();
  }

  #restore(rec: ContainerRecord, dir: string, instance: number, state: InstanceState, exit: InstanceExit | undefined): void {
    rec.restartCount = instance;
    const prev = instance > 0 ? ContainerRuntime.inspect(dir, instance - 1) : undefined;
    if (prev?.exit) rec.previousExit = toExit(prev.state, prev.exit);
    const spec = this.#spec(rec.name);
    rec.current = { id: state.id, startedAtMs: state.startedAtMs, isReady: !spec.readinessProbe && !spec.startupProbe, isStarted: !spec.startupProbe };
    if (exit) rec.current.exit = toExit(state, exit);
  }

  #track(name: string, handle: ContainerInstanceHandle, options: { isAdopted?: boolean } = {}): void {
    const spec = this.#spec(name);
    const rec = this.#records.get(name)!;
    if (!options.isAdopted) rec.current = { id: handle.state.id, startedAtMs: handle.state.startedAtMs, isReady: !spec.readinessProbe && !spec.startupProbe, isStarted: !spec.startupProbe };
    this.#handles.set(name, handle);
    if (!rec.isInit && (spec.readinessProbe || spec.livenessProbe || spec.startupProbe)) {
      const target = this.#target(spec, handle);
      const probes = new ContainerProbes(spec, {
        startedAtMs: handle.state.startedAtMs,
        run: (h, o) => this.#ctx.runProbe(h, { target, timeoutMs: o.timeoutMs }),
        onChange: () => {
          if (this.#handles.get(name) !== handle || !rec.current || rec.current.exit) return;
          rec.current.isStarted = probes.isStarted;
          rec.current.isReady = probes.isReady;
          this.#onChange();
        },
      });
      this.#probes.set(name, probes);
      probes.start();
    }
    void handle.exited.then((exit) => {
      if (this.#handles.get(name) !== handle) return;
      this.#probes.get(name)?.stop();
      this.#probes.delete(name);
      this.#killing.delete(name);
      if (rec.current) rec.current.exit = toExit(handle.state, exit);
      this.#onChange();
    });
  }

  async #stopOne(name: string, handle: ContainerInstanceHandle, options: { graceMs: number; hasPreStop: boolean }): Promise<void> {
    const started = Date.now();
    const preStop = this.#spec(name).lifecycle?.preStop;
    if (options.hasPreStop && preStop && options.graceMs > 0) {
      const failure = await runHook(this.#ctx, preStop, { target: this.#target(this.#spec(name), handle), timeoutMs: options.graceMs });
      if (failure) this.#ctx.log(`pod ${this.#pod.metadata.namespace}/${this.#pod.metadata.name}: container ${name}: preStop hook failed: ${failure}`);
    }
    await this.#ctx.runtime.stop(handle, { graceMs: Math.max(0, options.graceMs - (Date.now() - started)) });
  }

  #target(spec: PodContainer, handle: ContainerInstanceHandle) {
    return probeTarget(this.#ctx, { container: spec, podIP: this.#sandbox?.ips[0] ?? this.#ctx.nodeIp, handle });
  }

  #graceMs(): number {
    return (this.#pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
  }

  #spec(name: string): PodContainer {
    return [...(this.#pod.spec.initContainers ?? []), ...this.#pod.spec.containers].find((c) => c.name === name)!;
  }
}

function toExit(state: InstanceState, exit: InstanceExit): ContainerExit {
  return { exitCode: exit.exitCode, reason: exit.isStartError ? 'StartError' : terminationReason(exit.exitCode), startedAtMs: state.startedAtMs, finishedAtMs: exit.finishedAtMs, containerID: state.id };
}
