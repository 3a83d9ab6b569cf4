// ClusterIP and NodePort allocation at admission, as kube-apiserver's Service REST storage does it.
// State is in memory and rebuilt from the stored Services at start (repair), so nothing leaks or is handed out twice.
import type { ResourceInfo } from '../../api/resources.ts';
import type { KubeObject, Service, ServicePort } from '../../api/types.ts';
import { field, invalid } from '../../api/status.ts';
import type { StatusCause } from '../../api/status.ts';
import type { Admission, AdmissionOutcome, AdmissionRequest } from '../admission.ts';
import { BitmapAllocator } from './bitmap-allocator.ts';
import { cidrContains, intToIp, ipToInt, parseCidr } from './ip-range.ts';
import type { Cidr } from './ip-range.ts';

export interface ServiceAllocatorOptions {
  serviceCidr: string;
  nodePortRange: { min: number; max: number };
}

export const DEFAULT_SERVICE_CIDR = '198.19.0.0/16';
export const DEFAULT_NODE_PORT_RANGE = { min: 30000, max: 32767 };

function ownerOf(svc: KubeObject): string {
  return `${svc.metadata.namespace}/${svc.metadata.name}`;
}

function needsNodePorts(spec: Service['spec']): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

function needsHealthCheckPort(spec: Service['spec']): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

export class ServiceAllocator implements Admission {
  readonly cidr: Cidr;
  readonly nodePortRange: { min: number; max: number };
  #ips: BitmapAllocator;
  #ports: BitmapAllocator;

  constructor(options: Partial<ServiceAllocatorOptions> = {}) {
    this.cidr = parseCidr(options.serviceCidr ?? DEFAULT_SERVICE_CIDR);
    this.nodePortRange = options.nodePortRange ?? DEFAULT_NODE_PORT_RANGE;
    this.#ips = new BitmapAllocator(this.cidr.size);
    this.#ports = new BitmapAllocator(this.nodePortRange.max - this.nodePortRange.min + 1);
  }

  /** The n-th address of the service CIDR (1 → the `kubernetes` Service, 10 → cluster DNS). */
  addressAt(n: number): string {
    return intToIp(this.cidr.base + n);
  }

