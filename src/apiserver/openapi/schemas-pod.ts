// core/v1 Pod, PodSpec (scheduling, volumes, security) and PodStatus.
import {
  atomicList, bool, CORE, int32, int64, int64List, kind, META, mergeList, obj, quantity, quantityMap, ref, str, strEnum, strList, strMap, time,
} from './dsl.ts';
import type { Schema } from './dsl.ts';

const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

function podSpecSchemas(): Record<string, Schema> {
  return {
    [`${CORE}.Pod`]: kind({ group: '', version: 'v1', kind: 'Pod' }, 'A group of containers that share a network namespace and volumes and run together on one node.', {
      spec: ref(`${CORE}.PodSpec`, 'Desired behaviour of the pod.'),
      status: ref(`${CORE}.PodStatus`, 'Observed state of the pod. Read-only.'),
    }),
    [`${CORE}.PodTemplateSpec`]: obj('The pods a controller creates: their metadata and spec.', {
      metadata: ref(`${META}.ObjectMeta`, 'Metadata given to every pod, notably the labels the selector matches.'),
      spec: ref(`${CORE}.PodSpec`, 'Spec given to every pod.'),
    }),
    [`${CORE}.PodSpec`]: obj(
      'Description of a pod.',
      {
        volumes: mergeList(`${CORE}.Volume`, 'Volumes the containers can mount.', 'name', { strategy: 'merge,retainKeys' }),
        initContainers: mergeList(`${CORE}.Container`, 'Containers run to completion, in order, before the app containers start.', 'name'),
        containers: mergeList(`${CORE}.Container`, 'The app containers. At least one is required. Merged by name when patched.', 'name'),
        ephemeralContainers: mergeList(`${CORE}.EphemeralContainer`, 'Debugging containers added to the running pod through its ephemeralcontainers subresource.', 'name'),
        restartPolicy: strEnum('When containers are restarted. Defaults to Always.', ['Always', 'OnFailure', 'Never']),
        terminationGracePeriodSeconds: int64('Seconds between the stop signal and the kill. Defaults to 30.'),
        activeDeadlineSeconds: int64('Seconds the pod may be active before it is marked failed.'),
        dnsPolicy: strEnum('How the pod resolves names. Defaults to ClusterFirst.', ['ClusterFirst', 'ClusterFirstWithHostNet', 'Default', 'None']),
        dnsConfig: ref(`${CORE}.PodDNSConfig`, 'Extra DNS settings merged with those from dnsPolicy.', { isPointer: true }),
        nodeSelector: strMap('The pod only runs on nodes whose labels match all of these.', { isAtomic: true }),
        nodeName: str('Run on this node, bypassing the scheduler.'),
        affinity: ref(`${CORE}.Affinity`, 'Scheduling preferences and requirements.', { isPointer: true }),
        tolerations: atomicList(`${CORE}.Toleration`, 'Node taints the pod tolerates.'),
        schedulerName: str('Scheduler that places the pod.'),
        priorityClassName: str('Name of the PriorityClass of the pod.'),
        priority: int32('Priority value, filled in from priorityClassName.'),
        preemptionPolicy: strEnum('Whether the pod may preempt lower-priority pods.', ['Never', 'PreemptLowerPriority']),
        topologySpreadConstraints: mergeList(`${CORE}.TopologySpreadConstraint`, 'How pods spread across zones, nodes and other domains.', 'topologyKey', { mapKeys: ['topologyKey', 'whenUnsatisfiable'] }),
        serviceAccountName: str('ServiceAccount the pod runs as.'),
        serviceAccount: str('Deprecated alias of serviceAccountName.'),
        automountServiceAccountToken: bool('Whether an API token is mounted into the pod.'),
        hostNetwork: bool("Use the node's network namespace."),
        hostPID: bool("Use the node's PID namespace."),
        hostIPC: bool("Use the node's IPC namespace."),
        shareProcessNamespace: bool('Share one PID namespace between the containers.'),
        securityContext: ref(`${CORE}.PodSecurityContext`, 'Pod-wide security settings.', { isPointer: true }),
        imagePullSecrets: mergeList(`${CORE}.LocalObjectReference`, 'Secrets used to pull the images.', 'name'),
        hostname: str('Hostname of the pod; defaults to its name.'),
        subdomain: str('With a headless service of this name, gives the pod the DNS name hostname.subdomain.namespace.svc.'),
        setHostnameAsFQDN: bool('Use the fully qualified name as the hostname.'),
        hostAliases: mergeList(`${CORE}.HostAlias`, 'Extra /etc/hosts entries.', 'ip'),
        readinessGates: atomicList(`${CORE}.PodReadinessGate`, 'Extra conditions that must be true for the pod to be ready.'),
        runtimeClassName: str('RuntimeClass used to run the pod.'),
        enableServiceLinks: bool('Inject environment variables describing services. Defaults to true.'),
        overhead: quantityMap('Resources used by the pod sandbox itself.'),
        os: ref(`${CORE}.PodOS`, 'Operating system the containers need; enables OS-specific validation.', { isPointer: true }),
        hostUsers: bool('Use the host user namespace. Defaults to true; false isolates the pod in its own user namespace.'),
        schedulingGates: mergeList(`${CORE}.PodSchedulingGate`, 'Gates that keep the pod from being scheduled while any remains.', 'name'),
        resourceClaims: mergeList(`${CORE}.PodResourceClaim`, 'Dynamically allocated resources the pod needs.', 'name', { strategy: 'merge,retainKeys' }),
        resources: ref(`${CORE}.ResourceRequirements`, 'Resources for the whole pod, shared by its containers.', { isPointer: true }),
      },
      ['containers'],
    ),
    [`${CORE}.PodOS`]: obj('The operating system of a pod.', { name: str('linux or windows.') }, ['name']),
    [`${CORE}.PodSchedulingGate`]: obj('A gate that holds back scheduling.', { name: str('Name of the gate.') }, ['name']),
    [`${CORE}.PodResourceClaim`]: obj('A resource claim of a pod.', {
      name: str('Name the containers use to refer to the claim.'),
      resourceClaimName: str('Existing ResourceClaim to use.'),
      resourceClaimTemplateName: str('ResourceClaimTemplate to create a claim from.'),
    }, ['name']),
    [`${CORE}.PodDNSConfig`]: obj('DNS settings of a pod.', {
      nameservers: strList('Name server addresses.'),
      searches: strList('Search domains.'),
      options: atomicList(`${CORE}.PodDNSConfigOption`, 'Resolver options.'),
    }),
    [`${CORE}.PodDNSConfigOption`]: obj('A resolver option.', { name: str('Option name, such as ndots.'), value: str('Option value.') }),
    [`${CORE}.Toleration`]: obj('Lets a pod run on nodes with a matching taint.', {
      key: str('Taint key; empty matches every key when operator is Exists.'),
      operator: strEnum('Equal matches key and value; Exists matches the key alone. Defaults to Equal.', ['Equal', 'Exists']),
      value: str('Taint value to match.'),
      effect: strEnum('Taint effect to match; empty matches all.', TAINT_EFFECTS),
      tolerationSeconds: int64('For NoExecute: how long the pod stays after the taint appears.'),
    }),
    [`${CORE}.HostAlias`]: obj('An /etc/hosts entry.', { ip: str('IP address.'), hostnames: strList('Names for the address.') }, ['ip']),
    [`${CORE}.PodReadinessGate`]: obj('A pod condition that gates readiness.', { conditionType: str('Condition type to wait for.') }, ['conditionType']),
    [`${CORE}.TopologySpreadConstraint`]: obj('How matching pods spread over a topology.', {
      maxSkew: int32('Largest allowed difference in matching pods between two domains.'),
      topologyKey: str('Node label whose values define the domains, such as topology.kubernetes.io/zone.'),
      whenUnsatisfiable: strEnum('What to do when the constraint cannot be met.', ['DoNotSchedule', 'ScheduleAnyway']),
      labelSelector: ref(`${META}.LabelSelector`, 'Pods counted in each domain.', { isPointer: true }),
      minDomains: int32('Minimum number of eligible domains.'),
      nodeAffinityPolicy: strEnum('Whether node affinity limits the domains.', ['Honor', 'Ignore']),
      nodeTaintsPolicy: strEnum('Whether node taints limit the domains.', ['Honor', 'Ignore']),
      matchLabelKeys: strList('Label keys whose pod values are added to the selector.'),
    }, ['maxSkew', 'topologyKey', 'whenUnsatisfiable']),
    [`${CORE}.PodSecurityContext`]: obj('Security settings for every container of a pod.', {
      runAsUser: int64('UID to run as.'),
      runAsGroup: int64('GID to run as.'),
      runAsNonRoot: bool('Refuse to start containers that run as root.'),
      supplementalGroups: int64List('Extra groups for the first process of each container.'),
      fsGroup: int64('Group that owns volumes and is added to every container.'),
      fsGroupChangePolicy: strEnum('When volume ownership is changed.', ['OnRootMismatch', 'Always']),
      sysctls: atomicList(`${CORE}.Sysctl`, 'Namespaced sysctls to set.'),
      seccompProfile: ref(`${CORE}.SeccompProfile`, 'Seccomp profile for all containers.', { isPointer: true }),
      appArmorProfile: ref(`${CORE}.AppArmorProfile`, 'AppArmor profile for all containers.', { isPointer: true }),
      seLinuxOptions: ref(`${CORE}.SELinuxOptions`, 'SELinux context for all containers.', { isPointer: true }),
      seLinuxChangePolicy: str('How the SELinux label is applied to volumes: Recursive or MountOption.'),
      windowsOptions: ref(`${CORE}.WindowsSecurityContextOptions`, 'Windows-specific settings for all containers.', { isPointer: true }),
      supplementalGroupsPolicy: strEnum('How supplemental groups are computed.', ['Merge', 'Strict']),
    }),
    [`${CORE}.Sysctl`]: obj('A kernel parameter.', { name: str('Parameter name.'), value: str('Parameter value.') }, ['name', 'value']),
  };
}

