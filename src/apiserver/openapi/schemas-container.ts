// core/v1 Container (and EphemeralContainer) and what hangs off them: ports, environment, resources, mounts, probes, security context.
import {
  atomicList, bool, CORE, int32, int64, intOrString, mergeList, obj, quantity, quantityMap, ref, str, strEnum, strList, time,
} from './dsl.ts';
import type { Props, Schema } from './dsl.ts';

const PROTOCOLS = ['TCP', 'UDP', 'SCTP'];
const probeRef = (what: string) => ref(`${CORE}.Probe`, what, { isPointer: true });

function containerProperties(): Props {
  return {
    name: str('Name of the container, unique within the pod (a DNS label). Cannot be changed.'),
    image: str('Container image to run, such as nginx:1.27.'),
    command: strList('Entrypoint, replacing the image ENTRYPOINT. Not run in a shell; $(VAR) references are expanded.'),
    args: strList('Arguments to the entrypoint, replacing the image CMD.'),
    workingDir: str('Working directory; defaults to the one in the image.'),
    ports: mergeList(`${CORE}.ContainerPort`, 'Ports the container exposes. Informational, but named ports can be targeted by services.', 'containerPort', { mapKeys: ['containerPort', 'protocol'] }),
    envFrom: atomicList(`${CORE}.EnvFromSource`, 'Sources that populate environment variables wholesale, such as a ConfigMap.'),
    env: mergeList(`${CORE}.EnvVar`, 'Environment variables of the container. Merged by name when patched.', 'name'),
    resources: ref(`${CORE}.ResourceRequirements`, 'Compute resources requested and limited for the container.'),
    volumeMounts: mergeList(`${CORE}.VolumeMount`, 'Pod volumes mounted into the container filesystem.', 'mountPath'),
    resizePolicy: atomicList(`${CORE}.ContainerResizePolicy`, 'How the container reacts when its resources are resized in place.'),
    volumeDevices: mergeList(`${CORE}.VolumeDevice`, 'Block devices attached to the container.', 'devicePath'),
    livenessProbe: probeRef('Periodic check; the container is restarted when it fails.'),
    readinessProbe: probeRef('Periodic check; the pod is removed from service endpoints while it fails.'),
    startupProbe: probeRef('Check that must succeed before the other probes start.'),
    lifecycle: ref(`${CORE}.Lifecycle`, 'Hooks run after start and before stop.', { isPointer: true }),
    terminationMessagePath: str('File whose content becomes the termination message. Defaults to /dev/termination-log.'),
    terminationMessagePolicy: strEnum('Where the termination message comes from.', ['File', 'FallbackToLogsOnError']),
    imagePullPolicy: strEnum('When to pull the image. Defaults to Always for :latest, IfNotPresent otherwise.', ['Always', 'IfNotPresent', 'Never']),
    securityContext: ref(`${CORE}.SecurityContext`, 'Security options for this container, overriding the pod-level ones.', { isPointer: true }),
    stdin: bool('Allocate a stdin buffer for the container.'),
    stdinOnce: bool('Close stdin after the first attach session ends.'),
    tty: bool('Allocate a terminal; requires stdin.'),
    restartPolicy: str('For init containers only: Always makes it a sidecar that keeps running.'),
  };
}

