// The shapes `ip -j` prints, the route argv builder, and IpError: the pure half of ip.ts.

export type IpErrorCode = 'Exists' | 'NotFound' | 'NetnsNotFound' | 'Failed' | 'DefaultRouteRefused' | 'InvalidArgument';

export class IpError extends Error {
  override name = 'IpError';
  readonly code: IpErrorCode;
  /** The tool's stderr, when a command failed. */
  readonly stderr: string;
  constructor(code: IpErrorCode, message: string, options?: { cause?: unknown; stderr?: string }) {
    super(message, options);
    this.code = code;
    this.stderr = options?.stderr ?? '';
  }
}

export interface LinkInfo {
  name: string;
  index: number;
  /** `veth`, `bridge`, … (undefined for plain devices such as lo). */
  kind?: string;
  isUp: boolean;
  operstate: string;
  master?: string;
  mac?: string;
  mtu: number;
  /** Set when the peer of a veth lives in another netns. */
  linkNetnsId?: number;
  /** `link_index`: for a veth, the peer's ifindex (numbered in the peer's own netns). */
  peerIndex?: number;
}

export interface AddressInfo {
  dev: string;
  family: 'inet' | 'inet6';
  local: string;
  prefixLength: number;
  /** `local/prefixLength` */
  cidr: string;
}

export type RouteType = 'unicast' | 'unreachable' | 'blackhole' | 'prohibit';

export interface RouteSpec {
  /** A CIDR or single address. `default` and 0.0.0.0/0 are always refused. */
  dst: string;
  type?: RouteType;
  via?: string;
  dev?: string;
  metric?: number;
  src?: string;
  scope?: 'link' | 'host' | 'global';
  protocol?: string | number;
  isOnlink?: boolean;
}

export interface RouteInfo {
  dst: string;
  type: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
}

/** The arguments after `ip route add|replace|delete`; refuses default routes. */
export function routeArgs(route: RouteSpec, options: { isDelete?: boolean } = {}): string[] {
  if (isDefaultLike(route)) throw new IpError('DefaultRouteRefused', `refusing route to ${route.dst}: skiff never installs a default route`);
  const args: string[] = [];
  if (route.type && route.type !== 'unicast') args.push(route.type);
  args.push(route.dst);
  if (route.via) args.push('via', route.via);
  if (route.dev) args.push('dev', route.dev);
  if (route.src && !options.isDelete) args.push('src', route.src);
  if (route.scope) args.push('scope', route.scope);
  if (route.protocol !== undefined) args.push('proto', String(route.protocol));
  if (route.metric !== undefined) args.push('metric', String(route.metric));
  if (route.isOnlink && !options.isDelete) args.push('onlink');
  return args;
}

/** A default route, or a forwarding route so wide (shorter than /8) that it acts like one. */
function isDefaultLike(route: RouteSpec): boolean {
  const dst = route.dst.trim().toLowerCase();
  if (dst === 'default' || dst === 'all' || dst === 'any') return true;
  const len = dst.includes('/') ? Number(dst.split('/')[1]) : 32;
  if (!Number.isInteger(len)) return false;
  const forwards = !route.type || route.type === 'unicast';
  return len === 0 || (forwards && len < 8);
}

export function classify(stderr: string): IpErrorCode {
  if (/Cannot open network namespace|Invalid netns name|Failed to open netns|nsenter: cannot open/i.test(stderr)) return 'NetnsNotFound';
  if (/File exists/i.test(stderr)) return 'Exists';
  if (/Cannot find device|No such process|No such file or directory|does not exist|Cannot assign requested address/i.test(stderr)) return 'NotFound';
  return 'Failed';
}

export interface RawLink {
  ifindex: number;
  ifname: string;
  flags?: string[];
  mtu: number;
  operstate: string;
  master?: string;
  address?: string;
  link_netnsid?: number;
  link_index?: number;
  linkinfo?: { info_kind?: string };
  addr_info?: { family: string; local: string; prefixlen: number }[];
}

export interface RawRoute {
  type?: string;
  dst: string;
  gateway?: string;
  dev?: string;
  metric?: number;
  protocol?: string;
  scope?: string;
  prefsrc?: string;
}

export function toLinkInfo(l: RawLink): LinkInfo {
  const info: LinkInfo = { name: l.ifname, index: l.ifindex, isUp: (l.flags ?? []).includes('UP'), operstate: l.operstate, mtu: l.mtu };
  if (l.linkinfo?.info_kind) info.kind = l.linkinfo.info_kind;
  if (l.master) info.master = l.master;
  if (l.address) info.mac = l.address;
  if (l.link_netnsid !== undefined) info.linkNetnsId = l.link_netnsid;
  if (l.link_index !== undefined) info.peerIndex = l.link_index;
  return info;
}

export function toRouteInfo(r: RawRoute): RouteInfo {
  const info: RouteInfo = { dst: r.dst, type: r.type ?? 'unicast' };
  for (const k of ['gateway', 'dev', 'metric', 'protocol', 'scope', 'prefsrc'] as const) {
    if (r[k] !== undefined) (info as unknown as Record<string, unknown>)[k] = r[k];
  }
  return info;
}

export function parseJsonArray<T>(text: string): T[] {
  const t = text.trim();
  if (t === '') return [];
  const v: unknown = JSON.parse(t);
  return Array.isArray(v) ? (v as T[]) : [];
}

/** Awaits `p`: true when it succeeded, false when what it acted on (or its netns) was not there. */
export async function tolerateMissing(p: Promise<unknown>): Promise<boolean> {
  try {
    await p;
    return true;
  } catch (e) {
    if (e instanceof IpError && (e.code === 'NotFound' || e.code === 'NetnsNotFound')) return false;
    throw e;
  }
}
