// Decodes the protobuf request bodies kubectl's typed client sends (`kubectl create namespace|configmap|
// secret|serviceaccount|deployment|service ...|ingress`): the 4-byte magic "k8s\0", then a runtime.Unknown
// {1: TypeMeta{1: apiVersion, 2: kind}, 2: raw, 3: contentEncoding, 4: contentType} whose raw bytes are
// the object's own message.
import { decodeMessage, str } from './message.ts';
import type { Message } from './message.ts';
import { CONFIG_MAP, INGRESS, NAMESPACE, SECRET, SERVICE, SERVICE_ACCOUNT } from './messages-core.ts';
import { DEPLOYMENT, POD, REPLICA_SET } from './messages-pod.ts';
import { decodeUtf8, ProtoError, ProtoReader, WIRE_LENGTH_DELIMITED } from './wire.ts';

const MAGIC = [0x6b, 0x38, 0x73, 0x00];

const KINDS: Record<string, Message> = {
  'v1/Namespace': NAMESPACE,
  'v1/ConfigMap': CONFIG_MAP,
  'v1/Secret': SECRET,
  'v1/ServiceAccount': SERVICE_ACCOUNT,
  'v1/Service': SERVICE,
  'v1/Pod': POD,
  'apps/v1/Deployment': DEPLOYMENT,
  'apps/v1/ReplicaSet': REPLICA_SET,
  'networking.k8s.io/v1/Ingress': INGRESS,
};

const TYPE_META: Message = { 1: str('apiVersion'), 2: str('kind') };

interface Envelope {
  apiVersion?: string;
  kind?: string;
  raw: Uint8Array;
  contentEncoding?: string;
  contentType?: string;
}

function readEnvelope(bytes: Uint8Array): Envelope {
  const r = new ProtoReader(bytes);
  const envelope: Envelope = { raw: new Uint8Array(0) };
  while (!r.isDone) {
    const { field, wireType } = r.readTag();
    if (field > 4) {
      r.skip(wireType);
      continue;
    }
    if (wireType !== WIRE_LENGTH_DELIMITED) throw new ProtoError(`protobuf envelope field ${field} has wire type ${wireType}`);
    const value = r.readBytes();
    if (field === 1) Object.assign(envelope, decodeMessage(value, TYPE_META));
    else if (field === 2) envelope.raw = value;
    else if (field === 3) envelope.contentEncoding = decodeUtf8(value);
    else envelope.contentType = decodeUtf8(value);
  }
  return envelope;
}

export interface DecodedObject {
  apiVersion: string;
  kind: string;
  object: Record<string, unknown>;
}

/** Decodes a `k8s\0`-prefixed protobuf body into the JSON shape of the object. Throws Error on anything malformed or unsupported. */
export function decodeKubernetesProtobuf(bytes: Uint8Array): DecodedObject {
  if (bytes.length < MAGIC.length || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new ProtoError('body does not start with the Kubernetes protobuf prefix "k8s\\x00"');
  }
  const envelope = readEnvelope(bytes.subarray(MAGIC.length));
  const { apiVersion, kind } = envelope;
  if (!apiVersion || !kind) throw new ProtoError('protobuf envelope has no apiVersion and kind');
  if (envelope.contentEncoding) throw new ProtoError(`unsupported protobuf content encoding ${JSON.stringify(envelope.contentEncoding)}`);
  if (envelope.contentType && envelope.contentType !== 'application/vnd.kubernetes.protobuf') {
    throw new ProtoError(`unsupported content type ${JSON.stringify(envelope.contentType)} inside the protobuf envelope`);
  }
  const message = KINDS[`${apiVersion}/${kind}`];
  if (!message) throw new ProtoError(`protobuf bodies of kind ${kind} (${apiVersion}) are not supported; send JSON instead`);
  return { apiVersion, kind, object: { apiVersion, kind, ...decodeMessage(envelope.raw, message) } };
}
