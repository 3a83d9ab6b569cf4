// The pods bound to this node (an informer with fieldSelector spec.nodeName=<node>): one PodWorker each, and on
// start the clean-up of sandboxes whose pods are gone (an agent crash or a stop while pods were deleted).
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { findResource } from '../api/resources.ts';
import type { KubeClient } from '../client/client.ts';
import { Informer } from '../client/informer.ts';
import type { AgentContext } from './agent-context.ts';
import { findLeftovers } from './leftovers.ts';
import { PodWorker } from './pod-worker.ts';
import type { NodePod } from './pod-types.ts';

export const PODS = findResource('', 'v1', 'pods')!;

export class PodManager {
  readonly informer: Informer<NodePod>;
  #ctx: AgentContext;
  #workers = new Map<string, PodWorker>();
  #isStopped = false;

  constructor(client: KubeClient, ctx: AgentContext) {
    this.#ctx = ctx;
    this.informer = new Informer<NodePod>(client, PODS, { fieldSelector: `spec.nodeName=${ctx.nodeName}` });
  }

  /** Lists the node's pods, removes leftovers, then starts a worker per pod. */
  async start(): Promise<void> {
    mkdirSync(this.#ctx.podsDir, { recursive: true });
    this.informer.start();
    await this.informer.synced;
    await this.#removeLeftovers();
    this.informer.addHandlers({
      onAdd: (p) => this.#upsert(p),
      onUpdate: (p) => this.#upsert(p),
      onDelete: (p) => this.#workers.get(p.metadata.uid!)?.markGone(),
    });
  }

  worker(namespace: string, name: string): PodWorker | undefined {
    for (const w of this.#workers.values()) if (w.pod.metadata.namespace === namespace && w.pod.metadata.name === name) return w;
    return undefined;
  }

  get workers(): PodWorker[] {
    return [...this.#workers.values()];
  }

  /** Plain stop: the containers keep running for the next agent. */
  stop(): void {
    this.#isStopped = true;
    this.informer.stop();
    for (const w of this.#workers.values()) w.release();
  }

  /** `skiff down`: every pod's containers killed and sandbox removed. */
  async destroy(): Promise<void> {
    this.#isStopped = true;
    this.informer.stop();
    await Promise.all([...this.#workers.values()].map((w) => w.destroy().catch((e) => this.#ctx.log(`teardown ${w.uid}: ${(e as Error).message}`))));
    this.#workers.clear();
    await this.#removeLeftovers(new Set());
  }

  #upsert(pod: NodePod): void {
    if (this.#isStopped) return;
    const uid = pod.metadata.uid!;
    const existing = this.#workers.get(uid);
    if (existing) return existing.update(pod);
    const w = new PodWorker(this.#ctx, pod);
    this.#workers.set(uid, w);
    void w.finished.then(() => {
      if (this.#workers.get(uid) === w) this.#workers.delete(uid);
    });
    w.requestSync();
  }

  async #removeLeftovers(keep?: Set<string>): Promise<void> {
    const podUids = keep ?? new Set(this.informer.list().map((p) => p.metadata.uid!));
    let podDirs: string[] = [];
    try {
      podDirs = readdirSync(this.#ctx.podsDir);
    } catch {
      // none yet
    }
    const leftovers = findLeftovers({
      podDirs,
      netns: (await this.#ctx.network.listNetnsUids()).map((u) => this.#ctx.network.netnsName(u)),
      cgroupUids: this.#ctx.cgroups.listPods(),
      netnsPrefix: this.#ctx.network.prefix,
      podUids,
    });
    for (const l of leftovers) {
      try {
        await this.#ctx.cgroups.remove(l.uid);
        await this.#ctx.network.tearDown(l.uid, this.#safeConflist());
        rmSync(join(this.#ctx.podsDir, l.podDir), { recursive: true, force: true });
        this.#ctx.log(`removed the sandbox of pod ${l.podDir}, which no longer exists`);
      } catch (e) {
        this.#ctx.log(`leftover ${l.podDir}: ${(e as Error).message}`);
      }
    }
  }

  #safeConflist() {
    try {
      return this.#ctx.conflist();
    } catch {
      return undefined;
    }
  }
}
