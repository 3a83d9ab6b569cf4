// Field tables for Kubernetes protobuf messages and the generic decoder that turns a message into
// the JSON shape the API uses.
//
// Go's generated marshallers write every non-pointer scalar, even at its zero value, while the JSON
// encoding omits those (`omitempty`). So zero scalars are dropped unless the Go field is a pointer
// (`isPointer`), where presence itself carries meaning (replicas: 0). Embedded structs are kept even
// when empty, as JSON prints them ({}); an empty Time is the zero time, which JSON prints as null.
import { decodeUtf8, ProtoError, ProtoReader, WIRE_LENGTH_DELIMITED, WIRE_VARINT } from './wire.ts';

type Scalar = 'string' | 'int32' | 'int64' | 'bool' | 'bytes';
type Special = 'time' | 'quantity' | 'intOrString';
export type Message = Record<number, Field>;

export interface Field {
  name: string;
  type: Scalar | Special | 'message' | 'map';
  message?: Message;
  /** For maps: the type of the values (keys are always strings). */
  mapValue?: 'string' | 'bytes' | 'quantity';
  isRepeated?: boolean;
  isPointer?: boolean;
  /** A Go struct embedded with `json:",inline"`: its fields land in the parent object. */
  isInline?: boolean;
}

export const str = (name: string): Field => ({ name, type: 'string' });
export const int32 = (name: string): Field => ({ name, type: 'int32' });
export const int64 = (name: string): Field => ({ name, type: 'int64' });
export const bool = (name: string): Field => ({ name, type: 'bool' });
export const time = (name: string): Field => ({ name, type: 'time' });
export const quantity = (name: string): Field => ({ name, type: 'quantity' });
export const intOrString = (name: string): Field => ({ name, type: 'intOrString' });
export const msg = (name: string, message: Message): Field => ({ name, type: 'message', message });
export const map = (name: string, mapValue: Field['mapValue'] = 'string'): Field => ({ name, type: 'map', mapValue });
export const repeated = (f: Field): Field => ({ ...f, isRepeated: true });
export const pointer = (f: Field): Field => ({ ...f, isPointer: true });
export const inline = (message: Message): Field => ({ name: '', type: 'message', message, isInline: true });

// Presence matters: the zero time is an empty message, the Unix epoch has seconds: 0.
const TIME: Message = { 1: pointer(int64('seconds')), 2: pointer(int32('nanos')) };
const INT_OR_STRING: Message = { 1: int64('type'), 2: int32('intVal'), 3: str('strVal') };
const QUANTITY: Message = { 1: str('string') };

function expectedWireType(f: Field): number {
  return f.type === 'int32' || f.type === 'int64' || f.type === 'bool' ? WIRE_VARINT : WIRE_LENGTH_DELIMITED;
}

function varintValue(type: Field['type'], v: bigint): number | boolean {
  if (type === 'bool') return v !== 0n;
  return type === 'int32' ? Number(BigInt.asIntN(32, v)) : Number(BigInt.asIntN(64, v));
}

function rfc3339(seconds: number): string {
  const ms = seconds * 1000;
  if (!Number.isFinite(ms) || Math.abs(ms) > 8.64e15) throw new ProtoError(`timestamp ${seconds} is out of range`);
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function decodeTime(bytes: Uint8Array): string | undefined {
  const t = decodeMessage(bytes, TIME) as { seconds?: number };
  return t.seconds === undefined ? undefined : rfc3339(t.seconds);
}

function decodeIntOrString(bytes: Uint8Array): number | string {
  const v = decodeMessage(bytes, INT_OR_STRING) as { type?: number; intVal?: number; strVal?: string };
  return v.type === 1 ? (v.strVal ?? '') : (v.intVal ?? 0);
}

function decodeLengthDelimited(f: Field, bytes: Uint8Array): unknown {
  switch (f.type) {
    case 'string':
      return decodeUtf8(bytes);
    case 'bytes':
      return Buffer.from(bytes).toString('base64');
    case 'time':
      return decodeTime(bytes);
    case 'quantity':
      return (decodeMessage(bytes, QUANTITY) as { string?: string }).string ?? '0';
    case 'intOrString':
      return decodeIntOrString(bytes);
    case 'message':
      return decodeMessage(bytes, f.message ?? {});
    default:
      throw new ProtoError(`field ${f.name} cannot be length-delimited`);
  }
}

function decodeMapEntry(f: Field, bytes: Uint8Array): [string, unknown] {
  const value: Field = { name: 'value', type: f.mapValue ?? 'string', isPointer: true };
  const entry = decodeMessage(bytes, { 1: pointer(str('key')), 2: value });
  const empty = f.mapValue === 'quantity' ? '0' : '';
  return [(entry.key as string | undefined) ?? '', entry.value ?? empty];
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false || v === undefined;
}

function decodeField(f: Field, wireType: number, r: ProtoReader, out: Record<string, unknown>): void {
  if (f.type === 'map') {
    if (wireType !== WIRE_LENGTH_DELIMITED) throw new ProtoError(`field ${f.name}: expected a map entry, got wire type ${wireType}`);
    const [k, v] = decodeMapEntry(f, r.readBytes());
    ((out[f.name] ??= {}) as Record<string, unknown>)[k] = v;
    return;
  }
  const wanted = expectedWireType(f);
  if (wireType === WIRE_LENGTH_DELIMITED && wanted === WIRE_VARINT && f.isRepeated) {
    const packed = new ProtoReader(r.readBytes());
    const list = (out[f.name] ??= []) as unknown[];
    while (!packed.isDone) list.push(varintValue(f.type, packed.readVarint()));
    return;
  }
  if (wireType !== wanted) throw new ProtoError(`field ${f.name}: expected wire type ${wanted}, got ${wireType}`);
  const value = wanted === WIRE_VARINT ? varintValue(f.type, r.readVarint()) : decodeLengthDelimited(f, r.readBytes());
  if (f.isInline) {
    Object.assign(out, value as Record<string, unknown>);
  } else if (f.isRepeated) {
    ((out[f.name] ??= []) as unknown[]).push(value);
  } else if (isZero(value) && !(f.isPointer && value !== undefined)) {
    delete out[f.name];
  } else {
    out[f.name] = value;
  }
}

/** Decodes one message by its field table; fields the table does not know are skipped. */
export function decodeMessage(bytes: Uint8Array, message: Message): Record<string, unknown> {
  const r = new ProtoReader(bytes);
  const out: Record<string, unknown> = {};
  while (!r.isDone) {
    const { field, wireType } = r.readTag();
    const f = message[field];
    if (f) decodeField(f, wireType, r, out);
    else r.skip(wireType);
  }
  return out;
}
