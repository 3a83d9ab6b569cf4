// portforward.k8s.io over a SPDY session: for each forwarded connection the client opens an `error` stream and a
// `data` stream with the same `requestid` and `port`. Once both exist the runtime dials the port; bytes flow on
// the data stream, and a failure is written as text on the error stream (kubectl then reports it and gives up).
import type { Socket } from 'node:net';
import type { SpdySession, SpdyStream } from './spdy-session.ts';
import { RST } from './spdy-frame.ts';

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  timer: NodeJS.Timeout;
}

/** kubelet's window for the second stream of a pair to arrive. */
const PAIR_TIMEOUT_MS = 30_000;

export function servePortForward(session: SpdySession, options: { dial: (port: number) => Promise<Socket>; pairTimeoutMs?: number }): void {
  const pairs = new Map<string, Pair>();
  session.on('stream', (stream) => {
    const type = stream.headers.streamtype;
    if (type !== 'error' && type !== 'data') return stream.reset(RST.protocolError);
    stream.reply();
    const id = requestId(stream);
    let pair = pairs.get(id);
    if (!pair) {
      const timer = setTimeout(() => {
        pairs.delete(id);
        pair?.error?.reset();
        pair?.data?.reset();
      }, options.pairTimeoutMs ?? PAIR_TIMEOUT_MS);
      timer.unref();
      pair = { timer };
      pairs.set(id, pair);
    }
    if (pair[type]) return stream.reset(RST.protocolError);
    pair[type] = stream;
    if (type === 'error') stream.resume(); // the client only half-closes it; drain so it can finish
    if (pair.error && pair.data) {
      clearTimeout(pair.timer);
      pairs.delete(id);
      void forward(pair.error, pair.data, options.dial);
    }
  });
}

/** Clients that predate `requestid` pair streams by id: the data stream follows its error stream. */
function requestId(stream: SpdyStream): string {
  if (stream.headers.requestid) return stream.headers.requestid;
  return String(stream.headers.streamtype === 'data' ? stream.id - 2 : stream.id);
}

async function forward(errorStream: SpdyStream, dataStream: SpdyStream, dial: (port: number) => Promise<Socket>): Promise<void> {
  const portText = dataStream.headers.port ?? '';
  const port = Number(portText);
  let socket: Socket;
  try {
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) throw new Error(`invalid port "${portText}"`);
    socket = await dial(port);
  } catch (e) {
    errorStream.end(`error forwarding port ${portText}: ${(e as Error).message}`);
    dataStream.end();
    return;
  }
  if (dataStream.destroyed) return void socket.destroy();
  socket.on('error', () => socket.destroy());
  socket.pipe(dataStream);
  dataStream.pipe(socket);
  const finish = (): void => {
    if (!errorStream.writableEnded) errorStream.end();
  };
  // When the pod side ends, FIN the data stream (pipe does it) and the error stream: kubectl waits for both.
  socket.once('end', finish);
  socket.once('close', () => {
    finish();
    if (!dataStream.writableEnded) dataStream.end();
  });
  // Closed before we half-closed toward the pod: a reset, or the whole connection went away.
  dataStream.once('close', () => {
    if (dataStream.isReset || !socket.writableEnded) socket.destroy();
    finish();
  });
}
