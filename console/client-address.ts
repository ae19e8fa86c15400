// The address the audit log's limit on anonymous refusals counts against (console/server.ts). An
// IPv4 address is one client. An IPv6 client is usually given a whole /64 by its provider (and
// picks a fresh address inside it at will, RFC 8981), so counting full IPv6 addresses would give
// one person 2^64 budgets: IPv6 counts by /64, as @fastify/rate-limit's default key does for the
// sign-in limit.
import { isIPv4, isIPv6 } from 'node:net';

/** The 8 hextets of an IPv6 address (zone removed, `::` and a dotted IPv4 tail expanded); null if malformed. */
function hextets(address: string): number[] | null {
  let text = address.replace(/%.*$/, '');
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    if (!isIPv4(dotted[2]!)) return null;
    const [a, b, c, d] = dotted[2]!.split('.').map(Number) as [number, number, number, number];
    text = `${dotted[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const part = (s: string | undefined) => (s ? s.split(':').map((h) => Number.parseInt(h, 16)) : []);
  const head = part(halves[0]);
  const tail = part(halves[1]);
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<number>(halves.length === 2 ? missing : 0).fill(0), ...tail];
  return all.every((h) => Number.isInteger(h) && h >= 0 && h <= 0xffff) ? all : null;
}

/**
 * The key a client's requests are counted under: the IPv4 address (an IPv4-mapped IPv6 address,
 * as a dual-stack socket reports IPv4 clients, is that IPv4 address), or the IPv6 address's /64
 * written `2001:db8:1:2::/64`. Anything else is returned as given.
 */
export function limitKey(ip: string): string {
  if (!isIPv6(ip)) return ip;
  const h = hextets(ip);
  if (!h) return ip;
  if (h.slice(0, 5).every((x) => x === 0) && h[5] === 0xffff) return [h[6]! >> 8, h[6]! & 0xff, h[7]! >> 8, h[7]! & 0xff].join('.');
  return `${h.slice(0, 4).map((x) => x.toString(16)).join(':')}::/64`;
}