function affinitySchemas(): Record<string, Schema> {
  const required = 'requiredDuringSchedulingIgnoredDuringExecution';
  const preferred = 'preferredDuringSchedulingIgnoredDuringExecution';
  const podAffinity = (what: string): Schema => obj(`Rules to schedule the pod ${what} other pods.`, {
    [required]: atomicList(`${CORE}.PodAffinityTerm`, 'Rules that must hold when the pod is scheduled.'),
    [preferred]: atomicList(`${CORE}.WeightedPodAffinityTerm`, 'Rules the scheduler tries to honour, by weight.'),
  });
  return {
    [`${CORE}.Affinity`]: obj('Scheduling constraints of a pod.', {
      nodeAffinity: ref(`${CORE}.NodeAffinity`, 'Which nodes the pod may run on.', { isPointer: true }),
      podAffinity: ref(`${CORE}.PodAffinity`, 'Pods this pod should run near.', { isPointer: true }),
      podAntiAffinity: ref(`${CORE}.PodAntiAffinity`, 'Pods this pod should run away from.', { isPointer: true }),
    }),
    [`${CORE}.NodeAffinity`]: obj('Node selection rules.', {
      [required]: ref(`${CORE}.NodeSelector`, 'Nodes the pod must run on.', { isPointer: true }),
      [preferred]: atomicList(`${CORE}.PreferredSchedulingTerm`, 'Nodes the scheduler prefers, by weight.'),
    }),
    [`${CORE}.NodeSelector`]: obj('A union of node selector terms.', { nodeSelectorTerms: atomicList(`${CORE}.NodeSelectorTerm`, 'Terms, ORed together.') }, ['nodeSelectorTerms'], { isAtomic: true }),
    [`${CORE}.NodeSelectorTerm`]: obj('Requirements on a node, ANDed together.', {
      matchExpressions: atomicList(`${CORE}.NodeSelectorRequirement`, 'Requirements on node labels.'),
      matchFields: atomicList(`${CORE}.NodeSelectorRequirement`, 'Requirements on node fields.'),
    }, [], { isAtomic: true }),
    [`${CORE}.NodeSelectorRequirement`]: obj('A requirement on a node label or field.', {
      key: str('Label or field key.'),
      operator: strEnum('How the key relates to the values.', ['In', 'NotIn', 'Exists', 'DoesNotExist', 'Gt', 'Lt']),
      values: strList('Values to compare with.'),
    }, ['key', 'operator']),
    [`${CORE}.PreferredSchedulingTerm`]: obj('A weighted node preference.', { weight: int32('Weight, 1 to 100.'), preference: ref(`${CORE}.NodeSelectorTerm`, 'The preferred nodes.') }, ['weight', 'preference']),
    [`${CORE}.PodAffinity`]: podAffinity('near'),
    [`${CORE}.PodAntiAffinity`]: podAffinity('away from'),
    [`${CORE}.PodAffinityTerm`]: obj('Pods the rule is about, and the topology it applies to.', {
      labelSelector: ref(`${META}.LabelSelector`, 'Pods that match.', { isPointer: true }),
      namespaces: strList('Namespaces to look in; defaults to the pod namespace.'),
      namespaceSelector: ref(`${META}.LabelSelector`, 'Namespaces to look in, by label.', { isPointer: true }),
      topologyKey: str('Node label defining what "near" means, such as kubernetes.io/hostname.'),
      matchLabelKeys: strList('Label keys whose pod values are added to the selector.'),
      mismatchLabelKeys: strList('Label keys whose pod values are excluded by the selector.'),
    }, ['topologyKey']),
    [`${CORE}.WeightedPodAffinityTerm`]: obj('A weighted pod affinity term.', { weight: int32('Weight, 1 to 100.'), podAffinityTerm: ref(`${CORE}.PodAffinityTerm`, 'The term.') }, ['weight', 'podAffinityTerm']),
  };
}

