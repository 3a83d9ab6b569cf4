// Small pieces shared by the agnhost subcommands: the pod's hostname, Go-style logging, JSON and error text.
import { hostname as osHostname } from 'node:os';

/** Every server binds the wildcard address of the pod's network namespace. */
export const ANY_IPV4 = '0.0.0.0';

/** The pod name: agnhost reads it from the UTS namespace; skiff's runtime also passes it as HOSTNAME. */
export function hostName(): string {
  return process.env.HOSTNAME || osHostname();
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** Go's `log.Printf` line format (`2006/01/02 15:04:05 message`) on stderr, which `kubectl logs` shows. */
export function logf(message: string, now = new Date()): void {
  const stamp = `${now.getFullYear()}/${pad(now.getMonth() + 1)}/${pad(now.getDate())} ${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
  process.stderr.write(`${stamp} ${message}${message.endsWith('\n') ? '' : '\n'}`);
}

/** `fmt.Sprint(time.Now())` in UTC: `2006-01-02 15:04:05.999999999 +0000 UTC m=+1.234000000`. */
export function goTimeString(now: Date, uptimeSeconds: number): string {
  const frac = pad(now.getUTCMilliseconds(), 3).replace(/0+$/, '');
  const date = `${now.getUTCFullYear()}-${pad(now.getUTCMonth() + 1)}-${pad(now.getUTCDate())}`;
  const time = `${pad(now.getUTCHours())}:${pad(now.getUTCMinutes())}:${pad(now.getUTCSeconds())}${frac ? `.${frac}` : ''}`;
  return `${date} ${time} +0000 UTC m=+${uptimeSeconds.toFixed(9)}`;
}

/** Go's json.Marshal: map keys sorted, and `<`, `>`, `&`, U+2028/9 escaped. */
export function goJson(value: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(value).sort()) sorted[k] = value[k];
  return JSON.stringify(sorted).replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** `ip:port` as Go's net.JoinHostPort writes it (IPv6 in brackets, IPv4-mapped IPv6 unmapped). */
export function joinHostPort(address: string, port: number): string {
  const ip = address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
  return ip.includes(':') ? `[${ip}]:${port}` : `${ip}:${port}`;
}

const ERRNO_TEXT: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset by peer',
  EHOSTUNREACH: 'no route to host',
  ENETUNREACH: 'network is unreachable',
  ETIMEDOUT: 'connection timed out',
  EADDRNOTAVAIL: 'cannot assign requested address',
  EPIPE: 'broken pipe',
  ENOTFOUND: 'no such host',
  EAI_AGAIN: 'server misbehaving',
};

/** The text Go's syscall.Errno prints for a Node system error (`connection refused`), else Node's message. */
export function errnoText(err: unknown): string {
  const code = (err as { code?: string } | undefined)?.code;
  return (code && ERRNO_TEXT[code]) ?? (err instanceof Error ? err.message : String(err));
}

/** Resolves with the first of `signals` the process receives, keeping the process alive until then. */
export function nextSignal(signals: NodeJS.Signals[]): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    // Signal listeners do not hold the event loop open; a process with nothing else to do would just exit.
    const keepAlive = setInterval(() => {}, 2 ** 30);
    const handlers = signals.map((s) => {
      const h = () => {
        clearInterval(keepAlive);
        signals.forEach((t, i) => process.off(t, handlers[i]));
        resolve(s);
      };
      process.on(s, h);
      return h;
    });
  });
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
