// The channel.k8s.io framing used by exec and attach over WebSocket: each binary message is one channel byte, then
// the payload. v4 and v5 frame identically; v5 adds channel 255, by which the client half-closes a stream (stdin EOF).
import { constants } from 'node:os';
import type { ExitStatus } from './runtime.ts';
import { isContainerNotFound } from './runtime.ts';

export const CHANNEL_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io'] as const;

export const CHANNEL = { stdin: 0, stdout: 1, stderr: 2, error: 3, resize: 4, close: 255 } as const;

export type ChannelMessage =
  | { type: 'stdin'; data: Buffer }
  | { type: 'resize'; width: number; height: number }
  | { type: 'close'; channel: number }
  | { type: 'ignored'; channel: number };

export function encodeChannel(channel: number, data: Buffer | string): Buffer {
  const payload = typeof data === 'string' ? Buffer.from(data) : data;
  const out = Buffer.allocUnsafe(payload.length + 1);
  out[0] = channel;
  payload.copy(out, 1);
  return out;
}

/** Decodes one client message. Returns undefined for an empty message (clients may send them as keep-alives). */
export function decodeChannelMessage(message: Buffer, protocol: string): ChannelMessage | undefined {
  if (message.length === 0) return undefined;
  const channel = message[0];
  const data = message.subarray(1);
  switch (channel) {
    case CHANNEL.stdin:
      return { type: 'stdin', data };
    case CHANNEL.resize: {
      const size = parseResize(data);
      return size ? { type: 'resize', ...size } : { type: 'ignored', channel };
    }
    case CHANNEL.close:
      if (protocol !== 'v5.channel.k8s.io' || data.length !== 1) return { type: 'ignored', channel };
      return { type: 'close', channel: data[0] };
    default:
      return { type: 'ignored', channel };
  }
}

/** client-go sends `{"Width":80,"Height":24}`, newline-terminated; one message may carry several, the last wins. */
function parseResize(data: Buffer): { width: number; height: number } | undefined {
  let found: { width: number; height: number } | undefined;
  for (const line of data.toString('utf8').split('\n')) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as { Width?: unknown; Height?: unknown };
      if (typeof v.Width === 'number' && typeof v.Height === 'number') found = { width: v.Width, height: v.Height };
    } catch {
      return found;
    }
  }
  return found;
}

/** The metav1.Status written on the error channel when the process ends; client-go maps NonZeroExitCode to an exit code. */
export function exitStatusMessage(status: ExitStatus): Record<string, unknown> {
  const code = 'exitCode' in status ? status.exitCode : 128 + ((constants.signals as Record<string, number>)[status.signal] ?? 0);
  if (code === 0) return { metadata: {}, status: 'Success' };
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: ${'signal' in status ? `signal: ${status.signal}` : `exit status ${code}`}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

/** A Status for a failure before or around the process (container not found, runtime error). */
export function errorStatusMessage(error: unknown): Record<string, unknown> {
  const message = error instanceof Error ? error.message : String(error);
  const isNotFound = isContainerNotFound(error);
  return {
    metadata: {},
    status: 'Failure',
    message,
    reason: isNotFound ? 'NotFound' : 'InternalError',
    code: isNotFound ? 404 : 500,
    details: isNotFound ? undefined : { causes: [{ message }] },
  };
}