function containerFieldSchemas(): Record<string, Schema> {
  return {
    [`${CORE}.Container`]: obj('One application container in a pod.', containerProperties(), ['name']),
    [`${CORE}.EphemeralContainer`]: obj(
      'A temporary container added to a running pod, usually for debugging. Not restarted and without resource guarantees.',
      { ...containerProperties(), targetContainerName: str('Container whose namespaces (PID, IPC) the ephemeral container joins.') },
      ['name'],
    ),
    [`${CORE}.ContainerResizePolicy`]: obj('What happens when a resource of a running container is resized.', { resourceName: str('Resource, such as cpu or memory.'), restartPolicy: strEnum('Whether the container restarts to apply the new size.', ['NotRequired', 'RestartContainer']) }, ['resourceName', 'restartPolicy']),
    [`${CORE}.ContainerPort`]: obj(
      'A network port of a container.',
      {
        name: str('Name of the port, unique within the pod, that services can target.'),
        hostPort: int32('Port to expose on the host. Rarely needed.'),
        containerPort: int32('Port number on the pod IP.'),
        protocol: strEnum('IP protocol. Defaults to TCP.', PROTOCOLS),
        hostIP: str('Host address to bind hostPort to.'),
      },
      ['containerPort'],
    ),
    [`${CORE}.EnvVar`]: obj('An environment variable.', { name: str('Variable name.'), value: str('Literal value; $(VAR) references to earlier variables are expanded.'), valueFrom: ref(`${CORE}.EnvVarSource`, 'Source of the value when value is empty.', { isPointer: true }) }, ['name']),
    [`${CORE}.EnvVarSource`]: obj('Where an environment variable gets its value.', {
      fieldRef: ref(`${CORE}.ObjectFieldSelector`, 'A field of the pod, such as metadata.name or status.podIP.', { isPointer: true }),
      resourceFieldRef: ref(`${CORE}.ResourceFieldSelector`, 'A resource limit or request of a container.', { isPointer: true }),
      configMapKeyRef: ref(`${CORE}.ConfigMapKeySelector`, 'A key of a ConfigMap.', { isPointer: true }),
      secretKeyRef: ref(`${CORE}.SecretKeySelector`, 'A key of a Secret.', { isPointer: true }),
    }),
    [`${CORE}.ObjectFieldSelector`]: obj('Selects a field of the pod.', { apiVersion: str('Version of the field path. Defaults to v1.'), fieldPath: str('Path of the field.') }, ['fieldPath'], { isAtomic: true }),
    [`${CORE}.ResourceFieldSelector`]: obj('Selects a resource of a container.', { containerName: str('Container name; required for volumes.'), resource: str('Resource, such as limits.cpu.'), divisor: quantity('Unit the value is expressed in. Defaults to 1.') }, ['resource'], { isAtomic: true }),
    [`${CORE}.ConfigMapKeySelector`]: obj('Selects a key of a ConfigMap.', { name: str('Name of the ConfigMap.'), key: str('Key to select.'), optional: bool('Whether the ConfigMap or key may be missing.') }, ['key'], { isAtomic: true }),
    [`${CORE}.SecretKeySelector`]: obj('Selects a key of a Secret.', { name: str('Name of the Secret.'), key: str('Key to select.'), optional: bool('Whether the Secret or key may be missing.') }, ['key'], { isAtomic: true }),
    [`${CORE}.EnvFromSource`]: obj('A source of many environment variables.', {
      prefix: str('Prefix added to every variable name.'),
      configMapRef: ref(`${CORE}.ConfigMapEnvSource`, 'ConfigMap to read.', { isPointer: true }),
      secretRef: ref(`${CORE}.SecretEnvSource`, 'Secret to read.', { isPointer: true }),
    }),
    [`${CORE}.ConfigMapEnvSource`]: obj('A ConfigMap whose keys become environment variables.', { name: str('Name of the ConfigMap.'), optional: bool('Whether it may be missing.') }),
    [`${CORE}.SecretEnvSource`]: obj('A Secret whose keys become environment variables.', { name: str('Name of the Secret.'), optional: bool('Whether it may be missing.') }),
    [`${CORE}.ResourceRequirements`]: obj('Compute resource requests and limits.', {
      limits: quantityMap('Most of each resource the container may use, such as cpu: 500m or memory: 256Mi.'),
      requests: quantityMap('Resources reserved for the container when scheduling. Default to the limits when only those are set.'),
      claims: mergeList(`${CORE}.ResourceClaim`, 'Dynamically allocated resources (from spec.resourceClaims) this container uses.', 'name'),
    }),
    [`${CORE}.ResourceClaim`]: obj('A resource claim of the pod used by a container.', { name: str('Name of an entry in pod.spec.resourceClaims.'), request: str('Request within the claim, if only one is used.') }, ['name']),
    [`${CORE}.VolumeMount`]: obj('Where a volume appears in a container.', {
      name: str('Name of the pod volume.'),
      readOnly: bool('Mount read-only.'),
      mountPath: str('Path inside the container. Must not contain a colon.'),
      subPath: str('Path within the volume to mount instead of its root.'),
      subPathExpr: str('Like subPath, with $(VAR) references expanded.'),
      mountPropagation: strEnum('How mounts propagate between host and container.', ['None', 'HostToContainer', 'Bidirectional']),
      recursiveReadOnly: str('Whether read-only applies to submounts too.'),
    }, ['name', 'mountPath']),
    [`${CORE}.VolumeDevice`]: obj('A raw block device in a container.', { name: str('Name of the claim in the pod.'), devicePath: str('Path of the device inside the container.') }, ['name', 'devicePath']),
  };
}