  /** Repair: marks what stored Services hold. Conflicts (two Services claiming one IP) are reported, not fatal. */
  rebuild(services: readonly KubeObject[]): string[] {
    const problems: string[] = [];
    for (const s of services as Service[]) {
      const owner = ownerOf(s);
      const ip = s.spec?.clusterIP;
      if (ip && ip !== 'None') {
        const off = this.#ipOffset(ip);
        if (off === undefined) problems.push(`${owner}: clusterIP ${ip} is outside ${this.cidr.text}`);
        else if (!this.#ips.claim(off, owner)) problems.push(`${owner}: clusterIP ${ip} is also held by ${this.#ips.ownerOf(off)}`);
      }
      for (const port of this.#heldPorts(s.spec ?? {})) {
        if (!this.#ports.claim(port - this.nodePortRange.min, owner)) problems.push(`${owner}: nodePort ${port} is also held by ${this.#ports.ownerOf(port - this.nodePortRange.min)}`);
      }
    }
    return problems;
  }

  get usedIPs(): number {
    return this.#ips.used;
  }

  get usedNodePorts(): number {
    return this.#ports.used;
  }

  async admit(req: AdmissionRequest): Promise<AdmissionOutcome | undefined> {
    if (req.resource.kind !== 'Service') return undefined;
    const svc = req.object as Service;
    const old = req.oldObject as Service | undefined;
    const owner = ownerOf(svc);
    const taken: (() => void)[] = [];
    const rollback = () => taken.reverse().forEach((f) => f());
    try {
      this.#admitClusterIP(svc, old, owner, taken);
      this.#admitNodePorts(svc, old, owner, taken);
    } catch (e) {
      rollback();
      throw e;
    }
    if (req.isDryRun) {
      rollback();
      return undefined;
    }
    // What the update no longer uses is freed only once the write succeeded.
    return { rollback, commit: () => old && this.#releaseUnused(svc, old, owner) };
  }

  released(event: { resource: ResourceInfo; object: KubeObject }): void {
    if (event.resource.kind !== 'Service') return;
    const svc = event.object as Service;
    const owner = ownerOf(svc);
    const ip = svc.spec?.clusterIP;
    if (ip && ip !== 'None') {
      const off = this.#ipOffset(ip);
      if (off !== undefined) this.#ips.release(off, owner);
    }
    for (const p of this.#heldPorts(svc.spec ?? {})) this.#ports.release(p - this.nodePortRange.min, owner);
  }

  #ipOffset(ip: string): number | undefined {
    if (!cidrContains(this.cidr, ip)) return undefined;
    return ipToInt(ip)! - this.cidr.base;
  }

  #admitClusterIP(svc: Service, old: Service | undefined, owner: string, taken: (() => void)[]): void {
    const spec = svc.spec;
    if (spec.type === 'ExternalName') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
      delete spec.ipFamilies;
      delete spec.ipFamilyPolicy;
      return;
    }
    if (old?.spec.clusterIP && old.spec.type !== 'ExternalName' && !spec.clusterIP) spec.clusterIP = old.spec.clusterIP;
    const requested = spec.clusterIP || spec.clusterIPs?.[0];
    if (requested === 'None') {
      spec.clusterIP = 'None';
      spec.clusterIPs = ['None'];
    } else if (!old || old.spec.clusterIP !== requested || old.spec.type === 'ExternalName') {
      let off: number | undefined;
      if (requested) {
        off = this.#ipOffset(requested);
        if (off === undefined) {
          throw invalid('Service', svc.metadata.name!, [field.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: the provided IP (${requested}) is not in the valid range. The range of valid IPs is ${this.cidr.text}`)]);
        }
        if (off === 0 || off === this.cidr.size - 1 || !this.#ips.claim(off, owner)) {
          throw invalid('Service', svc.metadata.name!, [field.invalid('spec.clusterIPs', [requested], `failed to allocate IP ${requested}: provided IP is already allocated`)]);
        }
      } else {
        // The network address, the broadcast address and the first 10 addresses (kubernetes, DNS) are never handed out dynamically.
        off = this.#ips.claimNext(owner, (o) => o <= 10 || o === this.cidr.size - 1);
        if (off === undefined) {
          throw invalid('Service', svc.metadata.name!, [field.invalid('spec.clusterIPs', [], `failed to allocate a serviceIP: range is full (${this.cidr.text} has no free address)`)]);
        }
      }
      const claimed = off;
      taken.push(() => this.#ips.release(claimed, owner));
      spec.clusterIP = intToIp(this.cidr.base + off);
      spec.clusterIPs = [spec.clusterIP];
    } else {
      spec.clusterIPs = [spec.clusterIP!];
    }
    spec.ipFamilies = ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
  }

  #admitNodePorts(svc: Service, old: Service | undefined, owner: string, taken: (() => void)[]): void {
    const spec = svc.spec;
    const ports = spec.ports ?? [];
    const { min, max } = this.nodePortRange;
    const causes: StatusCause[] = [];
    const oldByKey = new Map((old?.spec.ports ?? []).map((p) => [`${p.port}/${p.protocol ?? 'TCP'}`, p.nodePort]));
    const oldPorts = new Set(old ? this.#heldPorts(old.spec) : []);
    const claim = (port: number, path: string): boolean => {
      if (port < min || port > max) {
        causes.push(field.invalid(path, port, `provided port is not in the valid range. The range of valid ports is ${min}-${max}`));
        return false;
      }
      if (oldPorts.has(port)) return true;
      const off = port - min;
      const wasFree = this.#ports.ownerOf(off) === undefined;
      if (!this.#ports.claim(off, owner)) {
        causes.push(field.invalid(path, port, 'provided port is already allocated'));
        return false;
      }
      if (wasFree) taken.push(() => this.#ports.release(off, owner));
      return true;
    };
    if (needsNodePorts(spec)) {
      const byNumber = new Map<number, number>();
      ports.forEach((p: ServicePort, i) => {
        const path = `spec.ports[${i}].nodePort`;
        if (p.nodePort) {
          claim(p.nodePort, path);
          return;
        }
        const keep = oldByKey.get(`${p.port}/${p.protocol ?? 'TCP'}`);
        if (keep && claim(keep, path)) {
          p.nodePort = keep;
          return;
        }
        // one port number for TCP and UDP of the same service port, as upstream does
        const same = byNumber.get(p.port);
        if (same) {
          p.nodePort = same;
          return;
        }
        const off = this.#ports.claimNext(owner);
        if (off === undefined) {
          causes.push(field.invalid(path, 0, `failed to allocate a nodePort: range is full (${min}-${max})`));
          return;
        }
        taken.push(() => this.#ports.release(off, owner));
        p.nodePort = min + off;
        byNumber.set(p.port, p.nodePort);
      });
    } else {
      for (const p of ports) if (spec.type === 'ClusterIP' || spec.type === 'ExternalName') delete p.nodePort;
    }
    if (needsHealthCheckPort(spec)) {
      if (spec.healthCheckNodePort) claim(spec.healthCheckNodePort, 'spec.healthCheckNodePort');
      else if (old?.spec.healthCheckNodePort && claim(old.spec.healthCheckNodePort, 'spec.healthCheckNodePort')) spec.healthCheckNodePort = old.spec.healthCheckNodePort;
      else {
        const off = this.#ports.claimNext(owner);
        if (off === undefined) causes.push(field.invalid('spec.healthCheckNodePort', 0, `failed to allocate a nodePort: range is full (${min}-${max})`));
        else {
          taken.push(() => this.#ports.release(off, owner));
          spec.healthCheckNodePort = min + off;
        }
      }
    } else delete spec.healthCheckNodePort;
    if (causes.length) throw invalid('Service', svc.metadata.name!, causes);
  }

  #heldPorts(spec: Service['spec']): number[] {
    const out = new Set<number>();
    for (const p of spec.ports ?? []) if (p.nodePort) out.add(p.nodePort);
    if (spec.healthCheckNodePort) out.add(spec.healthCheckNodePort);
    return [...out];
  }

  #releaseUnused(svc: Service, old: Service, owner: string): void {
    const oldIp = old.spec.clusterIP;
    if (oldIp && oldIp !== 'None' && oldIp !== svc.spec.clusterIP) {
      const off = this.#ipOffset(oldIp);
      if (off !== undefined) this.#ips.release(off, owner);
    }
    const keep = new Set(this.#heldPorts(svc.spec));
    for (const p of this.#heldPorts(old.spec)) if (!keep.has(p)) this.#ports.release(p - this.nodePortRange.min, owner);
  }
}
