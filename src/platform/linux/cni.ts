// Invoking CNI plugins as the CNI spec 1.0 describes: one binary per plugin, env vars + config on stdin.
// https://github.com/containernetworking/cni/blob/spec-v1.0.0/SPEC.md
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CommandError, defaultRunner, netnsPath } from './command.ts';
import type { CommandRunner } from './command.ts';

export interface CniPluginConfig {
  type: string;
  capabilities?: Record<string, boolean>;
  [key: string]: unknown;
}

export interface CniConflist {
  cniVersion: string;
  name: string;
  plugins: CniPluginConfig[];
}

export interface CniInterface {
  name: string;
  mac?: string;
  mtu?: number;
  /** The netns path for interfaces inside the container, absent for host-side ones. */
  sandbox?: string;
}

export interface CniIpConfig {
  /** CIDR, e.g. 198.18.128.5/24 */
  address: string;
  gateway?: string;
  /** Index into `interfaces`. */
  interface?: number;
}

export interface CniRoute {
  dst: string;
  gw?: string;
}

export interface CniDns {
  nameservers?: string[];
  domain?: string;
  search?: string[];
  options?: string[];
}

export interface CniResult {
  cniVersion: string;
  interfaces?: CniInterface[];
  ips?: CniIpConfig[];
  routes?: CniRoute[];
  dns?: CniDns;
  [key: string]: unknown;
}

/** What identifies one attachment: the container, its netns and the interface name inside it. */
export interface CniRuntime {
  containerId: string;
  /** A netns name (under /run/netns) or an absolute path. */
  netns: string;
  ifName: string;
  /** CNI_ARGS, e.g. {K8S_POD_NAMESPACE: 'default', K8S_POD_NAME: 'web-1'}; IgnoreUnknown=1 is added. */
  args?: Record<string, string>;
  /** Values for plugins that declare `capabilities` (e.g. portMappings), passed as runtimeConfig. */
  capabilityArgs?: Record<string, unknown>;
}

export type CniCommand = 'ADD' | 'DEL' | 'CHECK' | 'VERSION';

export type CniErrorReason = 'PluginError' | 'PluginNotFound' | 'BadOutput' | 'ExecFailed';

/** Well-known codes from the spec; plugins use 100 and above for their own. */
export const CNI_CODES = {
  incompatibleVersion: 1,
  unsupportedField: 2,
  containerUnknown: 3,
  invalidEnv: 4,
  ioFailure: 5,
  decodeFailure: 6,
  invalidNetworkConfig: 7,
  tryAgainLater: 11,
} as const;

export class CniError extends Error {
  override name = 'CniError';
  /** The code the plugin reported (see CNI_CODES); 0 when the failure was not reported by a plugin. */
  readonly code: number;
  readonly reason: CniErrorReason;
  readonly plugin: string;
  readonly command: CniCommand;
  readonly details: string;
  readonly stderr: string;
  constructor(reason: CniErrorReason, init: { code?: number; msg: string; details?: string; plugin: string; command: CniCommand; stderr?: string }, options?: { cause?: unknown }) {
    super(`CNI ${init.command} ${init.plugin}: ${init.msg}${init.details ? ` (${init.details})` : ''}`, options);
    this.reason = reason;
    this.code = init.code ?? 0;
    this.plugin = init.plugin;
    this.command = init.command;
    this.details = init.details ?? '';
    this.stderr = init.stderr ?? '';
  }
}

export const DEFAULT_CNI_PATH = ['/usr/lib/cni', '/opt/cni/bin'];

export class Cni {
  #runner: CommandRunner;
  #paths: string[];
  #exists: (path: string) => boolean;

  constructor(runner: CommandRunner = defaultRunner, options: { paths?: string[]; exists?: (path: string) => boolean } = {}) {
    this.#runner = runner;
    this.#paths = options.paths ?? DEFAULT_CNI_PATH;
    this.#exists = options.exists ?? existsSync;
  }

  /** ADD: every plugin in order, each given the previous one's result; returns the last result (cache it for DEL/CHECK). */
  async add(conflist: CniConflist, runtime: CniRuntime): Promise<CniResult> {
    let prev: CniResult | undefined;
    for (const plugin of conflist.plugins) {
      const out = await this.invoke('ADD', { config: pluginConfig(conflist, plugin, runtime, prev), runtime });
      prev = parseResult(out, { plugin: plugin.type, command: 'ADD' });
    }
    if (!prev) throw new CniError('BadOutput', { msg: 'conflist has no plugins', plugin: conflist.name, command: 'ADD' });
    return prev;
  }

  /**
   * DEL: every plugin in reverse order, each given the cached ADD result when there is one. Plugins must
   * treat missing state as success; if one fails anyway the rest still run and the first error is thrown.
   */
  async del(conflist: CniConflist, runtime: CniRuntime, options: { prevResult?: CniResult } = {}): Promise<void> {
    let first: unknown;
    for (const plugin of [...conflist.plugins].reverse()) {
      try {
        await this.invoke('DEL', { config: pluginConfig(conflist, plugin, runtime, options.prevResult), runtime });
      } catch (e) {
        first ??= e;
      }
    }
    if (first) throw first;
  }

