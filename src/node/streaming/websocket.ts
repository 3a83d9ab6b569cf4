// A minimal RFC 6455 server: the opening handshake (§4.2) on an upgraded socket, then messages in and out.
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { encodeFrame, FrameParser, MessageAssembler, OPCODE, WebSocketProtocolError } from './websocket-frame.ts';

const ACCEPT_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function acceptKey(key: string): string {
  return createHash('sha1').update(key + ACCEPT_GUID).digest('base64');
}

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (req.headers.upgrade ?? '').toLowerCase() === 'websocket';
}

/** The first protocol the client offers that the server supports, or undefined. */
export function negotiateProtocol(offered: string | undefined, supported: readonly string[]): string | undefined {
  const list = (offered ?? '').split(',').map((p) => p.trim()).filter(Boolean);
  return list.find((p) => supported.includes(p));
}

export interface WebSocketEvents {
  message: [data: Buffer, isBinary: boolean];
  close: [code: number, reason: string];
  drain: [];
}

/** A server-side WebSocket over an upgraded socket. Emits `message`, `drain`, and `close` once. */
export class WebSocket extends EventEmitter<WebSocketEvents> {
  readonly protocol: string;
  #socket: Duplex;
  #parser = new FrameParser({ requireMask: true });
  #assembler = new MessageAssembler();
  #isCloseSent = false;
  #isClosed = false;

  constructor(socket: Duplex, protocol: string) {
    super();
    this.protocol = protocol;
    this.#socket = socket;
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('drain', () => this.emit('drain'));
    // Upgraded HTTP sockets allow half-open; a peer that ends without a close frame is gone.
    socket.on('end', () => this.#finish(1006, 'connection ended'));
    socket.on('close', () => this.#finish(1006, 'connection closed'));
    socket.on('error', () => this.#finish(1006, 'connection error'));
  }

  get isOpen(): boolean {
    return !this.#isCloseSent && !this.#isClosed;
  }

  /** Sends one message; returns false when the socket buffer is full (wait for `drain`). */
  send(data: Buffer, options: { isBinary?: boolean } = {}): boolean {
    if (!this.isOpen) return false;
    return this.#socket.write(encodeFrame({ opcode: options.isBinary === false ? OPCODE.text : OPCODE.binary, payload: data }));
  }

  /** Starts the closing handshake; the socket ends once written (servers may close the TCP side first, §7.1.1). */
  close(code = 1000, reason = ''): void {
    if (this.#isClosed) return;
    this.#sendClose(code, reason);
    this.#finish(code, reason);
  }

  /** Feeds bytes read before the upgrade completed (the `head` of an upgrade event). */
  feed(chunk: Buffer): void {
    if (chunk.length) this.#onData(chunk);
  }

  #onData(chunk: Buffer): void {
    if (this.#isClosed) return;
    try {
      for (const frame of this.#parser.push(chunk)) {
        const message = this.#assembler.add(frame);
        if (message) this.#onMessage(message.opcode, message.payload);
        if (this.#isClosed) return;
      }
    } catch (e) {
      const code = e instanceof WebSocketProtocolError ? e.closeCode : 1011;
      this.close(code, e instanceof Error ? e.message.slice(0, 100) : '');
    }
  }

  #onMessage(opcode: number, payload: Buffer): void {
    switch (opcode) {
      case OPCODE.ping:
        if (this.isOpen) this.#socket.write(encodeFrame({ opcode: OPCODE.pong, payload }));
        return;
      case OPCODE.pong:
        return;
      case OPCODE.close: {
        const code = payload.length >= 2 ? payload.readUInt16BE(0) : 1005;
        const reason = payload.length > 2 ? payload.subarray(2).toString('utf8') : '';
        this.#sendClose(code === 1005 ? 1000 : code, '');
        this.#finish(code, reason);
        return;
      }
      default:
        this.emit('message', payload, opcode === OPCODE.binary);
    }
  }

  #sendClose(code: number, reason: string): void {
    if (this.#isCloseSent) return;
    this.#isCloseSent = true;
    const payload = Buffer.alloc(2 + Buffer.byteLength(reason));
    payload.writeUInt16BE(code, 0);
    payload.write(reason, 2);
    this.#socket.end(encodeFrame({ opcode: OPCODE.close, payload }));
  }

  #finish(code: number, reason: string): void {
    if (this.#isClosed) return;
    this.#isClosed = true;
    this.#isCloseSent = true;
    this.emit('close', code, reason);
    if (code === 1006) this.#socket.destroy();
  }
}

/**
 * Completes the opening handshake, choosing a subprotocol from `protocols`. Answers 400 and returns undefined
 * when the request is not a valid version-13 upgrade or offers none of `protocols`. Attach listeners right away:
 * messages start flowing on the next tick.
 */
export function acceptWebSocket(req: IncomingMessage, socket: Duplex, head: Buffer, options: { protocols: readonly string[] }): WebSocket | undefined {
  const key = req.headers['sec-websocket-key'];
  const fail = (message: string): undefined => {
    socket.end(`HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\nConnection: close\r\n\r\n${message}`);
    return undefined;
  };
  if (!isWebSocketUpgrade(req) || typeof key !== 'string' || !key) return fail('not a WebSocket upgrade request');
  if (req.headers['sec-websocket-version'] !== '13') return fail('unsupported Sec-WebSocket-Version (want 13)');
  const protocol = negotiateProtocol(req.headers['sec-websocket-protocol'], options.protocols);
  if (!protocol) return fail(`none of the offered subprotocols is supported; supported: ${options.protocols.join(', ')}`);
  socket.write(
    'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
      `Sec-WebSocket-Accept: ${acceptKey(key)}\r\nSec-WebSocket-Protocol: ${protocol}\r\n\r\n`,
  );
  if ('setNoDelay' in socket && typeof socket.setNoDelay === 'function') socket.setNoDelay(true);
  const ws = new WebSocket(socket, protocol);
  // After the caller has attached its listeners (synchronously), before any later socket data.
  if (head.length) queueMicrotask(() => ws.feed(head));
  return ws;
}
