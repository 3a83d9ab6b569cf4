// Every address plan the end-to-end tests and benchmarks use. Test files run in parallel and the sandbox
// refuses a plan whose ranges overlap another cluster's routes, so each gets ranges of its own, listed here.
import type { NetworkPlan } from '../../src/sandbox/network-plan.ts';

function plan(clusterName: string, underlay: number, cluster: number, service: number, clusterPrefix = 20): NetworkPlan {
  return {
    clusterName,
    bridge: `sk${clusterName}`,
    underlayCidr: `198.18.${underlay}.0/24`,
    lbPool: `198.18.${underlay + 1}.0/24`,
    clusterCidr: `198.18.${cluster}.0/${clusterPrefix}`,
    serviceCidr: `198.19.${service}.0/20`,
  };
}

export const TEST_PLANS = {
  sandbox: plan('sbx1', 40, 192, 240),
  podsNetwork: plan('pod1', 50, 208, 224),
  podsLifecycle: plan('pod2', 52, 224, 16),
  podsCrash: plan('pod3', 56, 96, 32),
  proxy: plan('prx1', 60, 240, 208),
  dnsPods: plan('dns1', 68, 144, 80),
  skiffUp: plan('upn1', 80, 160, 160),
  vxlan: plan('vxl1', 84, 112, 96),
  benchPods: plan('bpod', 88, 128, 112),
  streaming: plan('str1', 92, 16, 48),
  hostPort: plan('hpt1', 72, 32, 64, 21),
  tty: plan('tty1', 74, 176, 176),
  rolling: plan('rol1', 76, 78, 192, 23),
} satisfies Record<string, NetworkPlan>;

/** The `skiff up` flags for a plan. */
export function planFlags(p: NetworkPlan): string[] {
  return ['--cluster-name', p.clusterName, '--bridge', p.bridge, '--underlay-cidr', p.underlayCidr, '--cluster-cidr', p.clusterCidr, '--service-cidr', p.serviceCidr, '--lb-pool', p.lbPool];
}
