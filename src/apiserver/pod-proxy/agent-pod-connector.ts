// A PodConnector that forwards pods/{log,exec,attach,portforward} to the agent on the pod's node, as
// kube-apiserver does with the kubelet: logs as a streamed HTTPS GET, the rest as spliced upgrade connections.
import { request } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../api/types.ts';
import { StatusError } from '../../api/status.ts';
import type { Status } from '../../api/status.ts';
import type { PodConnector, PodSubresource } from '../pod-connector.ts';
import { noAgentError } from '../pod-connector.ts';
import { agentEndpoint, targetContainer } from './agent-endpoint.ts';
import type { AgentEndpoint } from './agent-endpoint.ts';
import { proxyUpgrade } from './upgrade-proxy.ts';
import type { AgentTls } from './upgrade-proxy.ts';

export interface AgentPodConnectorOptions {
  lookupNode: (name: string) => Promise<KubeObject | undefined>;
  /** PEM: the API server's client pair for the agents, and the CA that signs the agents' serving certificates. */
  clientCert: string;
  clientKey: string;
  ca: string;
}

export function createAgentPodConnector(options: AgentPodConnectorOptions): PodConnector {
  const tls: AgentTls = { ca: options.ca, cert: options.clientCert, key: options.clientKey };

  async function endpointFor(pod: KubeObject, subresource: PodSubresource): Promise<AgentEndpoint> {
    const nodeName = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!nodeName) throw noAgentError(pod, subresource);
    const node = await options.lookupNode(nodeName);
    if (!node) throw new StatusError(503, 'ServiceUnavailable', `pods "${pod.metadata.name}": cannot ${subresource}: node "${nodeName}" not found`);
    return agentEndpoint(node);
  }

  return {
    async serve(pod, subresource, req, res) {
      if (subresource !== 'log') throw new StatusError(400, 'BadRequest', `${subresource} requires a connection upgrade (WebSocket or SPDY)`);
      if (req.method !== 'GET') throw new StatusError(405, 'MethodNotAllowed', `${req.method} is not supported on pods/log`);
      const query = new URL(req.url ?? '/', 'https://localhost').searchParams;
      const container = targetContainer(pod, query.get('container'));
      const endpoint = await endpointFor(pod, subresource);
      await proxyLogs(res, { endpoint, tls, path: `/containerLogs/${podPath(pod)}/${encodeURIComponent(container)}${search(query)}` });
    },

    async upgrade(pod, subresource, req, socket, head) {
      const query = new URL(req.url ?? '/', 'https://localhost').searchParams;
      let path: string;
      if (subresource === 'portforward') path = `/portForward/${podPath(pod)}${search(query)}`;
      else if (subresource === 'exec' || subresource === 'attach') path = `/${subresource}/${podPath(pod)}/${encodeURIComponent(targetContainer(pod, query.get('container')))}${search(query)}`;
      else throw new StatusError(400, 'BadRequest', `${subresource} cannot be upgraded`);
      const endpoint = await endpointFor(pod, subresource);
      await proxyUpgrade(req, socket, head, { endpoint, path, tls });
    },
  };
}

function podPath(pod: KubeObject): string {
  return `${encodeURIComponent(pod.metadata.namespace ?? 'default')}/${encodeURIComponent(pod.metadata.name ?? '')}`;
}

function search(query: URLSearchParams): string {
  const s = query.toString();
  return s ? `?${s}` : '';
}

/** Streams the agent's answer: chunks are written as they arrive, and a client that leaves stops the agent's stream. */
function proxyLogs(res: ServerResponse, options: { endpoint: AgentEndpoint; tls: AgentTls; path: string }): Promise<void> {
  const { endpoint, tls } = options;
  return new Promise((resolve, reject) => {
    const req = request({ host: endpoint.host, port: endpoint.port, path: options.path, method: 'GET', ...tls, agent: false, headers: { Accept: 'text/plain, */*' } });
    req.once('error', (e) => {
      if (res.headersSent) {
        res.destroy();
        return resolve();
      }
      reject(new StatusError(503, 'ServiceUnavailable', `error dialing backend: ${e.message}`, undefined, { cause: e }));
    });
    res.once('close', () => req.destroy());
    req.once('response', (agentRes: IncomingMessage) => {
      if (agentRes.statusCode !== 200) return void agentError(agentRes).then(reject, reject);
      res.writeHead(200, { 'Content-Type': agentRes.headers['content-type'] ?? 'text/plain', 'Cache-Control': 'no-cache, private' });
      res.flushHeaders();
      res.socket?.setNoDelay(true);
      agentRes.pipe(res);
      agentRes.once('end', () => resolve());
      agentRes.once('close', () => {
        if (!res.writableEnded) res.end();
        resolve();
      });
    });
    req.end();
  });
}

/** The agent answers failures with a Status; anything else becomes one with the agent's text. */
async function agentError(res: IncomingMessage): Promise<StatusError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res) {
    size += (chunk as Buffer).length;
    if (size <= 64 * 1024) chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const code = res.statusCode ?? 500;
  try {
    const s = JSON.parse(text) as Partial<Status>;
    if (s.kind === 'Status') return new StatusError(s.code ?? code, s.reason ?? 'InternalError', s.message ?? text, s.details);
  } catch {
    // not JSON: fall through
  }
  return new StatusError(code, code === 404 ? 'NotFound' : 'InternalError', text.trim() || `agent answered HTTP ${code}`);
}
