import { isIPv4, isIPv6 } from 'node:net';

/** What kind of network an IP address belongs to. Only `public` is fetched without an exemption. */
export type AddressKind =
  | 'public'
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'shared'
  | 'link-local'
  | 'multicast'
  | 'broadcast'
  | 'documentation'
  | 'benchmarking'
  | 'reserved'
  | 'invalid';

export interface AddressClassification {
  kind: AddressKind;
  /** Words for people: `a loopback address (127.0.0.0/8)`, `an IPv4-mapped IPv6 form of …`. */
  description: string;
}

interface Range {
  prefix: number[];
  bits: number;
  kind: Exclude<AddressKind, 'public' | 'invalid'>;
  label: string;
}

/** IANA's IPv4 special-purpose registry, as far as it matters for reaching other machines. */
const ipv4Ranges: Range[] = [
  range4('0.0.0.0', 8, 'unspecified', '"this network" (0.0.0.0/8)'),
  range4('10.0.0.0', 8, 'private', 'private network (10.0.0.0/8)'),
  range4('100.64.0.0', 10, 'shared', 'carrier-grade NAT (100.64.0.0/10)'),
  range4('127.0.0.0', 8, 'loopback', 'loopback (127.0.0.0/8)'),
  range4('169.254.0.0', 16, 'link-local', 'link-local and cloud metadata (169.254.0.0/16)'),
  range4('172.16.0.0', 12, 'private', 'private network (172.16.0.0/12)'),
  range4('192.0.0.0', 24, 'reserved', 'IETF protocol assignments (192.0.0.0/24)'),
  range4('192.0.2.0', 24, 'documentation', 'documentation (192.0.2.0/24)'),
  range4('192.88.99.0', 24, 'reserved', '6to4 relay anycast (192.88.99.0/24)'),
  range4('192.168.0.0', 16, 'private', 'private network (192.168.0.0/16)'),
  range4('198.18.0.0', 15, 'benchmarking', 'benchmarking (198.18.0.0/15)'),
  range4('198.51.100.0', 24, 'documentation', 'documentation (198.51.100.0/24)'),
  range4('203.0.113.0', 24, 'documentation', 'documentation (203.0.113.0/24)'),
  range4('224.0.0.0', 4, 'multicast', 'multicast (224.0.0.0/4)'),
  range4('255.255.255.255', 32, 'broadcast', 'broadcast (255.255.255.255)'),
  range4('240.0.0.0', 4, 'reserved', 'reserved for future use (240.0.0.0/4)'),
];

/** IPv6 ranges that are not public unicast; ranges embedding an IPv4 address are handled apart. */
const ipv6Ranges: Range[] = [
  range6([0, 0, 0, 0, 0, 0, 0, 0], 128, 'unspecified', 'unspecified (::)'),
  range6([0, 0, 0, 0, 0, 0, 0, 1], 128, 'loopback', 'loopback (::1)'),
  range6([0x64, 0xff9b, 1], 48, 'private', 'local-use NAT64 (64:ff9b:1::/48)'),
  range6([0x100], 64, 'reserved', 'discard-only (100::/64)'),
  range6([0x2001, 0xdb8], 32, 'documentation', 'documentation (2001:db8::/32)'),
  range6([0x2001], 23, 'reserved', 'IETF protocol assignments, Teredo included (2001::/23)'),
  range6([0x3fff], 20, 'documentation', 'documentation (3fff::/20)'),
  range6([0xfc00], 7, 'private', 'unique local (fc00::/7)'),
  range6([0xfe80], 10, 'link-local', 'link-local (fe80::/10)'),
  range6([0xfec0], 10, 'private', 'site-local, deprecated (fec0::/10)'),
  range6([0xff00], 8, 'multicast', 'multicast (ff00::/8)'),
];

/** IPv6 ranges that carry an IPv4 address in their low or middle bits: the IPv4 address decides. */
const embeddingRanges: { prefix: number[]; bits: number; label: string; ipv4At: number; publicAllowed: boolean }[] = [
  {
    prefix: [0, 0, 0, 0, 0, 0xffff],
    bits: 96,
    label: 'IPv4-mapped IPv6 (::ffff:0:0/96)',
    ipv4At: 6,
    publicAllowed: true,
  },
  {
    prefix: [0, 0, 0, 0, 0xffff, 0],
    bits: 96,
    label: 'IPv4-translated IPv6 (::ffff:0:0:0/96)',
    ipv4At: 6,
    publicAllowed: true,
  },
  { prefix: [0x64, 0xff9b, 0, 0, 0, 0], bits: 96, label: 'NAT64 (64:ff9b::/96)', ipv4At: 6, publicAllowed: true },
  {
    prefix: [0, 0, 0, 0, 0, 0],
    bits: 96,
    label: 'IPv4-compatible IPv6, deprecated (::/96)',
    ipv4At: 6,
    publicAllowed: false,
  },
  { prefix: [0x2002], bits: 16, label: '6to4 (2002::/16)', ipv4At: 1, publicAllowed: true },
];

