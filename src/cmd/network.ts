// The network plan as the command line sees it (re-exported so src/cli need not reach into src/sandbox).
export { defaultPlan, hostAddress, validatePlan } from '../sandbox/network-plan.ts';
export type { NetworkPlan } from '../sandbox/network-plan.ts';
export { OVERLAYS, isOverlay } from '../node/vxlan.ts';
export type { Overlay } from '../node/vxlan.ts';
