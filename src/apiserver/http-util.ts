// HTTP plumbing for the API server: the one place where errors become responses, bodies are read and decoded.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseYaml } from 'yaml';
import { badRequest, internalError, isStatusError, StatusError, unsupportedMediaType } from '../api/status.ts';
import { decodeKubernetesProtobuf } from './protobuf/decode.ts';

const MAX_BODY = 3 * 1024 * 1024;

export function sendJson(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

export function sendError(res: ServerResponse, error: unknown): void {
  const e = isStatusError(error) ? error : internalError(error instanceof Error ? error.message : String(error), error);
  if (res.headersSent) {
    res.destroy();
    return;
  }
  sendJson(res, e.code, e.status);
}

export async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new StatusError(413, 'RequestEntityTooLarge', `the request body is larger than ${MAX_BODY} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

/** Decodes a request body by its Content-Type into a plain object. */
export function decodeBody(contentType: string | undefined, body: Buffer): unknown {
  const type = mediaType(contentType) || 'application/json';
  if (body.length === 0) throw badRequest('the request body is empty');
  switch (type) {
    case 'application/json':
    case 'application/merge-patch+json':
    case 'application/strategic-merge-patch+json':
    case 'application/json-patch+json':
      return parseJson(body);
    case 'application/yaml':
    case 'application/apply-patch+yaml':
      return parseYamlBody(body);
    case 'application/vnd.kubernetes.protobuf': {
      try {
        const decoded = decodeKubernetesProtobuf(new Uint8Array(body));
        return { ...decoded.object, apiVersion: decoded.apiVersion, kind: decoded.kind };
      } catch (e) {
        throw badRequest(`unable to decode protobuf body: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    default:
      throw unsupportedMediaType(contentType ?? '');
  }
}

function parseJson(body: Buffer): unknown {
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (e) {
    throw badRequest(`json: cannot unmarshal request body: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function parseYamlBody(body: Buffer): unknown {
  try {
    return parseYaml(body.toString('utf8'), { strict: true, uniqueKeys: true });
  } catch (e) {
    throw badRequest(`error converting YAML to JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
}

export function acceptsTable(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const p = part.replace(/\s/g, '');
    return p.includes('as=Table') && p.includes('g=meta.k8s.io') && p.startsWith('application/json');
  });
}

export const AGGREGATED_DISCOVERY_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

export function acceptsAggregatedDiscovery(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((part) => {
    const p = part.replace(/\s/g, '');
    return p.includes('g=apidiscovery.k8s.io') && p.includes('v=v2') && !p.includes('v=v2beta1') && p.includes('as=APIGroupDiscoveryList');
  });
}
