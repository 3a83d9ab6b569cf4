// netexec's HTTP endpoints. Paths match exactly as Go's ServeMux does; anything else is served by `/`.
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { goJson, goTimeString, hostName, joinHostPort, logf, sleep } from './common.ts';
import { parseGoDuration } from './flags.ts';
import { dial } from './netexec-dial.ts';

export interface NetexecState {
  isUdpReady: boolean;
  isTerminating: boolean;
}

export interface ExitRequest {
  code: number;
  /** How long to let open connections finish; 0 exits at once. */
  graceMs: number;
}

export interface NetexecHttpOptions {
  state: NetexecState;
  /** `--http-override`: serve every request as a GET of this path and query. */
  httpOverride?: string;
  requestExit: (request: ExitRequest) => void;
  shellPath?: string;
}

interface Request {
  path: string;
  search: string;
  form: URLSearchParams;
  method: string;
  remoteAddr: string;
  headers: Record<string, string[]>;
}

interface Reply {
  status?: number;
  body?: string;
  headers?: Record<string, string>;
  /** Runs once the reply has been handed to the kernel. */
  after?: () => void;
}

type Route = (r: Request, o: NetexecHttpOptions) => Reply | Promise<Reply>;

const started = performance.now();
const text = (body: string, status = 200): Reply => ({ status, body });
/** Go's http.Error. */
const httpError = (body: string, status: number): Reply => ({ status, body: `${body}\n`, headers: { 'X-Content-Type-Options': 'nosniff' } });
const atoi = (s: string) => (/^[+-]?\d+$/.test(s) ? Number(s) : undefined);

const routes: Record<string, Route> = {
  '/': () => text(`NOW: ${goTimeString(new Date(), (performance.now() - started) / 1000)}`),
  '/clientip': (r) => text(r.remoteAddr),
  '/header': (r) => {
    const key = r.form.get('key') ?? '';
    if (key) return text(r.headers[canonicalHeaderKey(key)]?.[0] ?? '');
    return text(goJson(r.headers));
  },
  '/echo': (r) => {
    const msg = r.form.get('msg') ?? '';
    const code = r.form.get('code') ?? '';
    if (code === '') return text(msg);
    const n = atoi(code);
    if (n === undefined) return text(`argument 'code' must be an integer or empty, got ${JSON.stringify(code)}\n`);
    return text(msg, n);
  },
  '/exit': async (r, o) => {
    const [code, timeout, wait] = ['code', 'timeout', 'wait'].map((k) => r.form.get(k) ?? '');
    const timeoutMs = timeout === '' ? 0 : parseGoDuration(timeout);
    if (timeoutMs === undefined) return text(`argument 'timeout' must be a valid golang duration or empty, got ${JSON.stringify(timeout)}\n`);
    const waitMs = wait === '' ? 0 : parseGoDuration(wait);
    if (waitMs === undefined) return text(`argument 'wait' must be a valid golang duration or empty, got ${JSON.stringify(wait)}\n`);
    const exitCode = code === '' ? 0 : atoi(code);
    if (exitCode === undefined) return text(`argument 'code' must be an integer [0-127] or empty, got ${JSON.stringify(code)}\n`);
    logf(`Will begin shutdown in ${waitMs}ms, allowing ${timeoutMs}ms for connections to close, then will exit with ${exitCode}`);
    await sleep(waitMs);
    return { after: () => o.requestExit({ code: exitCode, graceMs: timeoutMs }) };
  },
  '/healthz': (_r, o) => ({ status: o.state.isUdpReady ? 200 : 412 }),
  '/readyz': (_r, o) => {
    if (o.state.isTerminating) return text('shutting down', 503);
    return o.state.isUdpReady ? text('ok') : { status: 412 };
  },
  '/hostname': () => text(hostName()),
  '/hostName': () => text(hostName()),
  '/redirect': (r) => {
    const location = r.form.get('location') ?? '';
    const code = r.form.get('code') ?? '';
    const status = code === '' ? 302 : atoi(code);
    if (status === undefined) return text(`argument 'code' must be an integer or empty, got ${JSON.stringify(code)}\n`);
    const target = /^[a-z][a-z0-9+.-]*:/i.test(location) || location.startsWith('/') ? location : new URL(location, `http://x${r.path}`).pathname;
    const body = r.method === 'GET' || r.method === 'HEAD' ? `<a href="${escapeHtml(target)}">${statusText(status)}</a>.\n\n` : '';
    return { status, body, headers: { Location: target, 'Content-Type': 'text/html; charset=utf-8' } };
  },
  '/shell': async (r, o) => {
    const cmd = r.form.get('shellCommand') || r.form.get('cmd') || '';
    logf(`GET /shell?cmd=${cmd}`);
    const { output, error } = await runShell(o.shellPath ?? '/bin/sh', cmd);
    const result: Record<string, string> = {};
    if (output) result.output = output;
    if (error) result.error = error;
    return text(goJson(result));
  },
  '/shutdown': (_r, o) => ({ after: () => o.requestExit({ code: 0, graceMs: 0 }) }),
  '/dial': async (r) => {
    const result = await dial(r.form);
    return 'badRequest' in result ? httpError(result.badRequest, 400) : text(goJson(result.output));
  },
};

