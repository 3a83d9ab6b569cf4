// Where names outside the cluster zone go: default upstreams and stub domains, read from resolv.conf or a
// ConfigMap that CoreDNS and kube-dns users recognise (a Corefile subset, or stubDomains/upstreamNameservers).
import { isIP } from 'node:net';

export interface UpstreamServer {
  address: string;
  port: number;
}

export interface StubDomain {
  domain: string;
  servers: UpstreamServer[];
}

export interface UpstreamConfig {
  upstreams: UpstreamServer[];
  stubDomains: StubDomain[];
  isQueryLogEnabled?: boolean;
  maxConcurrent?: number;
}

export class DnsConfigError extends Error {
  override name = 'DnsConfigError';
  readonly code = 'DNS_CONFIG';
}

export interface ConfigReadOptions {
  /** Reads a file named in `forward . /etc/resolv.conf`; absent, such paths are an error. */
  readFile?: (path: string) => string;
}

/** `1.2.3.4`, `1.2.3.4:5353`, `dns://1.2.3.4`, `::1`, `[::1]:53` (port 53 by default). */
export function parseServer(text: string): UpstreamServer {
  let t = text.trim();
  if (t.startsWith('dns://')) t = t.slice(6);
  let port = 53;
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (bracket) {
    t = bracket[1];
    if (bracket[2]) port = Number(bracket[2]);
  } else if (isIP(t) !== 6) {
    const colon = t.lastIndexOf(':');
    if (colon > 0) {
      port = Number(t.slice(colon + 1));
      t = t.slice(0, colon);
    }
  }
  if (!isIP(t) || !Number.isInteger(port) || port < 1 || port > 65535) throw new DnsConfigError(`not an upstream address: ${JSON.stringify(text)} (want IP[:port])`);
  return { address: t, port };
}

