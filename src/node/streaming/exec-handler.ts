// Exec and attach over a channel.k8s.io WebSocket: client messages go to the session's stdin and resize, its
// stdout and stderr go back on channels 1 and 2, and its exit status ends the connection on channel 3.
import type { Readable } from 'node:stream';
import type { WebSocket } from './websocket.ts';
import { CHANNEL, decodeChannelMessage, encodeChannel, errorStatusMessage, exitStatusMessage } from './channel-protocol.ts';
import type { ExecOptions, ExecSession } from './runtime.ts';

/** Runs one exec/attach session on `ws`; resolves when the connection is done. */
export async function serveExecSession(ws: WebSocket, options: { open: () => Promise<ExecSession> } & ExecOptions): Promise<void> {
  const early: Buffer[] = [];
  let session: ExecSession | undefined;
  let isClientGone = false;
  ws.on('message', (data) => (session ? onMessage(session, ws.protocol, data) : early.push(data)));
  ws.on('close', () => {
    isClientGone = true;
    session?.close();
  });
  try {
    session = await options.open();
  } catch (e) {
    ws.send(encodeChannel(CHANNEL.error, JSON.stringify(errorStatusMessage(e))));
    ws.close(1000);
    return;
  }
  if (isClientGone) {
    session.close();
    return;
  }
  for (const data of early.splice(0)) onMessage(session, ws.protocol, data);
  const outputs: Promise<void>[] = [forward(ws, session.stdout, options.stdout ? CHANNEL.stdout : undefined)];
  if (session.stderr) outputs.push(forward(ws, session.stderr, stderrChannel(options)));
  const clientGone = new Promise<undefined>((resolve) => (ws.isOpen ? ws.once('close', () => resolve(undefined)) : resolve(undefined)));
  const status = await Promise.race([finalStatus(session, outputs), clientGone]);
  if (!status || !ws.isOpen) return;
  ws.send(encodeChannel(CHANNEL.error, JSON.stringify(status)));
  ws.close(1000);
}

/** With a tty the terminal merges stderr into stdout, so a runtime that still hands one over gets it there. */
function stderrChannel(options: ExecOptions): number | undefined {
  if (options.tty) return options.stdout ? CHANNEL.stdout : undefined;
  return options.stderr ? CHANNEL.stderr : undefined;
}

async function finalStatus(session: ExecSession, outputs: Promise<void>[]): Promise<Record<string, unknown>> {
  try {
    const exit = await session.wait();
    await Promise.all(outputs);
    return exitStatusMessage(exit);
  } catch (e) {
    return errorStatusMessage(e);
  }
}

function onMessage(session: ExecSession, protocol: string, data: Buffer): void {
  const message = decodeChannelMessage(data, protocol);
  if (!message) return;
  switch (message.type) {
    case 'stdin':
      if (session.stdin && !session.stdin.writableEnded) session.stdin.write(message.data);
      return;
    case 'resize':
      session.resize({ width: message.width, height: message.height });
      return;
    case 'close':
      if (message.channel === CHANNEL.stdin) session.stdin?.end();
      return;
  }
}

/** Copies `stream` to `channel` (or drains it when the client did not ask for it), pausing while the socket is full. */
function forward(ws: WebSocket, stream: Readable, channel: number | undefined): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      ws.off('drain', resume);
      ws.off('close', resume);
      resolve();
    };
    const resume = (): void => {
      stream.resume();
    };
    ws.on('drain', resume);
    ws.on('close', resume);
    stream.on('data', (chunk: Buffer | string) => {
      if (channel === undefined || !ws.isOpen) return;
      if (!ws.send(encodeChannel(channel, typeof chunk === 'string' ? Buffer.from(chunk) : chunk))) stream.pause();
    });
    stream.once('end', done);
    stream.once('close', done);
    stream.once('error', done);
  });
}
