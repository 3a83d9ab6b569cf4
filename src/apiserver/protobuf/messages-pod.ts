// Field numbers of core/v1 Pod, PodSpec and Container and of apps/v1 Deployment and ReplicaSet,
// as in upstream's generated.proto files (k8s.io/api/core/v1, k8s.io/api/apps/v1).
import { bool, inline, int32, int64, intOrString, map, msg, pointer, quantity, repeated, str, time } from './message.ts';
import type { Message } from './message.ts';
import { LABEL_SELECTOR, LOCAL_OBJECT_REFERENCE, OBJECT_META } from './messages-core.ts';

const metadata = msg('metadata', OBJECT_META);
// Selectors and env sources embed LocalObjectReference inline: `name` sits beside `key`.
const localRef = inline(LOCAL_OBJECT_REFERENCE);

const KEY_SELECTOR: Message = { 1: localRef, 2: str('key'), 3: pointer(bool('optional')) };
const FIELD_SELECTOR: Message = { 1: str('apiVersion'), 2: str('fieldPath') };
const RESOURCE_SELECTOR: Message = { 1: str('containerName'), 2: str('resource'), 3: quantity('divisor') };

const ENV_VAR: Message = {
  1: str('name'),
  2: str('value'),
  3: pointer(msg('valueFrom', {
    1: pointer(msg('fieldRef', FIELD_SELECTOR)),
    2: pointer(msg('resourceFieldRef', RESOURCE_SELECTOR)),
    3: pointer(msg('configMapKeyRef', KEY_SELECTOR)),
    4: pointer(msg('secretKeyRef', KEY_SELECTOR)),
  })),
};

const ENV_SOURCE: Message = { 1: localRef, 2: pointer(bool('optional')) };
const ENV_FROM: Message = { 1: str('prefix'), 2: pointer(msg('configMapRef', ENV_SOURCE)), 3: pointer(msg('secretRef', ENV_SOURCE)) };

const HANDLER: Message = {
  1: pointer(msg('exec', { 1: repeated(str('command')) })),
  2: pointer(msg('httpGet', { 1: str('path'), 2: intOrString('port'), 3: str('host'), 4: str('scheme'), 5: repeated(msg('httpHeaders', { 1: str('name'), 2: str('value') })) })),
  3: pointer(msg('tcpSocket', { 1: intOrString('port'), 2: str('host') })),
};

const PROBE: Message = {
  1: inline(HANDLER),
  2: int32('initialDelaySeconds'),
  3: int32('timeoutSeconds'),
  4: int32('periodSeconds'),
  5: int32('successThreshold'),
  6: int32('failureThreshold'),
  7: pointer(int64('terminationGracePeriodSeconds')),
};

const SECCOMP: Message = { 1: str('type'), 2: pointer(str('localhostProfile')) };

const SECURITY_CONTEXT: Message = {
  1: pointer(msg('capabilities', { 1: repeated(str('add')), 2: repeated(str('drop')) })),
  2: pointer(bool('privileged')),
  4: pointer(int64('runAsUser')),
  8: pointer(int64('runAsGroup')),
  5: pointer(bool('runAsNonRoot')),
  6: pointer(bool('readOnlyRootFilesystem')),
  7: pointer(bool('allowPrivilegeEscalation')),
  9: pointer(str('procMount')),
  11: pointer(msg('seccompProfile', SECCOMP)),
};

export const CONTAINER: Message = {
  1: str('name'),
  2: str('image'),
  3: repeated(str('command')),
  4: repeated(str('args')),
  5: str('workingDir'),
  6: repeated(msg('ports', { 1: str('name'), 2: int32('hostPort'), 3: int32('containerPort'), 4: str('protocol'), 5: str('hostIP') })),
  19: repeated(msg('envFrom', ENV_FROM)),
  7: repeated(msg('env', ENV_VAR)),
  8: msg('resources', { 1: map('limits', 'quantity'), 2: map('requests', 'quantity') }),
  9: repeated(msg('volumeMounts', { 1: str('name'), 2: bool('readOnly'), 3: str('mountPath'), 4: str('subPath'), 5: pointer(str('mountPropagation')), 6: str('subPathExpr') })),
  21: repeated(msg('volumeDevices', { 1: str('name'), 2: str('devicePath') })),
  10: pointer(msg('livenessProbe', PROBE)),
  11: pointer(msg('readinessProbe', PROBE)),
  22: pointer(msg('startupProbe', PROBE)),
  12: pointer(msg('lifecycle', { 1: pointer(msg('postStart', HANDLER)), 2: pointer(msg('preStop', HANDLER)) })),
  13: str('terminationMessagePath'),
  20: str('terminationMessagePolicy'),
  14: str('imagePullPolicy'),
  15: pointer(msg('securityContext', SECURITY_CONTEXT)),
  16: bool('stdin'),
  17: bool('stdinOnce'),
  18: bool('tty'),
};

const KEY_TO_PATH: Message = { 1: str('key'), 2: str('path'), 3: pointer(int32('mode')) };
const items = repeated(msg('items', KEY_TO_PATH));
const DOWNWARD_FILE: Message = { 1: str('path'), 2: pointer(msg('fieldRef', FIELD_SELECTOR)), 3: pointer(msg('resourceFieldRef', RESOURCE_SELECTOR)), 4: pointer(int32('mode')) };