function probeSchemas(): Record<string, Schema> {
  const actions = {
    exec: ref(`${CORE}.ExecAction`, 'Run a command in the container.', { isPointer: true }),
    httpGet: ref(`${CORE}.HTTPGetAction`, 'Send an HTTP GET.', { isPointer: true }),
    tcpSocket: ref(`${CORE}.TCPSocketAction`, 'Open a TCP connection.', { isPointer: true }),
  };
  return {
    [`${CORE}.Probe`]: obj('A health check run periodically against a container.', {
      ...actions,
      grpc: ref(`${CORE}.GRPCAction`, 'Call the gRPC health service.', { isPointer: true }),
      initialDelaySeconds: int32('Seconds after start before the first check.'),
      timeoutSeconds: int32('Seconds before a check times out. Defaults to 1.'),
      periodSeconds: int32('Seconds between checks. Defaults to 10.'),
      successThreshold: int32('Consecutive successes needed after a failure. Defaults to 1.'),
      failureThreshold: int32('Consecutive failures before giving up. Defaults to 3.'),
      terminationGracePeriodSeconds: int64('Grace period used when a failing probe kills the container.'),
    }),
    [`${CORE}.ExecAction`]: obj('Runs a command.', { command: strList('Command line, not run in a shell; exit status 0 means healthy.') }),
    [`${CORE}.HTTPGetAction`]: obj('An HTTP GET request.', {
      path: str('Path to request.'),
      port: intOrString('Port number or name to connect to.'),
      host: str('Host to connect to; defaults to the pod IP.'),
      scheme: strEnum('Scheme to use. Defaults to HTTP.', ['HTTP', 'HTTPS']),
      httpHeaders: atomicList(`${CORE}.HTTPHeader`, 'Extra request headers.'),
    }, ['port']),
    [`${CORE}.HTTPHeader`]: obj('An HTTP header.', { name: str('Header name.'), value: str('Header value.') }, ['name', 'value']),
    [`${CORE}.TCPSocketAction`]: obj('A TCP connection attempt.', { port: intOrString('Port number or name to connect to.'), host: str('Host to connect to; defaults to the pod IP.') }, ['port']),
    [`${CORE}.GRPCAction`]: obj('A gRPC health check.', { port: int32('Port of the gRPC service.'), service: str('Service name sent in the health request.') }, ['port']),
    [`${CORE}.Lifecycle`]: obj('Hooks run around the life of a container.', {
      postStart: ref(`${CORE}.LifecycleHandler`, 'Run right after the container is created.', { isPointer: true }),
      preStop: ref(`${CORE}.LifecycleHandler`, 'Run before the container is stopped.', { isPointer: true }),
    }),
    [`${CORE}.LifecycleHandler`]: obj('An action taken by a lifecycle hook.', { ...actions, sleep: ref(`${CORE}.SleepAction`, 'Wait for a while.', { isPointer: true }) }),
    [`${CORE}.SleepAction`]: obj('Sleeps.', { seconds: int64('Seconds to sleep.') }, ['seconds']),
    [`${CORE}.SecurityContext`]: obj('Security options of a container.', {
      capabilities: ref(`${CORE}.Capabilities`, 'Capabilities to add and drop.', { isPointer: true }),
      privileged: bool('Run as privileged, much like root on the host.'),
      runAsUser: int64('UID to run as.'),
      runAsGroup: int64('GID to run as.'),
      runAsNonRoot: bool('Refuse to start if the image runs as root.'),
      readOnlyRootFilesystem: bool('Mount the root filesystem read-only.'),
      allowPrivilegeEscalation: bool('Whether a process may gain more privileges than its parent.'),
      procMount: str('Kind of /proc mount.'),
      seccompProfile: ref(`${CORE}.SeccompProfile`, 'Seccomp profile to apply.', { isPointer: true }),
      appArmorProfile: ref(`${CORE}.AppArmorProfile`, 'AppArmor profile to apply.', { isPointer: true }),
      seLinuxOptions: ref(`${CORE}.SELinuxOptions`, 'SELinux context of the container.', { isPointer: true }),
      windowsOptions: ref(`${CORE}.WindowsSecurityContextOptions`, 'Windows-specific settings.', { isPointer: true }),
    }),
    [`${CORE}.Capabilities`]: obj('Linux capabilities.', { add: strList('Capabilities to add.'), drop: strList('Capabilities to drop.') }),
    [`${CORE}.AppArmorProfile`]: obj('An AppArmor profile.', { type: strEnum('Kind of profile.', ['Localhost', 'RuntimeDefault', 'Unconfined']), localhostProfile: str('Name of a profile loaded on the node, for type Localhost.') }, ['type']),
    [`${CORE}.SELinuxOptions`]: obj('SELinux labels.', { user: str('SELinux user.'), role: str('SELinux role.'), type: str('SELinux type.'), level: str('SELinux level.') }),
    [`${CORE}.WindowsSecurityContextOptions`]: obj('Windows-specific security settings.', {
      gmsaCredentialSpecName: str('Name of the GMSA credential spec.'), gmsaCredentialSpec: str('Content of the GMSA credential spec.'),
      runAsUserName: str('Windows user to run as.'), hostProcess: bool('Run as a Windows host process.'),
    }),
    [`${CORE}.SeccompProfile`]: obj('A seccomp profile.', { type: strEnum('Kind of profile.', ['Localhost', 'RuntimeDefault', 'Unconfined']), localhostProfile: str('Path of a profile on the node, for type Localhost.') }, ['type']),
  };
}

