import { BlockList, isIP } from 'node:net';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';

/** Finds who is calling: an address (an IPv6 one's /64), or null when no socket carried the request (in-process). */
export type ClientAddressOf = (c: Context) => string | null;

/** `::ffff:127.0.0.2` (IPv4 on a dual-stack socket) is 127.0.0.2: one client, one counter. */
function plainAddress(address: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return mapped ? mapped[1]! : address.toLowerCase();
}

/**
 * What a client is counted as: an IPv4 address, or an IPv6 address's /64. A subscriber is given a
 * whole /64 (RFC 6177), so counting single IPv6 addresses would let one caller rotate past its limit.
 */
export function clientKey(address: string): string {
  if (isIP(address) !== 6) return address;
  const [head = '', tail] = address.split('%')[0]!.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // A trailing dotted quad (64:ff9b::192.0.2.1) stands for two groups.
  const missing = 8 - left.length - right.length - (right.at(-1)?.includes('.') ? 1 : 0);
  const groups = tail === undefined ? left : [...left, ...Array<string>(missing).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((group) => parseInt(group, 16).toString(16))
    .join(':')}::/64`;
}

function familyOf(address: string): 'ipv4' | 'ipv6' {
  return isIP(address) === 4 ? 'ipv4' : 'ipv6';
}

/**
 * Reads `USHER_TRUSTED_PROXIES` entries (addresses or CIDR blocks) into a BlockList; throws on
 * the first entry that is neither, naming it.
 */
export function trustedProxyList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.split('/');
    const family = isIP(address);
    const type = family === 4 ? 'ipv4' : 'ipv6';
    const validPrefix =
      prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
    if (family === 0 || extra !== undefined || !validPrefix) {
      throw new Error(`"${entry}" is not an IP address or CIDR block`);
    }
    if (prefix === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(prefix), type);
  }
  return list;
}

/** Node's bindings, which @hono/node-server passes as the env; absent for in-process `app.request`. */
type NodeEnv = { incoming?: unknown; server?: unknown } | undefined;

function socketAddress(c: Context): string | null {
  const env = c.env as NodeEnv;
  if (!env?.incoming && !env?.server) return null;
  const address = getConnInfo(c).remote.address;
  return address ? plainAddress(address) : null;
}

/**
 * The client of a request: the socket's peer address, unless that peer is a trusted proxy; then
 * the right-most address in X-Forwarded-For that is not a trusted proxy (each proxy appends the
 * address it saw, so the entries left of it are the caller's word). With no trusted proxies the
 * header is never read, so a client cannot name itself someone else to dodge its limit.
 */
export function createClientAddressOf(trustedProxies: readonly string[]): ClientAddressOf {
  const trusted = trustedProxyList(trustedProxies);
  const isTrusted = (address: string) => trustedProxies.length > 0 && trusted.check(address, familyOf(address));
  const addressOf = (c: Context): string | null => {
    let client = socketAddress(c);
    if (client === null || !isTrusted(client)) return client;
    const hops = (c.req.header('x-forwarded-for') ?? '')
      .split(',')
      .map((hop) => plainAddress(hop.trim()))
      .reverse();
    for (const hop of hops) {
      // A malformed entry was not written by a trusted proxy: stop at the last hop known to be sound.
      if (isIP(hop) === 0) return client;
      client = hop;
      if (!isTrusted(hop)) return hop;
    }
    return client;
  };
  return (c) => {
    const address = addressOf(c);
    return address === null ? null : clientKey(address);
  };
}
