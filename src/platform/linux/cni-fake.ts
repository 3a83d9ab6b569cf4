// Fake CNI plugins for unit tests: answers plugin invocations on a FakeCommandRunner the way
// loopback, bridge + host-local would, without touching the kernel.
import { Cni } from './cni.ts';
import type { CniResult } from './cni.ts';
import { FakeCommandRunner } from './command-fake.ts';
import type { FakeReply, RecordedCall, Responder } from './command-fake.ts';

export interface FakeCniCall {
  command: string;
  plugin: string;
  containerId: string;
  netns: string;
  ifName: string;
  config: Record<string, unknown>;
}

export class FakeCniPlugins {
  readonly calls: FakeCniCall[] = [];
  /** Addresses handed out, by `<network name>/<containerId>/<ifName>`. */
  readonly allocations = new Map<string, string>();
  #failures = new Map<string, { code: number; msg: string }>();

  /** Makes `plugin` fail `command` with the spec's error object until cleared. */
  failNext(plugin: string, command: string, error: { code: number; msg: string }): void {
    this.#failures.set(`${plugin}/${command}`, error);
  }

  responder(): Responder {
    return (call) => (call.env?.CNI_COMMAND ? this.#answer(call) : undefined);
  }

  #answer(call: RecordedCall): FakeReply {
    const env = call.env!;
    const config = JSON.parse(call.input ?? '{}') as Record<string, unknown> & { type: string; name?: string; cniVersion?: string; prevResult?: CniResult };
    const c: FakeCniCall = { command: env.CNI_COMMAND, plugin: config.type, containerId: env.CNI_CONTAINERID, netns: env.CNI_NETNS, ifName: env.CNI_IFNAME, config };
    this.calls.push(c);
    const version = config.cniVersion ?? '1.0.0';
    const failure = this.#failures.get(`${c.plugin}/${c.command}`);
    if (failure) {
      this.#failures.delete(`${c.plugin}/${c.command}`);
      return { exitCode: 1, stdout: JSON.stringify({ cniVersion: version, ...failure }) };
    }
    const key = `${config.name}/${c.containerId}/${c.ifName}`;
    switch (c.command) {
      case 'VERSION':
        return { stdout: JSON.stringify({ cniVersion: version, supportedVersions: ['0.3.1', '0.4.0', '1.0.0'] }) };
      case 'DEL':
        this.allocations.delete(key);
        return {};
      case 'CHECK':
        if (c.plugin !== 'loopback' && config.ipam && !this.allocations.has(key)) {
          return { exitCode: 1, stdout: JSON.stringify({ cniVersion: version, code: 3, msg: `no allocation for ${key}` }) };
        }
        return {};
      default:
        return { stdout: JSON.stringify(this.#add(c, config, key)) };
    }
  }

  #add(c: FakeCniCall, config: Record<string, unknown> & { cniVersion?: string; prevResult?: CniResult }, key: string): CniResult {
    const cniVersion = config.cniVersion ?? '1.0.0';
    if (c.plugin === 'loopback') return { cniVersion, interfaces: [{ name: 'lo', sandbox: c.netns }], ips: [{ address: '127.0.0.1/8', interface: 0 }] };
    const ipam = config.ipam as { subnet?: string; gateway?: string; ranges?: { subnet: string; gateway?: string }[][] } | undefined;
    if (!ipam) return config.prevResult ?? { cniVersion };
    const range = ipam.ranges?.[0]?.[0] ?? { subnet: ipam.subnet ?? '', gateway: ipam.gateway };
    const [base, len] = range.subnet.split('/');
    const used = new Set(this.allocations.values());
    let address = '';
    for (let host = 2; host < 2 ** (32 - Number(len)) - 1 && !address; host++) {
      const candidate = `${addToIp(base, host)}/${len}`;
      if (!used.has(candidate)) address = candidate;
    }
    if (!address) throw new Error(`fake host-local: ${range.subnet} is full`);
    this.allocations.set(key, address);
    const bridge = typeof config.bridge === 'string' ? config.bridge : 'cni0';
    return {
      cniVersion,
      interfaces: [{ name: bridge }, { name: `veth${this.allocations.size}` }, { name: c.ifName, sandbox: c.netns }],
      ips: [{ address, gateway: range.gateway ?? addToIp(base, 1), interface: 2 }],
      routes: (config.ipam as { routes?: { dst: string }[] }).routes ?? [],
    };
  }
}

/** A Cni wired to fake plugins: `const { cni, plugins, runner } = fakeCni()`. */
export function fakeCni(): { cni: Cni; plugins: FakeCniPlugins; runner: FakeCommandRunner } {
  const runner = new FakeCommandRunner();
  const plugins = new FakeCniPlugins();
  runner.respond(plugins.responder());
  return { cni: new Cni(runner, { paths: ['/fake/cni'], exists: () => true }), plugins, runner };
}

function addToIp(ip: string, n: number): string {
  const v = ip.split('.').reduce((acc, p) => acc * 256 + Number(p), 0) + n;
  return [v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255].join('.');
}