export function parseResolvConf(text: string): UpstreamServer[] {
  const out: UpstreamServer[] = [];
  for (const raw of text.split('\n')) {
    const [key, value] = raw.replace(/[#;].*$/, '').trim().split(/\s+/);
    if (key === 'nameserver' && value && isIP(value.replace(/%.*$/, ''))) out.push({ address: value.replace(/%.*$/, ''), port: 53 });
  }
  return out;
}

function normaliseDomain(d: string): string {
  return d.trim().toLowerCase().replace(/^dns:\/\//, '').replace(/:\d+$/, '').replace(/\.$/, '');
}

function servers(args: string[], options: ConfigReadOptions): UpstreamServer[] {
  return args.flatMap((a) => {
    if (a.startsWith('/')) {
      if (!options.readFile) throw new DnsConfigError(`cannot read ${a} here`);
      return parseResolvConf(options.readFile(a));
    }
    if (/^[a-z]+:\/\//.test(a) && !a.startsWith('dns://')) throw new DnsConfigError(`unsupported upstream protocol in ${JSON.stringify(a)}`);
    return [parseServer(a)];
  });
}

interface Token {
  text: string;
  line: number;
}

function tokenize(text: string): Token[] {
  const out: Token[] = [];
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').replaceAll('{', ' { ').replaceAll('}', ' } ');
    for (const t of line.split(/\s+/)) if (t) out.push({ text: t.replace(/^"(.*)"$/, '$1'), line: i + 1 });
  });
  return out;
}

/** The Corefile subset: server blocks, `forward FROM TO... { max_concurrent N }`, `log`; other plugins are ignored. */
export function parseCorefile(text: string, options: ConfigReadOptions = {}): UpstreamConfig {
  const tokens = tokenize(text);
  const config: UpstreamConfig = { upstreams: [], stubDomains: [] };
  let i = 0;
  const fail = (msg: string, line = tokens[Math.min(i, tokens.length - 1)]?.line ?? 0): never => {
    throw new DnsConfigError(`Corefile line ${line}: ${msg}`);
  };
  while (i < tokens.length) {
    const zones: string[] = [];
    while (i < tokens.length && tokens[i].text !== '{') zones.push(...tokens[i++].text.split(',').filter(Boolean).map(normaliseDomain));
    if (tokens[i]?.text !== '{' || !zones.length) fail('expected a server block: ZONE[:PORT] { ... }');
    i++;
    while (i < tokens.length && tokens[i].text !== '}') {
      const line = tokens[i].line;
      const words: string[] = [];
      while (i < tokens.length && tokens[i].line === line && tokens[i].text !== '{' && tokens[i].text !== '}') words.push(tokens[i++].text);
      const sub: string[][] = [];
      if (tokens[i]?.text === '{') {
        i++;
        while (i < tokens.length && tokens[i].text !== '}') {
          const l = tokens[i].line;
          const w: string[] = [];
          while (i < tokens.length && tokens[i].line === l && tokens[i].text !== '}') w.push(tokens[i++].text);
          sub.push(w);
        }
        if (tokens[i]?.text !== '}') fail('unclosed block');
        i++;
      }
      const [directive, ...args] = words;
      if (directive === 'log') config.isQueryLogEnabled = true;
      if (directive !== 'forward') continue;
      if (args.length < 2) fail('forward needs FROM and at least one TO', line);
      const to = servers(args.slice(1), options);
      for (const zone of zones) {
        const domain = args[0] === '.' ? zone : normaliseDomain(args[0]);
        if (domain === '' || domain === '.') config.upstreams.push(...to);
        else config.stubDomains.push({ domain, servers: to });
      }
      for (const [key, value] of sub) if (key === 'max_concurrent' && Number(value) > 0) config.maxConcurrent = Number(value);
    }
    if (tokens[i]?.text !== '}') fail('unclosed server block');
    i++;
  }
  return config;
}

/** kube-dns's ConfigMap keys: `upstreamNameservers: ["1.2.3.4"]`, `stubDomains: {"example.test": ["1.2.3.4:5353"]}`. */
export function parseKubeDnsKeys(data: Record<string, string>): UpstreamConfig {
  const json = (key: string): unknown => {
    try {
      return JSON.parse(data[key]);
    } catch {
      throw new DnsConfigError(`${key} is not valid JSON`);
    }
  };
  const config: UpstreamConfig = { upstreams: [], stubDomains: [] };
  if (data.upstreamNameservers !== undefined) {
    const list = json('upstreamNameservers');
    if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw new DnsConfigError('upstreamNameservers must be a JSON array of strings');
    config.upstreams = list.map(parseServer);
  }
  if (data.stubDomains !== undefined) {
    const stubs = json('stubDomains');
    if (!stubs || typeof stubs !== 'object' || Array.isArray(stubs)) throw new DnsConfigError('stubDomains must be a JSON object');
    for (const [domain, list] of Object.entries(stubs as Record<string, unknown>)) {
      if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw new DnsConfigError(`stubDomains[${JSON.stringify(domain)}] must be an array of strings`);
      config.stubDomains.push({ domain: normaliseDomain(domain), servers: list.map(parseServer) });
    }
  }
  return config;
}

/** A ConfigMap's data: the `Corefile` key wins; otherwise the kube-dns keys. Missing parts keep `defaults`. */
export function configFromConfigMap(data: Record<string, string> | undefined, defaults: UpstreamConfig, options: ConfigReadOptions = {}): UpstreamConfig {
  if (!data) return defaults;
  const parsed = data.Corefile !== undefined ? parseCorefile(data.Corefile, options) : parseKubeDnsKeys(data);
  return {
    upstreams: parsed.upstreams.length ? parsed.upstreams : defaults.upstreams,
    stubDomains: parsed.stubDomains,
    isQueryLogEnabled: parsed.isQueryLogEnabled ?? defaults.isQueryLogEnabled,
    maxConcurrent: parsed.maxConcurrent ?? defaults.maxConcurrent,
  };
}

/** The servers for `name` (lower-case, no trailing dot): the longest matching stub domain, else the upstreams. */
export function serversFor(config: UpstreamConfig, name: string): { servers: UpstreamServer[]; route: string } {
  let best: StubDomain | undefined;
  for (const stub of config.stubDomains) {
    if ((name === stub.domain || name.endsWith(`.${stub.domain}`)) && (!best || stub.domain.length > best.domain.length)) best = stub;
  }
  return best ? { servers: best.servers, route: best.domain } : { servers: config.upstreams, route: '.' };
}
