// Hand-built netlink messages for the transport's tests (unit and e2e). Tests only: the product's
// nf_tables encoder is netfilter/nl-encode.ts.
import { align4, nlmsghdr } from './netlink.ts';

export function attrBytes(type: number, body: Buffer): Buffer {
  const b = Buffer.alloc(align4(4 + body.length));
  b.writeUInt16LE(4 + body.length, 0);
  b.writeUInt16LE(type, 2);
  body.copy(b, 4);
  return b;
}

export const attrString = (type: number, value: string): Buffer => attrBytes(type, Buffer.from(`${value}\0`));

/** nlmsghdr + nfgenmsg (res_id big-endian) + attributes. */
export function message(m: { type: number; flags: number; seq: number; family?: number; resId?: number; attrs?: Buffer[] }): Buffer {
  const nfgenmsg = Buffer.from([m.family ?? 0, 0, (m.resId ?? 0) >> 8, (m.resId ?? 0) & 0xff]);
  const body = Buffer.concat([nfgenmsg, ...(m.attrs ?? [])]);
  return Buffer.concat([nlmsghdr({ type: m.type, flags: m.flags, seq: m.seq, length: 16 + body.length }), body]);
}
