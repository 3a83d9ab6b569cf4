import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { duplexPair, PassThrough } from 'node:stream';
import { serveExecSession } from './exec-handler.ts';
import { CHANNEL, encodeChannel } from './channel-protocol.ts';
import type { ExecOptions, ExecSession, ExitStatus } from './runtime.ts';
import { ContainerNotFoundError } from './runtime.ts';
import { acceptWebSocket } from './websocket.ts';
import { OPCODE } from './websocket-frame.ts';
import { WebSocketTestClient } from './testing.ts';

class FakeSession implements ExecSession {
  stdin = new PassThrough();
  stdout = new PassThrough();
  stderr: PassThrough | undefined = new PassThrough();
  resizes: { width: number; height: number }[] = [];
  isClosed = false;
  #exit: (s: ExitStatus) => void = () => {};
  #exited = new Promise<ExitStatus>((r) => (this.#exit = r));
  resize(size: { width: number; height: number }): void {
    this.resizes.push(size);
  }
  wait(): Promise<ExitStatus> {
    return this.#exited;
  }
  close(): void {
    this.isClosed = true;
  }
  exit(status: ExitStatus): void {
    this.stdout.end();
    this.stderr?.end();
    this.#exit(status);
  }
}

const STDIO: ExecOptions = { stdin: true, stdout: true, stderr: true, tty: false };

function connect(open: () => Promise<ExecSession>, options: ExecOptions = STDIO, protocol = 'v5.channel.k8s.io'): { client: WebSocketTestClient; done: Promise<void> } {
  const [serverEnd, clientEnd] = duplexPair();
  const client = new WebSocketTestClient(clientEnd);
  const req = { headers: { upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'a2V5a2V5a2V5a2V5a2V5aw==', 'sec-websocket-protocol': protocol } } as unknown as IncomingMessage;
  const ws = acceptWebSocket(req, serverEnd, Buffer.alloc(0), { protocols: ['v5.channel.k8s.io', 'v4.channel.k8s.io'] })!;
  return { client, done: serveExecSession(ws, { open, ...options }) };
}

async function nextData(client: WebSocketTestClient): Promise<{ channel: number; text: string }> {
  const m = await client.messages.next((m) => m.opcode === OPCODE.binary);
  return { channel: m.payload[0], text: m.payload.subarray(1).toString() };
}

describe('exec and attach over channel.k8s.io', () => {
  it('sends stdout and stderr on their channels, then the exit status, then closes', async () => {
    const session = new FakeSession();
    const { client, done } = connect(async () => session);
    await client.response;
    session.stdout.write('out\n');
    assert.deepEqual(await nextData(client), { channel: CHANNEL.stdout, text: 'out\n' });
    session.stderr!.write('err\n');
    assert.deepEqual(await nextData(client), { channel: CHANNEL.stderr, text: 'err\n' });
    session.exit({ exitCode: 3 });
    const status = await nextData(client);
    assert.equal(status.channel, CHANNEL.error);
    assert.equal(JSON.parse(status.text).reason, 'NonZeroExitCode');
    const close = await client.messages.next();
    assert.equal(close.opcode, OPCODE.close);
    await done;
  });

  it('writes stdin, applies resizes, and ends stdin on the v5 close signal', async () => {
    const session = new FakeSession();
    const { client, done } = connect(async () => session);
    client.sendBinary(encodeChannel(CHANNEL.stdin, 'typed'));
    client.sendBinary(encodeChannel(CHANNEL.resize, '{"Width":100,"Height":30}\n'));
    client.sendBinary(Buffer.from([CHANNEL.close, CHANNEL.stdin]));
    let typed = '';
    for await (const chunk of session.stdin) typed += chunk;
    assert.equal(typed, 'typed');
    assert.deepEqual(session.resizes, [{ width: 100, height: 30 }]);
    session.exit({ exitCode: 0 });
    assert.deepEqual(JSON.parse((await nextData(client)).text), { metadata: {}, status: 'Success' });
    await done;
  });

  it('keeps messages that arrive while the runtime is still starting the process', async () => {
    const session = new FakeSession();
    let start: () => void = () => {};
    const started = new Promise<void>((r) => (start = r));
    const { client, done } = connect(async () => {
      await started;
      return session;
    });
    client.sendBinary(encodeChannel(CHANNEL.stdin, 'before '));
    client.sendBinary(Buffer.from([CHANNEL.close, CHANNEL.stdin]));
    await client.response;
    await new Promise((r) => setTimeout(r, 10)); // let the early messages reach the server first
    start();
    let typed = '';
    for await (const chunk of session.stdin) typed += chunk;
    assert.equal(typed, 'before ');
    session.exit({ exitCode: 0 });
    await done;
  });

  it('drops stderr the client did not ask for', async () => {
    const session = new FakeSession();
    const { client, done } = connect(async () => session, { stdin: false, stdout: true, stderr: false, tty: false });
    session.stderr!.write('hidden');
    session.stdout.write('shown');
    session.exit({ exitCode: 0 });
    assert.deepEqual(await nextData(client), { channel: CHANNEL.stdout, text: 'shown' });
    assert.equal((await nextData(client)).channel, CHANNEL.error);
    await done;
  });

  it('reports a missing container as a NotFound status instead of starting anything', async () => {
    const { client, done } = connect(async () => {
      throw new ContainerNotFoundError('container "nope" not found');
    });
    const status = JSON.parse((await nextData(client)).text);
    assert.equal(status.reason, 'NotFound');
    assert.equal(status.message, 'container "nope" not found');
    await done;
  });

  it('closes the session when the client goes away first', async () => {
    const session = new FakeSession();
    const { client, done } = connect(async () => session);
    await client.response;
    await new Promise((r) => setImmediate(r));
    client.send(OPCODE.close, Buffer.from([0x03, 0xe8]));
    await done;
    assert.equal(session.isClosed, true);
  });

  it('speaks v4 the same way, without a close channel', async () => {
    const session = new FakeSession();
    const { client, done } = connect(async () => session, STDIO, 'v4.channel.k8s.io');
    assert.match(await client.response, /Sec-WebSocket-Protocol: v4\.channel\.k8s\.io/);
    client.sendBinary(Buffer.from([CHANNEL.close, CHANNEL.stdin]));
    client.sendBinary(encodeChannel(CHANNEL.stdin, 'still open'));
    await once(session.stdin, 'readable');
    assert.equal(session.stdin.read()?.toString(), 'still open');
    assert.equal(session.stdin.writableEnded, false);
    session.exit({ exitCode: 0 });
    await done;
  });
});
