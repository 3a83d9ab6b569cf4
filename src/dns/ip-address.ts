// IP text <-> bytes and reverse-lookup names, without allocating more than the answer needs.
import { isIPv4, isIPv6 } from 'node:net';

export function ipv4Bytes(ip: string, out: Buffer, offset: number): void {
  let octet = 0;
  let i = offset;
  for (let k = 0; k < ip.length; k++) {
    const c = ip.charCodeAt(k);
    if (c === 46) {
      out[i++] = octet;
      octet = 0;
    } else octet = octet * 10 + (c - 48);
  }
  out[i] = octet;
}

/** 16 bytes of an IPv6 address (with `::` and an embedded IPv4 tail). The caller checked isIPv6. */
export function ipv6Bytes(ip: string): Buffer {
  const out = Buffer.alloc(16);
  let text = ip;
  const zone = text.indexOf('%');
  if (zone >= 0) text = text.slice(0, zone);
  let tail: number[] = [];
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.', lastColon)) {
    const v4 = Buffer.alloc(4);
    ipv4Bytes(text.slice(lastColon + 1), v4, 0);
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    text = text.slice(0, lastColon + 1) + '0:0';
  }
  const [head, rest] = text.split('::');
  const headGroups = head ? head.split(':').map((g) => parseInt(g, 16)) : [];
  let groups: number[];
  if (rest === undefined) groups = headGroups;
  else {
    const restGroups = rest ? rest.split(':').map((g) => parseInt(g, 16)) : [];
    groups = [...headGroups, ...new Array(8 - headGroups.length - restGroups.length).fill(0), ...restGroups];
  }
  if (tail.length) [groups[6], groups[7]] = tail;
  for (let g = 0; g < 8; g++) out.writeUInt16BE(groups[g] ?? 0, g * 2);
  return out;
}

/** RFC 5952 text for 16 bytes: lower-case, leading zeros dropped, the longest run (≥2) of zero groups as `::`. */
export function ipv6Text(bytes: Uint8Array): string {
  const groups: number[] = [];
  for (let g = 0; g < 8; g++) groups.push((bytes[g * 2] << 8) | bytes[g * 2 + 1]);
  let bestStart = -1;
  let bestLen = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) [bestStart, bestLen] = [i, j - i];
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart < 0) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLen).join(':')}`;
}

/** Canonical text of any IP string, or undefined when it is not one. */
export function canonicalIp(ip: string): string | undefined {
  if (isIPv4(ip)) return ip.split('.').map(Number).join('.');
  if (isIPv6(ip)) return ipv6Text(ipv6Bytes(ip));
  return undefined;
}

/** `4.3.2.1.in-addr.arpa` or the 32-nibble `ip6.arpa` name (RFC 3596 §2.5). */
export function reverseName(ip: string): string {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const hex = ipv6Bytes(ip).toString('hex');
  return `${[...hex].reverse().join('.')}.ip6.arpa`;
}

/** The address a full reverse name stands for, or undefined (partial names are not addresses). */
export function ipFromReverseLabels(labels: readonly string[]): string | undefined {
  const n = labels.length;
  if (n === 6 && labels[4] === 'in-addr' && labels[5] === 'arpa') {
    const octets: number[] = [];
    for (let i = 3; i >= 0; i--) {
      const l = labels[i];
      if (!/^(0|[1-9]\d{0,2})$/.test(l) || Number(l) > 255) return undefined;
      octets.push(Number(l));
    }
    return octets.join('.');
  }
  if (n === 34 && labels[32] === 'ip6' && labels[33] === 'arpa') {
    let hex = '';
    for (let i = 31; i >= 0; i--) {
      if (!/^[0-9a-f]$/.test(labels[i])) return undefined;
      hex += labels[i];
    }
    return ipv6Text(Buffer.from(hex, 'hex'));
  }
  return undefined;
}

export function isReverseName(labels: readonly string[]): boolean {
  const n = labels.length;
  return n >= 2 && labels[n - 1] === 'arpa' && (labels[n - 2] === 'in-addr' || labels[n - 2] === 'ip6');
}
