// Pod subresources served by the node agent that runs the pod: log, exec, attach, portforward.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { KubeObject } from '../api/types.ts';
import { StatusError } from '../api/status.ts';

export type PodSubresource = 'log' | 'exec' | 'attach' | 'portforward';

export interface PodConnector {
  /** Plain HTTP subresources (log). */
  serve(pod: KubeObject, subresource: PodSubresource, req: IncomingMessage, res: ServerResponse): Promise<void>;
  /** Upgrade requests (exec, attach, portforward over WebSocket or SPDY). */
  upgrade(pod: KubeObject, subresource: PodSubresource, req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
}

export function noAgentError(pod: KubeObject, subresource: string): StatusError {
  const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
  const where = node ? `node "${node}" has no reachable Skiff agent` : 'the pod is not scheduled to a node yet';
  return new StatusError(503, 'ServiceUnavailable', `pods "${pod.metadata.name}": cannot ${subresource}: ${where}`);
}

/** Used until a node agent is registered for the pod's node: answers a clear Status. */
export const unavailablePodConnector: PodConnector = {
  async serve(pod, subresource) {
    throw noAgentError(pod, subresource);
  },
  async upgrade(pod, subresource) {
    throw noAgentError(pod, subresource);
  },
};
