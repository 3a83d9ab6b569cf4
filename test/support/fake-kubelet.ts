// Plays the kubelet for workload tests (there is no node agent in-process): marks pods Running and Ready,
// or Failed, through the pods/status subresource, as a real kubelet reports them.
import { findResource } from '../../src/api/resources.ts';
import type { Pod } from '../../src/api/types.ts';
import { isStatusError } from '../../src/api/status.ts';
import type { KubeClient } from '../../src/client/client.ts';
import { Informer } from '../../src/client/informer.ts';

export const PODS = findResource('', 'v1', 'pods')!;

function timestamp(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export class FakeKubelet {
  readonly pods: Informer<Pod>;
  #client: KubeClient;
  #isAutoReady: boolean;
  #nextIp = 2;

  /** With `isAutoReady`, every new pending pod is reported Running and Ready as soon as it appears. */
  constructor(client: KubeClient, options: { isAutoReady?: boolean } = {}) {
    this.#client = client;
    this.#isAutoReady = options.isAutoReady ?? false;
    this.pods = new Informer<Pod>(client, PODS);
    this.pods.addHandlers({ onAdd: (p) => this.#maybeStart(p), onUpdate: (p) => this.#maybeStart(p) });
  }

  async start(): Promise<void> {
    this.pods.start();
    await this.pods.synced;
  }

  stop(): void {
    this.pods.stop();
  }

  set isAutoReady(value: boolean) {
    this.#isAutoReady = value;
  }

  /** Live (not terminating) pods whose names start with `prefix`. */
  live(prefix: string): Pod[] {
    return this.pods.list().filter((p) => p.metadata.name!.startsWith(prefix) && !p.metadata.deletionTimestamp);
  }

  #maybeStart(pod: Pod): void {
    if (!this.#isAutoReady || pod.metadata.deletionTimestamp || (pod.status?.phase ?? 'Pending') !== 'Pending') return;
    void this.setReady(pod, true).catch(() => undefined);
  }

  async setReady(pod: Pod, isReady: boolean): Promise<Pod> {
    const ip = `198.18.128.${this.#nextIp++ % 250}`;
    return this.#writeStatus(pod, (p) => ({ ...p.status, phase: 'Running', podIP: p.status?.podIP ?? ip, podIPs: [{ ip: p.status?.podIP ?? ip }], conditions: [{ type: 'Ready', status: isReady ? 'True' : 'False', lastTransitionTime: timestamp() }] }));
  }

  async setFailed(pod: Pod): Promise<Pod> {
    return this.#writeStatus(pod, (p) => ({ ...p.status, phase: 'Failed', conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: timestamp() }] }));
  }

  async #writeStatus(pod: Pod, status: (p: Pod) => Pod['status']): Promise<Pod> {
    let current = pod;
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.#client.updateStatus<Pod>(PODS, { ...current, status: status(current) });
      } catch (e) {
        if (!isStatusError(e, 'Conflict') || attempt > 5) throw e;
        current = await this.#client.get<Pod>(PODS, pod.metadata.namespace, pod.metadata.name!);
      }
    }
  }
}