/**
 * Classifies an IP address (IPv4 dotted quad, or IPv6 with or without brackets and zone). IPv6 forms that embed
 * an IPv4 address (mapped, translated, NAT64, compatible, 6to4) are classified by that IPv4 address. IPv6
 * outside global unicast (2000::/3) counts as reserved. Anything that is not an IP address is `invalid`.
 */
export function classifyAddress(address: string): AddressClassification {
  const bare = address.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIPv4(bare)) return classifyIpv4(parseIpv4(bare));
  if (isIPv6(bare)) return classifyIpv6(parseIpv6(bare));
  return { kind: 'invalid', description: `not an IP address (${JSON.stringify(address)})` };
}

function classifyIpv4(octets: number[]): AddressClassification {
  const groups = [((octets[0] ?? 0) << 8) | (octets[1] ?? 0), ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)];
  const match = ipv4Ranges.find((candidate) => matchesPrefix(groups, candidate.prefix, candidate.bits));
  if (match === undefined) return { kind: 'public', description: 'a public address' };
  return { kind: match.kind, description: withArticle(`${match.label} address`) };
}

function classifyIpv6(groups: number[]): AddressClassification {
  const special = ipv6Ranges.find(
    (candidate) => candidate.bits === 128 && matchesPrefix(groups, candidate.prefix, 128),
  );
  if (special !== undefined) return { kind: special.kind, description: `the ${special.label} address` };
  for (const embedding of embeddingRanges) {
    if (!matchesPrefix(groups, embedding.prefix, embedding.bits)) continue;
    const high = groups[embedding.ipv4At] ?? 0;
    const low = groups[embedding.ipv4At + 1] ?? 0;
    const ipv4 = [high >> 8, high & 0xff, low >> 8, low & 0xff].join('.');
    const inner = classifyIpv4(parseIpv4(ipv4));
    if (inner.kind === 'public' && !embedding.publicAllowed) {
      return { kind: 'reserved', description: withArticle(`${embedding.label} address (${ipv4})`) };
    }
    return { kind: inner.kind, description: `${inner.description} (${ipv4}) written as ${embedding.label}` };
  }
  const match = ipv6Ranges.find((candidate) => matchesPrefix(groups, candidate.prefix, candidate.bits));
  if (match !== undefined) return { kind: match.kind, description: withArticle(`${match.label} address`) };
  if (!matchesPrefix(groups, [0x2000], 3)) {
    return { kind: 'reserved', description: 'an IPv6 address outside global unicast (2000::/3)' };
  }
  return { kind: 'public', description: 'a public address' };
}

/** Whether the first `bits` bits of `groups` (16-bit words) equal those of `prefix` (missing words are 0). */
function matchesPrefix(groups: number[], prefix: number[], bits: number): boolean {
  for (let index = 0; index * 16 < bits; index += 1) {
    const width = Math.min(16, bits - index * 16);
    const mask = (0xffff << (16 - width)) & 0xffff;
    if (((groups[index] ?? 0) & mask) !== ((prefix[index] ?? 0) & mask)) return false;
  }
  return true;
}

function parseIpv4(address: string): number[] {
  return address.split('.').map((part) => Number.parseInt(part, 10));
}

/** Eight 16-bit words of a valid IPv6 address (checked by isIPv6), a trailing dotted quad included. */
function parseIpv6(address: string): number[] {
  let text = address.toLowerCase();
  const dottedQuad = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dottedQuad?.[1] !== undefined) {
    const [a = 0, b = 0, c = 0, d = 0] = parseIpv4(dottedQuad[1]);
    text = `${text.slice(0, dottedQuad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const headWords = head === '' ? [] : head.split(':');
  const tailWords = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeros = tail === undefined ? [] : new Array<string>(8 - headWords.length - tailWords.length).fill('0');
  return [...headWords, ...zeros, ...tailWords].map((word) => Number.parseInt(word, 16));
}

function withArticle(text: string): string {
  return `${/^(?:[aeio]|u(?!ni))/i.test(text) ? 'an' : 'a'} ${text}`;
}

function range4(address: string, bits: number, kind: Range['kind'], label: string): Range {
  const [a = 0, b = 0, c = 0, d = 0] = parseIpv4(address);
  return { prefix: [(a << 8) | b, (c << 8) | d], bits, kind, label };
}

function range6(prefix: number[], bits: number, kind: Range['kind'], label: string): Range {
  return { prefix, bits, kind, label };
}
