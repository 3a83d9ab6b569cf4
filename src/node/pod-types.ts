// The parts of a Pod the node agent reads, spelled as upstream (src/api/types.ts types only what the control plane needs).
import type { Container, KubeObject, Pod } from '../api/types.ts';

export interface ObjectFieldSelector {
  fieldPath: string;
  apiVersion?: string;
}

export interface KeySelector {
  name: string;
  key: string;
  optional?: boolean;
}

export interface EnvVarSource {
  fieldRef?: ObjectFieldSelector;
  resourceFieldRef?: { containerName?: string; resource: string; divisor?: string | number };
  configMapKeyRef?: KeySelector;
  secretKeyRef?: KeySelector;
}

export interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: EnvVarSource;
}

export interface EnvFromSource {
  prefix?: string;
  configMapRef?: { name: string; optional?: boolean };
  secretRef?: { name: string; optional?: boolean };
}

export interface HttpGetAction {
  path?: string;
  port: number | string;
  host?: string;
  scheme?: 'HTTP' | 'HTTPS';
  httpHeaders?: { name: string; value: string }[];
}

export interface TcpSocketAction {
  port: number | string;
  host?: string;
}

export interface ProbeHandler {
  exec?: { command?: string[] };
  httpGet?: HttpGetAction;
  tcpSocket?: TcpSocketAction;
  grpc?: { port: number; service?: string };
}

export interface Probe extends ProbeHandler {
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  terminationGracePeriodSeconds?: number;
}

export interface LifecycleHandler extends ProbeHandler {
  sleep?: { seconds: number };
}

export interface PodContainer extends Container {
  workingDir?: string;
  env?: EnvVar[];
  envFrom?: EnvFromSource[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  lifecycle?: { postStart?: LifecycleHandler; preStop?: LifecycleHandler };
  stdin?: boolean;
  tty?: boolean;
  resources?: { limits?: Record<string, string>; requests?: Record<string, string> };
}

export interface PodDnsConfig {
  nameservers?: string[];
  searches?: string[];
  options?: { name: string; value?: string }[];
}

export interface NodePodSpec {
  nodeName?: string;
  containers: PodContainer[];
  initContainers?: PodContainer[];
  hostname?: string;
  subdomain?: string;
  hostNetwork?: boolean;
  restartPolicy?: 'Always' | 'OnFailure' | 'Never' | string;
  terminationGracePeriodSeconds?: number;
  activeDeadlineSeconds?: number;
  dnsPolicy?: 'ClusterFirst' | 'ClusterFirstWithHostNet' | 'Default' | 'None' | string;
  dnsConfig?: PodDnsConfig;
  hostAliases?: { ip: string; hostnames?: string[] }[];
  enableServiceLinks?: boolean;
  serviceAccountName?: string;
  setHostnameAsFQDN?: boolean;
  [key: string]: unknown;
}

export interface ContainerStateWaiting {
  reason?: string;
  message?: string;
}

export interface ContainerStateRunning {
  startedAt?: string;
}

export interface ContainerStateTerminated {
  exitCode: number;
  signal?: number;
  reason?: string;
  message?: string;
  startedAt?: string;
  finishedAt?: string;
  containerID?: string;
}

export interface ContainerState {
  waiting?: ContainerStateWaiting;
  running?: ContainerStateRunning;
  terminated?: ContainerStateTerminated;
}

export interface ContainerStatus {
  name: string;
  state: ContainerState;
  lastState: ContainerState;
  ready: boolean;
  restartCount: number;
  image: string;
  imageID: string;
  containerID?: string;
  started?: boolean;
}

export interface NodePod extends Pod {
  spec: NodePodSpec;
}

export function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace}/${pod.metadata.name}`;
}

/** `<ns>_<name>_<uid>`: the pod's directory under `<data-dir>/pods`, as the kubelet names its log directories. */
export function podDirName(pod: KubeObject): string {
  return `${pod.metadata.namespace}_${pod.metadata.name}_${pod.metadata.uid}`;
}

/** Parses a pod directory name back into its parts; undefined if it is not one. */
export function parsePodDirName(name: string): { namespace: string; name: string; uid: string } | undefined {
  const m = /^([a-z0-9-]+)_([a-z0-9.-]+)_([a-f0-9-]{8,})$/.exec(name);
  return m ? { namespace: m[1], name: m[2], uid: m[3] } : undefined;
}

/** The RFC 3339 form the API uses for timestamps (seconds precision). */
export function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
