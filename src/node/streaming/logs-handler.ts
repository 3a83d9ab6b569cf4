// GET /containerLogs/<namespace>/<pod>/<container>: the container's log as text/plain, streamed as it arrives.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { LogOptions, StreamingRuntime } from './runtime.ts';
import { StatusError } from '../../api/status.ts';

/** The kubelet's query flags (PodLogOptions); limitBytes is enforced here, the rest by the runtime. */
export function parseLogQuery(query: URLSearchParams): LogOptions & { limitBytes?: number } {
  const bool = (name: string): boolean => query.get(name) === 'true';
  const int = (name: string, min: number): number | undefined => {
    const text = query.get(name);
    if (text === null || text === '') return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw new StatusError(400, 'BadRequest', `invalid value for ${name}: "${text}"`);
    return n;
  };
  const options: LogOptions & { limitBytes?: number } = { follow: bool('follow'), timestamps: bool('timestamps'), previous: bool('previous') };
  const tailLines = int('tailLines', 0);
  const sinceSeconds = int('sinceSeconds', 1);
  const limitBytes = int('limitBytes', 1);
  if (tailLines !== undefined) options.tailLines = tailLines;
  if (sinceSeconds !== undefined) options.sinceSeconds = sinceSeconds;
  if (limitBytes !== undefined) options.limitBytes = limitBytes;
  return options;
}

export async function serveLogs(req: IncomingMessage, res: ServerResponse, options: { runtime: StreamingRuntime; namespace: string; pod: string; container: string; query: URLSearchParams }): Promise<void> {
  const { limitBytes, ...logOptions } = parseLogQuery(options.query);
  const log = await options.runtime.logs(options.namespace, options.pod, { container: options.container, ...logOptions });
  res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'X-Content-Type-Options': 'nosniff' });
  res.socket?.setNoDelay(true);
  res.flushHeaders();
  await copyLimited(log, res, limitBytes);
}

/** Copies until the log ends, `limit` bytes were sent, or the client goes away; always releases the log stream. */
function copyLimited(log: Readable, res: ServerResponse, limit: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    let left = limit ?? Infinity;
    let isDone = false;
    const done = (): void => {
      if (isDone) return;
      isDone = true;
      log.destroy();
      if (!res.writableEnded) res.end();
      resolve();
    };
    res.once('close', done);
    res.on('drain', () => log.resume());
    log.on('data', (chunk: Buffer | string) => {
      if (isDone) return; // chunks already buffered when the limit was reached
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      const part = bytes.length > left ? bytes.subarray(0, left) : bytes;
      left -= part.length;
      if (!res.write(part)) log.pause();
      if (left <= 0) done();
    });
    log.once('end', done);
    log.once('error', done);
  });
}