function volumeSchemas(): Record<string, Schema> {
  const mode = (what: string) => int32(`Permission bits for ${what}, 0 to 0777 (decimal in JSON).`);
  const keyItems = atomicList(`${CORE}.KeyToPath`, 'Keys to project and the paths they get; all keys when empty.');
  return {
    [`${CORE}.Volume`]: obj('A named volume the containers of a pod can mount. Exactly one source is set.', {
      name: str('Name of the volume, unique within the pod.'),
      emptyDir: ref(`${CORE}.EmptyDirVolumeSource`, 'A scratch directory that lives as long as the pod.', { isPointer: true }),
      hostPath: ref(`${CORE}.HostPathVolumeSource`, 'A file or directory of the node.', { isPointer: true }),
      configMap: ref(`${CORE}.ConfigMapVolumeSource`, 'The keys of a ConfigMap as files.', { isPointer: true }),
      secret: ref(`${CORE}.SecretVolumeSource`, 'The keys of a Secret as files.', { isPointer: true }),
      projected: ref(`${CORE}.ProjectedVolumeSource`, 'Several sources merged into one directory.', { isPointer: true }),
      downwardAPI: ref(`${CORE}.DownwardAPIVolumeSource`, 'Pod fields as files.', { isPointer: true }),
      persistentVolumeClaim: ref(`${CORE}.PersistentVolumeClaimVolumeSource`, 'A persistent volume claim.', { isPointer: true }),
      nfs: ref(`${CORE}.NFSVolumeSource`, 'An NFS export.', { isPointer: true }),
      csi: ref(`${CORE}.CSIVolumeSource`, 'An ephemeral volume from a CSI driver.', { isPointer: true }),
      image: ref(`${CORE}.ImageVolumeSource`, 'The content of an OCI image or artifact, read-only.', { isPointer: true }),
    }, ['name']),
    [`${CORE}.NFSVolumeSource`]: obj('An NFS export.', { server: str('NFS server host or address.'), path: str('Exported path.'), readOnly: bool('Mount read-only.') }, ['server', 'path']),
    [`${CORE}.CSIVolumeSource`]: obj('An ephemeral CSI volume.', {
      driver: str('Name of the CSI driver.'), readOnly: bool('Mount read-only.'), fsType: str('Filesystem type.'),
      volumeAttributes: strMap('Driver-specific attributes.'), nodePublishSecretRef: ref(`${CORE}.LocalObjectReference`, 'Secret passed to the driver.', { isPointer: true }),
    }, ['driver']),
    [`${CORE}.ImageVolumeSource`]: obj('An OCI image mounted as a volume.', { reference: str('Image reference, as for a container image.'), pullPolicy: strEnum('When to pull the image.', ['Always', 'IfNotPresent', 'Never']) }),
    [`${CORE}.EmptyDirVolumeSource`]: obj('A scratch directory.', { medium: str('Memory for a tmpfs; empty for node storage.'), sizeLimit: quantity('Most storage the directory may use.') }),
    [`${CORE}.HostPathVolumeSource`]: obj('A path on the node.', { path: str('Path on the node.'), type: strEnum('What must exist at the path.', ['', 'DirectoryOrCreate', 'Directory', 'FileOrCreate', 'File', 'Socket', 'CharDevice', 'BlockDevice']) }, ['path']),
    [`${CORE}.ConfigMapVolumeSource`]: obj('A ConfigMap as files.', { name: str('Name of the ConfigMap.'), items: keyItems, defaultMode: mode('the files'), optional: bool('Whether the ConfigMap may be missing.') }),
    [`${CORE}.SecretVolumeSource`]: obj('A Secret as files.', { secretName: str('Name of the Secret.'), items: keyItems, defaultMode: mode('the files'), optional: bool('Whether the Secret may be missing.') }),
    [`${CORE}.KeyToPath`]: obj('Maps a key to a file path.', { key: str('Key to project.'), path: str('Relative path of the file.'), mode: mode('this file') }, ['key', 'path']),
    [`${CORE}.PersistentVolumeClaimVolumeSource`]: obj('A reference to a claim.', { claimName: str('Name of the claim.'), readOnly: bool('Mount read-only.') }, ['claimName']),
    [`${CORE}.ProjectedVolumeSource`]: obj('Several sources in one directory.', { sources: atomicList(`${CORE}.VolumeProjection`, 'Sources to merge.'), defaultMode: mode('the files') }),
    [`${CORE}.VolumeProjection`]: obj('One source of a projected volume.', {
      configMap: ref(`${CORE}.ConfigMapProjection`, 'Keys of a ConfigMap.', { isPointer: true }),
      secret: ref(`${CORE}.SecretProjection`, 'Keys of a Secret.', { isPointer: true }),
      downwardAPI: ref(`${CORE}.DownwardAPIProjection`, 'Pod fields.', { isPointer: true }),
      serviceAccountToken: ref(`${CORE}.ServiceAccountTokenProjection`, 'A service account token.', { isPointer: true }),
    }),
    [`${CORE}.ConfigMapProjection`]: obj('A ConfigMap in a projected volume.', { name: str('Name of the ConfigMap.'), items: keyItems, optional: bool('Whether it may be missing.') }),
    [`${CORE}.SecretProjection`]: obj('A Secret in a projected volume.', { name: str('Name of the Secret.'), items: keyItems, optional: bool('Whether it may be missing.') }),
    [`${CORE}.DownwardAPIProjection`]: obj('Pod fields in a projected volume.', { items: atomicList(`${CORE}.DownwardAPIVolumeFile`, 'Files to create.') }),
    [`${CORE}.DownwardAPIVolumeSource`]: obj('Pod fields as files.', { items: atomicList(`${CORE}.DownwardAPIVolumeFile`, 'Files to create.'), defaultMode: mode('the files') }),
    [`${CORE}.DownwardAPIVolumeFile`]: obj('One file holding a pod field.', {
      path: str('Relative path of the file.'),
      fieldRef: ref(`${CORE}.ObjectFieldSelector`, 'Pod field to write.', { isPointer: true }),
      resourceFieldRef: ref(`${CORE}.ResourceFieldSelector`, 'Container resource to write.', { isPointer: true }),
      mode: mode('this file'),
    }, ['path']),
    [`${CORE}.ServiceAccountTokenProjection`]: obj('A projected service account token.', { audience: str('Intended audience of the token.'), expirationSeconds: int64('Requested lifetime of the token.'), path: str('Relative path of the file.') }, ['path']),
  };
}