  /** CHECK: every plugin in order with the cached ADD result; throws the first plugin's CniError. */
  async check(conflist: CniConflist, runtime: CniRuntime, options: { prevResult: CniResult }): Promise<void> {
    for (const plugin of conflist.plugins) {
      await this.invoke('CHECK', { config: pluginConfig(conflist, plugin, runtime, options.prevResult), runtime });
    }
  }

  /** VERSION: the spec versions a plugin supports. */
  async versions(pluginType: string, options: { cniVersion?: string } = {}): Promise<string[]> {
    const config = { cniVersion: options.cniVersion ?? '1.0.0', type: pluginType };
    const out = await this.invoke('VERSION', { config });
    try {
      const v = JSON.parse(out) as { supportedVersions?: string[] };
      return v.supportedVersions ?? [];
    } catch (e) {
      throw new CniError('BadOutput', { msg: 'VERSION output is not JSON', details: out.slice(0, 200), plugin: pluginType, command: 'VERSION' }, { cause: e });
    }
  }

  /** Runs one plugin binary with one command; returns its stdout. */
  async invoke(command: CniCommand, call: { config: { type: string; [k: string]: unknown }; runtime?: CniRuntime }): Promise<string> {
    const plugin = call.config.type;
    const binary = this.findPlugin(plugin);
    const rt = call.runtime;
    const env: Record<string, string> = {
      CNI_COMMAND: command,
      CNI_CONTAINERID: rt?.containerId ?? '',
      CNI_NETNS: rt ? (rt.netns.startsWith('/') ? rt.netns : netnsPath(rt.netns)) : '',
      CNI_IFNAME: rt?.ifName ?? '',
      CNI_ARGS: cniArgs(rt?.args),
      CNI_PATH: this.#paths.join(':'),
    };
    try {
      return (await this.#runner.run(binary, [], { input: JSON.stringify(call.config), env })).stdout;
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      throw pluginFailure(e, { plugin, command });
    }
  }

  /** The plugin binary's path: the first CNI path directory that has it. */
  findPlugin(type: string): string {
    if (!/^[A-Za-z0-9_.-]+$/.test(type) || type.startsWith('.')) throw new CniError('PluginNotFound', { msg: `invalid plugin type ${JSON.stringify(type)}`, plugin: type, command: 'ADD' });
    for (const dir of this.#paths) {
      const p = join(dir, type);
      if (this.#exists(p)) return p;
    }
    throw new CniError('PluginNotFound', { msg: `plugin ${type} not found in ${this.#paths.join(':')}`, plugin: type, command: 'ADD' });
  }
}

/**
 * CNI_ARGS as `K=V;K=V`. The reference plugins reject keys they do not know unless `IgnoreUnknown=1`
 * is among them, so it is added (as kubelet's runtimes do) unless the caller set it.
 */
export function cniArgs(args: Record<string, string> = {}): string {
  const entries = Object.entries(args);
  if (entries.length && !('IgnoreUnknown' in args)) entries.push(['IgnoreUnknown', '1']);
  return entries.map(([k, v]) => `${k}=${v}`).join(';');
}

/** The network config one plugin of a conflist sees: its own object plus name, cniVersion, prevResult, runtimeConfig. */
export function pluginConfig(conflist: CniConflist, plugin: CniPluginConfig, runtime: CniRuntime, prevResult?: CniResult): Record<string, unknown> & { type: string } {
  const config: Record<string, unknown> & { type: string } = { ...plugin, cniVersion: conflist.cniVersion, name: conflist.name };
  if (prevResult) config.prevResult = prevResult;
  const wanted = Object.entries(plugin.capabilities ?? {}).filter(([k, on]) => on && runtime.capabilityArgs?.[k] !== undefined);
  if (wanted.length) config.runtimeConfig = Object.fromEntries(wanted.map(([k]) => [k, runtime.capabilityArgs![k]]));
  return config;
}

export function parseResult(stdout: string, where: { plugin: string; command: CniCommand }): CniResult {
  let v: unknown;
  try {
    v = JSON.parse(stdout);
  } catch (e) {
    throw new CniError('BadOutput', { msg: 'plugin result is not JSON', details: stdout.slice(0, 200), ...where }, { cause: e });
  }
  if (!v || typeof v !== 'object' || typeof (v as CniResult).cniVersion !== 'string') {
    throw new CniError('BadOutput', { msg: 'plugin result has no cniVersion', details: stdout.slice(0, 200), ...where });
  }
  return v as CniResult;
}

/** A plugin's failure: the spec's error JSON on stdout when it printed one, else its exit status and stderr. */
export function pluginFailure(e: CommandError, where: { plugin: string; command: CniCommand }): CniError {
  try {
    const j = JSON.parse(e.stdout) as { code?: unknown; msg?: unknown; details?: unknown };
    if (typeof j.code === 'number') {
      return new CniError('PluginError', { code: j.code, msg: String(j.msg ?? ''), details: typeof j.details === 'string' ? j.details : '', stderr: e.stderr, ...where }, { cause: e });
    }
  } catch {
    // not the spec's error object: fall through
  }
  return new CniError('ExecFailed', { msg: e.message, stderr: e.stderr, ...where }, { cause: e });
}
