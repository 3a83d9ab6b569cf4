// iproute2 (`ip`) adapter: network namespaces, links, addresses, routes, and per-netns sysctls.
import { CommandError, assertNetnsName, defaultRunner } from './command.ts';
import type { CommandRunner } from './command.ts';
import { IpError, classify, parseJsonArray, routeArgs, tolerateMissing, toLinkInfo, toRouteInfo } from './ip-model.ts';
import type { AddressInfo, LinkInfo, RawLink, RawRoute, RouteInfo, RouteSpec } from './ip-model.ts';

export { IpError, classify, routeArgs } from './ip-model.ts';
export type { AddressInfo, IpErrorCode, LinkInfo, RouteInfo, RouteSpec, RouteType } from './ip-model.ts';

/** Where a command runs: a named netns (under /run/netns), or the host when absent. */
export interface At {
  netns?: string;
}

export class Ip {
  #runner: CommandRunner;

  constructor(runner: CommandRunner = defaultRunner) {
    this.#runner = runner;
  }

  // ---- namespaces

  /** Creates the netns; returns false if it already existed. */
  async addNetns(name: string): Promise<boolean> {
    assertNetnsName(name);
    try {
      await this.#ip(['netns', 'add', name]);
      return true;
    } catch (e) {
      if (e instanceof IpError && e.code === 'Exists') return false;
      throw e;
    }
  }

