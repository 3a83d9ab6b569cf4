// Field numbers of meta/v1, core/v1 (except pods) and networking/v1 messages, as in upstream's
// generated.proto files (k8s.io/apimachinery/pkg/apis/meta/v1, k8s.io/api/core/v1, k8s.io/api/networking/v1).
import { bool, inline, int32, int64, intOrString, map, msg, pointer, repeated, str, time } from './message.ts';
import type { Message } from './message.ts';

export const OWNER_REFERENCE: Message = {
  5: str('apiVersion'),
  1: str('kind'),
  3: str('name'),
  4: str('uid'),
  6: pointer(bool('controller')),
  7: pointer(bool('blockOwnerDeletion')),
};

export const OBJECT_META: Message = {
  1: str('name'),
  2: str('generateName'),
  3: str('namespace'),
  4: str('selfLink'),
  5: str('uid'),
  6: str('resourceVersion'),
  7: int64('generation'),
  8: time('creationTimestamp'),
  9: time('deletionTimestamp'),
  10: pointer(int64('deletionGracePeriodSeconds')),
  11: map('labels'),
  12: map('annotations'),
  13: repeated(msg('ownerReferences', OWNER_REFERENCE)),
  14: repeated(str('finalizers')),
};

export const LABEL_SELECTOR: Message = {
  1: map('matchLabels'),
  2: repeated(msg('matchExpressions', { 1: str('key'), 2: str('operator'), 3: repeated(str('values')) })),
};

export const LOCAL_OBJECT_REFERENCE: Message = { 1: str('name') };

export const OBJECT_REFERENCE: Message = {
  1: str('kind'),
  2: str('namespace'),
  3: str('name'),
  4: str('uid'),
  5: str('apiVersion'),
  6: str('resourceVersion'),
  7: str('fieldPath'),
};

const metadata = msg('metadata', OBJECT_META);

export const NAMESPACE: Message = {
  1: metadata,
  2: msg('spec', { 1: repeated(str('finalizers')) }),
  3: msg('status', { 1: str('phase') }),
};

export const CONFIG_MAP: Message = {
  1: metadata,
  2: map('data'),
  3: map('binaryData', 'bytes'),
  4: pointer(bool('immutable')),
};

export const SECRET: Message = {
  1: metadata,
  2: map('data', 'bytes'),
  3: str('type'),
  4: map('stringData'),
  5: pointer(bool('immutable')),
};

export const SERVICE_ACCOUNT: Message = {
  1: metadata,
  2: repeated(msg('secrets', OBJECT_REFERENCE)),
  3: repeated(msg('imagePullSecrets', LOCAL_OBJECT_REFERENCE)),
  4: pointer(bool('automountServiceAccountToken')),
};

const SERVICE_PORT: Message = {
  1: str('name'),
  2: str('protocol'),
  6: pointer(str('appProtocol')),
  3: int32('port'),
  4: intOrString('targetPort'),
  5: int32('nodePort'),
};

const SERVICE_SPEC: Message = {
  1: repeated(msg('ports', SERVICE_PORT)),
  2: map('selector'),
  3: str('clusterIP'),
  18: repeated(str('clusterIPs')),
  4: str('type'),
  5: repeated(str('externalIPs')),
  7: str('sessionAffinity'),
  8: str('loadBalancerIP'),
  9: repeated(str('loadBalancerSourceRanges')),
  10: str('externalName'),
  11: str('externalTrafficPolicy'),
  12: int32('healthCheckNodePort'),
  13: bool('publishNotReadyAddresses'),
  14: pointer(msg('sessionAffinityConfig', { 1: pointer(msg('clientIP', { 1: pointer(int32('timeoutSeconds')) })) })),
  19: repeated(str('ipFamilies')),
  17: pointer(str('ipFamilyPolicy')),
  20: pointer(bool('allocateLoadBalancerNodePorts')),
  21: pointer(str('loadBalancerClass')),
  22: pointer(str('internalTrafficPolicy')),
};

const PORT_STATUS: Message = { 1: int32('port'), 2: str('protocol'), 3: pointer(str('error')) };
const LOAD_BALANCER_INGRESS: Message = { 1: str('ip'), 2: str('hostname'), 4: repeated(msg('ports', PORT_STATUS)) };

export const SERVICE: Message = {
  1: metadata,
  2: msg('spec', SERVICE_SPEC),
  3: msg('status', { 1: msg('loadBalancer', { 1: repeated(msg('ingress', LOAD_BALANCER_INGRESS)) }) }),
};

const SERVICE_BACKEND: Message = { 1: str('name'), 2: msg('port', { 1: str('name'), 2: int32('number') }) };
const INGRESS_BACKEND: Message = {
  4: pointer(msg('service', SERVICE_BACKEND)),
  3: pointer(msg('resource', { 1: pointer(str('apiGroup')), 2: str('kind'), 3: str('name') })),
};
const HTTP_INGRESS_PATH: Message = { 1: str('path'), 3: pointer(str('pathType')), 2: msg('backend', INGRESS_BACKEND) };
const INGRESS_RULE: Message = {
  1: str('host'),
  // IngressRuleValue is embedded inline: its `http` field sits directly in the rule.
  2: inline({ 1: pointer(msg('http', { 1: repeated(msg('paths', HTTP_INGRESS_PATH)) })) }),
};

export const INGRESS: Message = {
  1: metadata,
  2: msg('spec', {
    4: pointer(str('ingressClassName')),
    1: pointer(msg('defaultBackend', INGRESS_BACKEND)),
    2: repeated(msg('tls', { 1: repeated(str('hosts')), 2: str('secretName') })),
    3: repeated(msg('rules', INGRESS_RULE)),
  }),
  3: msg('status', { 1: msg('loadBalancer', { 1: repeated(msg('ingress', LOAD_BALANCER_INGRESS)) }) }),
};
