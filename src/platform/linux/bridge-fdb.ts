// The VXLAN half of iproute2: the vxlan link itself, permanent neighbor entries (`ip neigh`) and forwarding
// database entries (`bridge fdb`) on it. Same error model as ip.ts (IpError); deletes tolerate absence.
import { CommandError, assertNetnsName, defaultRunner } from './command.ts';
import type { CommandRunner } from './command.ts';
import { IpError, classify, parseJsonArray, tolerateMissing } from './ip-model.ts';

export interface VxlanSpec {
  /** VXLAN network identifier. */
  vni: number;
  /** UDP destination port (4789 is the IANA port). */
  port: number;
  /** Source address of the encapsulated packets: this node's underlay address. */
  local: string;
  /** The underlay device the encapsulated packets leave through. */
  dev: string;
}

export interface NeighborEntry {
  ip: string;
  mac: string;
}

export interface FdbEntry {
  mac: string;
  /** The remote VTEP's underlay address. */
  dst: string;
}

interface RawNeigh {
  dst: string;
  lladdr?: string;
  state?: string[];
}

interface RawFdb {
  mac: string;
  dst?: string;
  state?: string;
}

const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;

export class BridgeFdb {
  #runner: CommandRunner;

  constructor(runner: CommandRunner = defaultRunner) {
    this.#runner = runner;
  }

  /** `ip link add <name> type vxlan … nolearning`: remote MACs come only from the FDB entries we program. */
  async addVxlan(name: string, options: VxlanSpec & { netns?: string }): Promise<void> {
    assertIpv4(options.local);
    await this.#run('ip', ['link', 'add', name, 'type', 'vxlan', 'id', String(options.vni), 'dstport', String(options.port), 'local', options.local, 'dev', options.dev, 'nolearning'], options.netns);
  }

  /** Permanent neighbor entries on `dev` (others, e.g. failed lookups, are not ours). */
  async listNeighbors(dev: string, options: { netns?: string } = {}): Promise<NeighborEntry[]> {
    const { stdout } = await this.#run('ip', ['-j', 'neigh', 'show', 'dev', dev], options.netns);
    return parseJsonArray<RawNeigh>(stdout).filter((n) => n.lladdr && n.state?.includes('PERMANENT')).map((n) => ({ ip: n.dst, mac: n.lladdr!.toLowerCase() }));
  }

  async replaceNeighbor(dev: string, entry: NeighborEntry & { netns?: string }): Promise<void> {
    assertIpv4(entry.ip);
    assertMac(entry.mac);
    await this.#run('ip', ['neigh', 'replace', entry.ip, 'lladdr', entry.mac, 'dev', dev, 'nud', 'permanent'], entry.netns);
  }

  async deleteNeighbor(dev: string, entry: { ip: string; netns?: string }): Promise<boolean> {
    assertIpv4(entry.ip);
    return tolerateMissing(this.#run('ip', ['neigh', 'del', entry.ip, 'dev', dev], entry.netns));
  }

  /** Entries with a remote destination on `dev` (the kernel's own entries without `dst` are left out). */
  async listFdb(dev: string, options: { netns?: string } = {}): Promise<FdbEntry[]> {
    const { stdout } = await this.#run('bridge', ['-j', 'fdb', 'show', 'dev', dev], options.netns);
    return parseJsonArray<RawFdb>(stdout).filter((e) => e.dst).map((e) => ({ mac: e.mac.toLowerCase(), dst: e.dst! }));
  }

  async replaceFdb(dev: string, entry: FdbEntry & { netns?: string }): Promise<void> {
    assertMac(entry.mac);
    assertIpv4(entry.dst);
    await this.#run('bridge', ['fdb', 'replace', entry.mac, 'dev', dev, 'dst', entry.dst, 'self', 'permanent'], entry.netns);
  }

  async deleteFdb(dev: string, entry: FdbEntry & { netns?: string }): Promise<boolean> {
    assertMac(entry.mac);
    assertIpv4(entry.dst);
    return tolerateMissing(this.#run('bridge', ['fdb', 'del', entry.mac, 'dev', dev, 'dst', entry.dst, 'self'], entry.netns));
  }

  async #run(cmd: string, args: string[], netns: string | undefined): Promise<{ stdout: string; stderr: string }> {
    if (netns !== undefined) assertNetnsName(netns);
    try {
      return await this.#runner.run(cmd, args, netns === undefined ? {} : { netns });
    } catch (e) {
      if (!(e instanceof CommandError)) throw e;
      if (e.code === 'InvalidArgument') throw new IpError('InvalidArgument', e.message, { cause: e });
      throw new IpError(classify(e.stderr), `${cmd}: ${e.message}`, { cause: e, stderr: e.stderr });
    }
  }
}

function assertMac(mac: string): void {
  if (!MAC.test(mac)) throw new IpError('InvalidArgument', `invalid MAC address ${JSON.stringify(mac)}`);
}

function assertIpv4(ip: string): void {
  if (!IPV4.test(ip)) throw new IpError('InvalidArgument', `invalid IPv4 address ${JSON.stringify(ip)}`);
}
