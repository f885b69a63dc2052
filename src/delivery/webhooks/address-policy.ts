import { isIP } from 'node:net';

/** A block of addresses that outgoing requests may not reach, and why. */
interface Range {
  readonly bytes: readonly number[];
  readonly bits: number;
  readonly reason: string;
}

// IANA special-purpose registries (RFC 6890 and updates): everything that is not the public internet.
const IPV4_RANGES: readonly Range[] = [
  v4('0.0.0.0/8', 'unspecified'),
  v4('10.0.0.0/8', 'private'),
  v4('100.64.0.0/10', 'shared (CGNAT)'),
  v4('127.0.0.0/8', 'loopback'),
  v4('169.254.0.0/16', 'link-local'),
  v4('172.16.0.0/12', 'private'),
  v4('192.0.0.0/24', 'IETF protocol assignments'),
  v4('192.0.2.0/24', 'documentation'),
  v4('192.168.0.0/16', 'private'),
  v4('198.18.0.0/15', 'benchmarking'),
  v4('198.51.100.0/24', 'documentation'),
  v4('203.0.113.0/24', 'documentation'),
  v4('224.0.0.0/4', 'multicast'),
  v4('240.0.0.0/4', 'reserved'),
];

const IPV6_RANGES: readonly Range[] = [
  v6('::/128', 'unspecified'),
  v6('::1/128', 'loopback'),
  v6('100::/64', 'discard-only'),
  v6('2001:db8::/32', 'documentation'),
  v6('fc00::/7', 'unique-local'),
  v6('fe80::/10', 'link-local'),
  v6('fec0::/10', 'site-local'),
  v6('ff00::/8', 'multicast'),
];

/**
 * Why an outgoing request may not connect to this IP address (loopback, private, link-local,
 * multicast…), or null for a public address. IPv6 forms that carry an IPv4 address (mapped,
 * compatible, NAT64, 6to4) are judged by that address. Anything that is not an IP is refused.
 */
export function refusedAddressReason(address: string): string | null {
  const family = isIP(address);
  if (family === 4) return matchRange(IPV4_RANGES, ipv4Bytes(address));
  if (family !== 6) return 'not an IP address';
  const bytes = ipv6Bytes(address);
  const embedded = embeddedIpv4(bytes);
  if (embedded) return matchRange(IPV4_RANGES, embedded);
  return matchRange(IPV6_RANGES, bytes);
}

function matchRange(ranges: readonly Range[], bytes: readonly number[]): string | null {
  for (const range of ranges) {
    if (hasPrefix(bytes, range.bytes, range.bits)) return range.reason;
  }
  return null;
}

function hasPrefix(bytes: readonly number[], prefix: readonly number[], bits: number): boolean {
  for (let i = 0; i < bits; i += 8) {
    const mask = bits - i >= 8 ? 0xff : (0xff << (8 - (bits - i))) & 0xff;
    if (((bytes[i / 8] ?? 0) & mask) !== ((prefix[i / 8] ?? 0) & mask)) return false;
  }
  return true;
}

/** The IPv4 address inside an IPv6 one, where the IPv6 form is only a wrapper for it. */
function embeddedIpv4(b: readonly number[]): number[] | null {
  const zeros = (from: number, to: number) => b.slice(from, to).every((x) => x === 0);
  // ::ffff:a.b.c.d (mapped, RFC 4291 §2.5.5.2) and ::a.b.c.d (compatible, deprecated).
  if (
    zeros(0, 10) &&
    ((b[10] === 0xff && b[11] === 0xff) || (b[10] === 0 && b[11] === 0 && !zeros(12, 16) && !isOne(b)))
  )
    return b.slice(12, 16);
  // 64:ff9b::a.b.c.d (NAT64 well-known prefix, RFC 6052): a gateway would relay it to IPv4.
  if (b[0] === 0 && b[1] === 0x64 && b[2] === 0xff && b[3] === 0x9b && zeros(4, 12)) return b.slice(12, 16);
  // 2002:aabb:ccdd::/48 (6to4, RFC 3056) carries a.b.c.d in its prefix.
  if (b[0] === 0x20 && b[1] === 0x02) return b.slice(2, 6);
  return null;
}

function isOne(b: readonly number[]): boolean {
  return b.slice(0, 15).every((x) => x === 0) && b[15] === 1;
}

function ipv4Bytes(address: string): number[] {
  return address.split('.').map(Number);
}

/** The 16 bytes of a valid IPv6 address (as checked by isIP), zone id dropped. */
function ipv6Bytes(address: string): number[] {
  let text = address.split('%')[0]!.toLowerCase();
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const groups =
    tail === undefined ? left : [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.flatMap((group) => {
    const value = parseInt(group, 16);
    return [value >> 8, value & 0xff];
  });
}

function v4(cidr: string, reason: string): Range {
  const [address, bits] = cidr.split('/') as [string, string];
  return { bytes: ipv4Bytes(address), bits: Number(bits), reason };
}

function v6(cidr: string, reason: string): Range {
  const [address, bits] = cidr.split('/') as [string, string];
  return { bytes: ipv6Bytes(address), bits: Number(bits), reason };
}