function statusSchemas(): Record<string, Schema> {
  return {
    [`${CORE}.PodStatus`]: obj('Observed state of a pod.', {
      phase: strEnum('Where the pod is in its lifecycle.', ['Pending', 'Running', 'Succeeded', 'Failed', 'Unknown']),
      conditions: mergeList(`${CORE}.PodCondition`, 'Current conditions, such as Ready.', 'type'),
      message: str('Why the pod is in this state.'),
      reason: str('Short CamelCase reason, such as Evicted.'),
      nominatedNodeName: str('Node the pod may run on after preempting others.'),
      hostIP: str('Address of the node the pod runs on.'),
      hostIPs: atomicList(`${CORE}.HostIP`, 'Addresses of the node, one per IP family.'),
      podIP: str('Address of the pod.'),
      podIPs: mergeList(`${CORE}.PodIP`, 'Addresses of the pod, one per IP family; the first equals podIP.', 'ip'),
      startTime: time('When the node accepted the pod.'),
      initContainerStatuses: atomicList(`${CORE}.ContainerStatus`, 'Status of each init container.'),
      containerStatuses: atomicList(`${CORE}.ContainerStatus`, 'Status of each app container.'),
      qosClass: strEnum('Quality of service class derived from the resource settings.', ['Guaranteed', 'Burstable', 'BestEffort']),
    }),
    [`${CORE}.PodCondition`]: obj('One condition of a pod.', {
      type: str('Kind of condition, such as Ready or PodScheduled.'), status: strEnum('Whether it holds.', ['True', 'False', 'Unknown']),
      lastProbeTime: time('When it was last checked.'), lastTransitionTime: time('When status last changed.'), reason: str('Reason for the last transition.'), message: str('Details.'),
    }, ['type', 'status']),
    [`${CORE}.PodIP`]: obj('An address of a pod.', { ip: str('The address.') }, ['ip']),
    [`${CORE}.HostIP`]: obj('An address of the node of a pod.', { ip: str('The address.') }, ['ip']),
  };
}

export function podSchemas(): Record<string, Schema> {
  return { ...podSpecSchemas(), ...affinitySchemas(), ...volumeSchemas(), ...statusSchemas() };
}
