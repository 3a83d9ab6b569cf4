// One informer per resource, shared by every controller in a process (as client-go's SharedInformerFactory).
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import type { KubeClient } from '../../client/client.ts';
import { Informer } from '../../client/informer.ts';

export class SharedInformers {
  readonly client: KubeClient;
  #informers = new Map<string, Informer>();
  #running = new Set<Informer>();
  #isStarted = false;

  constructor(client: KubeClient) {
    this.client = client;
  }

  /** The informer for `r` (cluster-wide); created on first use, started by `start()` or at once if already started. */
  for<T extends KubeObject = KubeObject>(r: ResourceInfo): Informer<T> {
    const key = `${r.group}/${r.plural}`;
    let inf = this.#informers.get(key);
    if (!inf) {
      inf = new Informer(this.client, r);
      this.#informers.set(key, inf);
      if (this.#isStarted) this.#run(inf);
    }
    return inf as unknown as Informer<T>;
  }

  /** Starts every informer not yet running; safe to call more than once. */
  start(): void {
    this.#isStarted = true;
    for (const inf of this.#informers.values()) this.#run(inf);
  }

  #run(inf: Informer): void {
    if (this.#running.has(inf)) return;
    this.#running.add(inf);
    inf.start();
  }

  /** Resolves once every informer created so far has listed once. */
  async synced(): Promise<void> {
    await Promise.all([...this.#informers.values()].map((i) => i.synced));
  }

  stop(): void {
    for (const inf of this.#informers.values()) inf.stop();
  }
}

/** A controller run by the controller manager: start resolves once its caches synced and its workers run. */
export interface Controller {
  readonly name: string;
  start(): Promise<void>;
  stop(): void;
}