export function createNetexecHandler(options: NetexecHttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    void toRequest(req, options.httpOverride)
      .then((r) => {
        const clean = cleanPath(r.path);
        if (clean !== r.path) return movedPermanently(clean + r.search, r.method);
        return (routes[r.path] ?? routes['/'])(r, options);
      })
      .then((reply) => send(res, reply))
      .catch((err: unknown) => {
        // Go's server drops the connection when a handler panics (e.g. WriteHeader with an invalid code).
        logf(`http: panic serving ${req.socket.remoteAddress}: ${err instanceof Error ? err.message : String(err)}`);
        res.destroy();
      });
  };
}

async function toRequest(req: IncomingMessage, httpOverride: string | undefined): Promise<Request> {
  if (httpOverride) {
    const url = new URL(httpOverride, 'http://localhost');
    req.resume();
    // The override is a fresh request: no client address, no headers, exactly as upstream.
    return { path: url.pathname, search: url.search, form: url.searchParams, method: 'GET', remoteAddr: '', headers: {} };
  }
  const raw = req.url ?? '/';
  // Prefixing keeps `//x` a path rather than a protocol-relative URL.
  const url = raw.startsWith('/') ? new URL(`http://localhost${raw}`) : new URL(raw);
  const form = new URLSearchParams();
  const isForm = (req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded');
  if (['POST', 'PUT', 'PATCH'].includes(req.method ?? '') && isForm) {
    // Go's FormValue prefers body values over query values.
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString())) form.append(k, v);
  } else req.resume();
  for (const [k, v] of url.searchParams) form.append(k, v);
  const headers: Record<string, string[]> = {};
  for (const [k, v] of Object.entries(req.headersDistinct)) if (k !== 'host' && v) headers[canonicalHeaderKey(k)] = v;
  const remoteAddr = joinHostPort(req.socket.remoteAddress ?? '', req.socket.remotePort ?? 0);
  return { path: url.pathname, search: url.search, form, method: req.method ?? 'GET', remoteAddr, headers };
}

function send(res: ServerResponse, reply: Reply): void {
  const status = reply.status ?? 200;
  // 1xx, 204 and 304 carry no body (Go drops it too), so no Content-Type or Content-Length either.
  const isBodyless = status < 200 || status === 204 || status === 304;
  const body = isBodyless ? '' : (reply.body ?? '');
  const headers: Record<string, string> = { ...reply.headers };
  if (body && !headers['Content-Type']) headers['Content-Type'] = 'text/plain; charset=utf-8';
  if (!isBodyless) headers['Content-Length'] = String(Buffer.byteLength(body));
  res.writeHead(status, headers);
  res.end(body, reply.after);
}

/** Go's textproto.CanonicalMIMEHeaderKey: `x-forwarded-for` → `X-Forwarded-For`. */
export function canonicalHeaderKey(key: string): string {
  return key.toLowerCase().replace(/(^|-)([a-z])/g, (_m, sep: string, c: string) => sep + c.toUpperCase());
}

const GO_SIGNAL_TEXT: Record<string, string> = { SIGKILL: 'killed', SIGTERM: 'terminated', SIGINT: 'interrupt', SIGSEGV: 'segmentation fault', SIGABRT: 'aborted', SIGPIPE: 'broken pipe', SIGHUP: 'hangup' };

/** exec.Command(shell, "-c", cmd).CombinedOutput(), with Go's error text. */
export function runShell(shell: string, cmd: string): Promise<{ output: string; error?: string }> {
  return new Promise((resolve) => {
    const child = spawn(shell, ['-c', cmd], { stdio: ['ignore', 'pipe', 'pipe'] });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => chunks.push(c));
    child.stderr.on('data', (c: Buffer) => chunks.push(c));
    child.on('error', (e) => resolve({ output: '', error: `fork/exec ${shell}: ${e.message}` }));
    child.on('close', (code, signal) => {
      const output = Buffer.concat(chunks).toString();
      if (signal) resolve({ output, error: `signal: ${GO_SIGNAL_TEXT[signal] ?? signal}` });
      else resolve(code === 0 ? { output } : { output, error: `exit status ${code}` });
    });
  });
}

/** Go's ServeMux answers a path with `//`, `.` or `..` segments with a redirect to the cleaned path. */
export function cleanPath(path: string): string {
  const out: string[] = [];
  for (const seg of path.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') out.pop();
    else out.push(seg);
  }
  const clean = `/${out.join('/')}`;
  return path.endsWith('/') && clean !== '/' ? `${clean}/` : clean;
}

function movedPermanently(location: string, method: string): Reply {
  const body = method === 'GET' || method === 'HEAD' ? `<a href="${escapeHtml(location)}">Moved Permanently</a>.\n\n` : '';
  return { status: 301, body, headers: { Location: location, 'Content-Type': 'text/html; charset=utf-8' } };
}

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const STATUS_TEXT: Record<number, string> = { 301: 'Moved Permanently', 302: 'Found', 303: 'See Other', 307: 'Temporary Redirect', 308: 'Permanent Redirect' };
const statusText = (code: number) => STATUS_TEXT[code] ?? '';