  /** Deletes the netns; returns false if there was none. Processes still inside keep the namespace alive. */
  async deleteNetns(name: string): Promise<boolean> {
    assertNetnsName(name);
    return tolerateMissing(this.#ip(['netns', 'delete', name]));
  }

  async listNetns(): Promise<string[]> {
    const { stdout } = await this.#ip(['-j', 'netns', 'list']);
    return parseJsonArray<{ name: string }>(stdout).map((n) => n.name).sort();
  }

  async hasNetns(name: string): Promise<boolean> {
    return (await this.listNetns()).includes(name);
  }

  /** Pids of processes whose network namespace is `name`. */
  async netnsPids(name: string): Promise<number[]> {
    assertNetnsName(name);
    const { stdout } = await this.#ip(['netns', 'pids', name]);
    return stdout.split('\n').filter((l) => /^\d+$/.test(l.trim())).map(Number);
  }

  // ---- links

  /** `ip link add <name> type veth peer name <peer> [netns <peerNetns>]`; the peer may go straight into a netns. */
  async addVeth(name: string, options: At & { peer: string; peerNetns?: string }): Promise<void> {
    const peer = ['peer', 'name', options.peer];
    if (options.peerNetns !== undefined) {
      assertNetnsName(options.peerNetns);
      peer.push('netns', options.peerNetns);
    }
    await this.#ip(['link', 'add', name, 'type', 'veth', ...peer], options);
  }

  async addBridge(name: string, options: At = {}): Promise<void> {
    await this.#ip(['link', 'add', name, 'type', 'bridge'], options);
  }

  async setLinkUp(name: string, options: At = {}): Promise<void> {
    await this.#ip(['link', 'set', 'dev', name, 'up'], options);
  }

  async setLinkDown(name: string, options: At = {}): Promise<void> {
    await this.#ip(['link', 'set', 'dev', name, 'down'], options);
  }

  async setMaster(name: string, options: At & { master: string }): Promise<void> {
    await this.#ip(['link', 'set', 'dev', name, 'master', options.master], options);
  }

  /** Moves a link into another netns (`ip link set dev <name> netns <to>`). */
  async moveLink(name: string, options: At & { to: string }): Promise<void> {
    assertNetnsName(options.to);
    await this.#ip(['link', 'set', 'dev', name, 'netns', options.to], options);
  }

  /** Renames a link; it must be down. */
  async renameLink(name: string, options: At & { to: string }): Promise<void> {
    await this.#ip(['link', 'set', 'dev', name, 'name', options.to], options);
  }

  /** Deletes a link (a veth takes its peer with it); returns false if there was none. */
  async deleteLink(name: string, options: At = {}): Promise<boolean> {
    return tolerateMissing(this.#ip(['link', 'delete', 'dev', name], options));
  }

  /** Links, optionally only those whose name starts with `prefix`. */
  async listLinks(options: At & { prefix?: string } = {}): Promise<LinkInfo[]> {
    const { stdout } = await this.#ip(['-j', '-d', 'link', 'show'], options);
    const links = parseJsonArray<RawLink>(stdout).map(toLinkInfo);
    return options.prefix === undefined ? links : links.filter((l) => l.name.startsWith(options.prefix!));
  }

  async getLink(name: string, options: At = {}): Promise<LinkInfo | undefined> {
    return (await this.listLinks(options)).find((l) => l.name === name);
  }

  // ---- addresses

  /** Adds (or keeps) `cidr`, e.g. 198.18.0.1/24, on `dev`: `ip addr replace` is idempotent. */
  async addAddress(dev: string, options: At & { cidr: string }): Promise<void> {
    await this.#ip(['addr', 'replace', options.cidr, 'dev', dev], options);
  }

  async deleteAddress(dev: string, options: At & { cidr: string }): Promise<boolean> {
    return tolerateMissing(this.#ip(['addr', 'delete', options.cidr, 'dev', dev], options));
  }

  async listAddresses(options: At & { dev?: string } = {}): Promise<AddressInfo[]> {
    const { stdout } = await this.#ip(['-j', 'addr', 'show', ...(options.dev ? ['dev', options.dev] : [])], options);
    const out: AddressInfo[] = [];
    for (const link of parseJsonArray<RawLink>(stdout)) {
      for (const a of link.addr_info ?? []) {
        if (a.family !== 'inet' && a.family !== 'inet6') continue;
        out.push({ dev: link.ifname, family: a.family, local: a.local, prefixLength: a.prefixlen, cidr: `${a.local}/${a.prefixlen}` });
      }
    }
    return out;
  }

  // ---- routes

  async addRoute(route: RouteSpec, options: At = {}): Promise<void> {
    await this.#ip(['route', 'add', ...routeArgs(route)], options);
  }

  /** Adds or updates the route with the same destination, type and metric. */
  async replaceRoute(route: RouteSpec, options: At = {}): Promise<void> {
    await this.#ip(['route', 'replace', ...routeArgs(route)], options);
  }

  /** Deletes a route; returns false if there was none. */
  async deleteRoute(route: RouteSpec, options: At = {}): Promise<boolean> {
    return tolerateMissing(this.#ip(['route', 'delete', ...routeArgs(route, { isDelete: true })], options));
  }

  /** Routes of the main table, optionally only those through `dev`. */
  async listRoutes(options: At & { dev?: string } = {}): Promise<RouteInfo[]> {
    const { stdout } = await this.#ip(['-j', 'route', 'show'], options);
    const routes = parseJsonArray<RawRoute>(stdout).map(toRouteInfo);
    return options.dev === undefined ? routes : routes.filter((r) => r.dev === options.dev);
  }

  // ---- sysctl (only inside a named netns: the host's settings are not ours to change)

  /** `sysctl -w k=v …` inside `netns`, e.g. setSysctl('skiff-x-node-1', {'net.ipv4.ip_forward': '1'}). */
  async setSysctl(netns: string, values: Record<string, string | number>): Promise<void> {
    assertNetnsName(netns);
    const pairs = Object.entries(values).map(([k, v]) => `${checkSysctlKey(k)}=${v}`);
    if (pairs.length === 0) return;
    await wrap(this.#runner.run('sysctl', ['-w', ...pairs], { netns }), 'sysctl');
  }

  /** Reads one sysctl, on the host or inside a netns. */
  async readSysctl(key: string, options: At = {}): Promise<string> {
    const { stdout } = await wrap(this.#runner.run('sysctl', ['-n', checkSysctlKey(key)], options.netns === undefined ? {} : { netns: options.netns }), 'sysctl');
    return stdout.trim();
  }

  #ip(args: string[], at: At = {}): Promise<{ stdout: string; stderr: string }> {
    const prefix: string[] = [];
    if (at.netns !== undefined) {
      assertNetnsName(at.netns);
      prefix.push('-n', at.netns);
    }
    return wrap(this.#runner.run('ip', [...prefix, ...args]), 'ip');
  }
}

function checkSysctlKey(key: string): string {
  if (!/^[a-z0-9_]+(\.[A-Za-z0-9_-]+)+$/.test(key)) throw new IpError('InvalidArgument', `invalid sysctl key ${JSON.stringify(key)}`);
  return key;
}


/** Maps a failed command to an IpError whose code says what kind of failure it was. */
async function wrap<T>(p: Promise<T>, tool: string): Promise<T> {
  try {
    return await p;
  } catch (e) {
    if (!(e instanceof CommandError)) throw e;
    if (e.code === 'InvalidArgument') throw new IpError('InvalidArgument', e.message, { cause: e });
    throw new IpError(classify(e.stderr), `${tool}: ${e.message}`, { cause: e, stderr: e.stderr });
  }
}