const VOLUME_SOURCE: Message = {
  1: pointer(msg('hostPath', { 1: str('path'), 2: pointer(str('type')) })),
  2: pointer(msg('emptyDir', { 1: str('medium'), 2: pointer(quantity('sizeLimit')) })),
  6: pointer(msg('secret', { 1: str('secretName'), 2: items, 3: pointer(int32('defaultMode')), 4: pointer(bool('optional')) })),
  10: pointer(msg('persistentVolumeClaim', { 1: str('claimName'), 2: bool('readOnly') })),
  16: pointer(msg('downwardAPI', { 1: repeated(msg('items', DOWNWARD_FILE)), 2: pointer(int32('defaultMode')) })),
  19: pointer(msg('configMap', { 1: localRef, 2: items, 3: pointer(int32('defaultMode')), 4: pointer(bool('optional')) })),
  26: pointer(msg('projected', {
    1: repeated(msg('sources', {
      1: pointer(msg('secret', { 1: localRef, 2: items, 4: pointer(bool('optional')) })),
      2: pointer(msg('downwardAPI', { 1: repeated(msg('items', DOWNWARD_FILE)) })),
      3: pointer(msg('configMap', { 1: localRef, 2: items, 4: pointer(bool('optional')) })),
      4: pointer(msg('serviceAccountToken', { 1: str('audience'), 2: pointer(int64('expirationSeconds')), 3: str('path') })),
    })),
    2: pointer(int32('defaultMode')),
  })),
};

const POD_SECURITY_CONTEXT: Message = {
  2: pointer(int64('runAsUser')),
  6: pointer(int64('runAsGroup')),
  3: pointer(bool('runAsNonRoot')),
  4: repeated(int64('supplementalGroups')),
  5: pointer(int64('fsGroup')),
  7: repeated(msg('sysctls', { 1: str('name'), 2: str('value') })),
  9: pointer(str('fsGroupChangePolicy')),
  10: pointer(msg('seccompProfile', SECCOMP)),
};

export const POD_SPEC: Message = {
  // VolumeSource is embedded inline: `emptyDir` and friends sit beside `name`.
  1: repeated(msg('volumes', { 1: str('name'), 2: inline(VOLUME_SOURCE) })),
  20: repeated(msg('initContainers', CONTAINER)),
  2: repeated(msg('containers', CONTAINER)),
  3: str('restartPolicy'),
  4: pointer(int64('terminationGracePeriodSeconds')),
  5: pointer(int64('activeDeadlineSeconds')),
  6: str('dnsPolicy'),
  7: map('nodeSelector'),
  8: str('serviceAccountName'),
  9: str('serviceAccount'),
  21: pointer(bool('automountServiceAccountToken')),
  10: str('nodeName'),
  11: bool('hostNetwork'),
  12: bool('hostPID'),
  13: bool('hostIPC'),
  27: pointer(bool('shareProcessNamespace')),
  14: pointer(msg('securityContext', POD_SECURITY_CONTEXT)),
  15: repeated(msg('imagePullSecrets', LOCAL_OBJECT_REFERENCE)),
  16: str('hostname'),
  17: str('subdomain'),
  19: str('schedulerName'),
  22: repeated(msg('tolerations', { 1: str('key'), 2: str('operator'), 3: str('value'), 4: str('effect'), 5: pointer(int64('tolerationSeconds')) })),
  23: repeated(msg('hostAliases', { 1: str('ip'), 2: repeated(str('hostnames')) })),
  24: str('priorityClassName'),
  25: pointer(int32('priority')),
  26: pointer(msg('dnsConfig', { 1: repeated(str('nameservers')), 2: repeated(str('searches')), 3: repeated(msg('options', { 1: str('name'), 2: pointer(str('value')) })) })),
  28: repeated(msg('readinessGates', { 1: str('conditionType') })),
  29: pointer(str('runtimeClassName')),
  30: pointer(bool('enableServiceLinks')),
  31: pointer(str('preemptionPolicy')),
  32: map('overhead', 'quantity'),
  35: pointer(bool('setHostnameAsFQDN')),
};

const POD_TEMPLATE: Message = { 1: metadata, 2: msg('spec', POD_SPEC) };

export const POD: Message = {
  1: metadata,
  2: msg('spec', POD_SPEC),
  3: msg('status', { 1: str('phase'), 3: str('message'), 4: str('reason'), 11: str('nominatedNodeName'), 5: str('hostIP'), 6: str('podIP'), 12: repeated(msg('podIPs', { 1: str('ip') })), 7: time('startTime'), 9: str('qosClass') }),
};

export const DEPLOYMENT: Message = {
  1: metadata,
  2: msg('spec', {
    1: pointer(int32('replicas')),
    2: pointer(msg('selector', LABEL_SELECTOR)),
    3: msg('template', POD_TEMPLATE),
    4: msg('strategy', { 1: str('type'), 2: pointer(msg('rollingUpdate', { 1: pointer(intOrString('maxUnavailable')), 2: pointer(intOrString('maxSurge')) })) }),
    5: int32('minReadySeconds'),
    6: pointer(int32('revisionHistoryLimit')),
    7: bool('paused'),
    9: pointer(int32('progressDeadlineSeconds')),
  }),
  3: msg('status', { 1: int64('observedGeneration'), 2: int32('replicas'), 3: int32('updatedReplicas'), 7: int32('readyReplicas'), 4: int32('availableReplicas'), 5: int32('unavailableReplicas'), 8: pointer(int32('collisionCount')) }),
};

export const REPLICA_SET: Message = {
  1: metadata,
  2: msg('spec', { 1: pointer(int32('replicas')), 4: int32('minReadySeconds'), 2: pointer(msg('selector', LABEL_SELECTOR)), 3: msg('template', POD_TEMPLATE) }),
  3: msg('status', { 1: int32('replicas'), 2: int32('fullyLabeledReplicas'), 4: int32('readyReplicas'), 5: int32('availableReplicas'), 3: int64('observedGeneration') }),
};
