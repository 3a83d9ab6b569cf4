// Records core/v1 Events about objects, as client-go's EventRecorder does: repeated events bump `count`.
import { findResource } from '../../api/resources.ts';
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/status.ts';
import type { KubeClient } from '../../client/client.ts';
import { createHash } from 'node:crypto';

const EVENTS = findResource('', 'v1', 'events')!;

export type EventType = 'Normal' | 'Warning';

export class EventRecorder {
  #client: KubeClient;
  #component: string;
  #now: () => Date;
  /** Event name → count written, for repeats within this process. */
  #counts = new Map<string, number>();

  constructor(client: KubeClient, options: { component: string; now?: () => Date }) {
    this.#client = client;
    this.#component = options.component;
    this.#now = options.now ?? (() => new Date());
  }

  /** Never throws: losing an event must not fail the reconcile that reported it. */
  async record(obj: KubeObject, type: EventType, reason: string, message: string): Promise<void> {
    const namespace = obj.metadata.namespace ?? 'default';
    const digest = createHash('sha256').update(`${obj.metadata.uid}/${reason}/${message}`).digest('hex').slice(0, 10);
    const name = `${obj.metadata.name}.${digest}`;
    const ts = this.#now().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const count = (this.#counts.get(name) ?? 0) + 1;
    this.#counts.set(name, count);
    try {
      if (count > 1) {
        await this.#client.patch(EVENTS, namespace, name, { count, lastTimestamp: ts });
        return;
      }
      await this.#client.create(EVENTS, {
        metadata: { name, namespace },
        involvedObject: { kind: obj.kind, namespace: obj.metadata.namespace, name: obj.metadata.name, uid: obj.metadata.uid, apiVersion: obj.apiVersion, resourceVersion: obj.metadata.resourceVersion },
        reason,
        message,
        type,
        source: { component: this.#component },
        reportingComponent: this.#component,
        reportingInstance: this.#component,
        firstTimestamp: ts,
        lastTimestamp: ts,
        count: 1,
      });
    } catch (e) {
      if (isStatusError(e, 'AlreadyExists')) {
        await this.#client.patch(EVENTS, namespace, name, { count, lastTimestamp: ts }).catch(() => undefined);
        return;
      }
      if (!isStatusError(e, 'NotFound')) console.warn(`events: ${reason} for ${namespace}/${obj.metadata.name}: ${e instanceof Error ? e.message : e}`);
    }
  }
}