function statusSchemas(): Record<string, Schema> {
  return {
    [`${CORE}.ContainerStatus`]: obj('Observed state of one container.', {
      name: str('Name of the container.'),
      state: ref(`${CORE}.ContainerState`, 'Current state.'),
      lastState: ref(`${CORE}.ContainerState`, 'State of the previous run, if it ended.'),
      ready: bool('Whether the container passes its readiness probe.'),
      restartCount: int32('How many times the container has restarted.'),
      image: str('Image the container runs.'),
      imageID: str('Identifier of the image.'),
      containerID: str('Runtime identifier of the container.'),
      started: bool('Whether the container has passed its startup probe.'),
    }, ['name', 'ready', 'restartCount', 'image', 'imageID']),
    [`${CORE}.ContainerState`]: obj('State of a container; only one member is set.', {
      waiting: ref(`${CORE}.ContainerStateWaiting`, 'Not running yet.', { isPointer: true }),
      running: ref(`${CORE}.ContainerStateRunning`, 'Running.', { isPointer: true }),
      terminated: ref(`${CORE}.ContainerStateTerminated`, 'Finished.', { isPointer: true }),
    }),
    [`${CORE}.ContainerStateWaiting`]: obj('A container that has not started.', { reason: str('Why it is waiting, such as ContainerCreating.'), message: str('Details.') }),
    [`${CORE}.ContainerStateRunning`]: obj('A running container.', { startedAt: time('When it last started.') }),
    [`${CORE}.ContainerStateTerminated`]: obj('A finished container.', {
      exitCode: int32('Exit status.'), signal: int32('Signal that ended it.'), reason: str('Why it ended, such as Completed.'), message: str('Details.'),
      startedAt: time('When it started.'), finishedAt: time('When it ended.'), containerID: str('Runtime identifier.'),
    }, ['exitCode']),
  };
}

export function containerSchemas(): Record<string, Schema> {
  return { ...containerFieldSchemas(), ...probeSchemas(), ...statusSchemas() };
}
