// What a pod worker needs from the agent around it: one object, built in agent.ts, faked in tests.
import type { Service } from '../api/types.ts';
import type { CniConflist } from '../platform/linux/cni.ts';
import type { Cgroups } from './cgroups.ts';
import type { ContainerRuntime } from './container-runtime.ts';
import type { ImageResolver } from './container-launch.ts';
import type { CrashBackoff } from './crash-backoff.ts';
import type { DnsOptions } from './dns-files.ts';
import type { PodNetwork } from './pod-network.ts';
import type { NodePod } from './pod-types.ts';
import type { HostRootLayout } from './rootfs.ts';
import type { ProbeTarget } from './prober.ts';
import type { ProbeOutcome } from './probe-state.ts';
import type { ProbeHandler } from './pod-types.ts';

export interface AgentContext {
  nodeName: string;
  nodeIp: string;
  /** <data-dir>/pods */
  podsDir: string;
  runtime: ContainerRuntime;
  network: PodNetwork;
  cgroups: Cgroups;
  backoff: CrashBackoff;
  dns: DnsOptions;
  root: { layout: HostRootLayout; templateDir: string };
  allocatable: { cpu: string; memory: string };
  /** The conflist in force (read from the file the user may edit). */
  conflist(): CniConflist;
  services(): readonly Service[];
  /** ConfigMap / Secret data (Secret values decoded), undefined when absent. */
  readConfig(kind: 'configmap' | 'secret', ref: { namespace: string; name: string }): Promise<Record<string, string> | undefined>;
  resolveImage: ImageResolver;
  runProbe(handler: ProbeHandler, options: { target: ProbeTarget; timeoutMs: number }): Promise<ProbeOutcome>;
  writeStatus(pod: NodePod, status: Record<string, unknown>): Promise<void>;
  /** DELETE with gracePeriodSeconds 0 and a uid precondition. */
  deletePod(pod: NodePod): Promise<void>;
  /** How long to wait before retrying a container that could not start (image, config). */
  errorRetryMs: number;
  log(message: string): void;
}
