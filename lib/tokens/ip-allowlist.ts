import ipaddr from 'ipaddr.js';
import { LRUCache } from 'lru-cache';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Range = [Address, number];

/** Allowlists parsed recently, by their entries: a warm request matches without parsing them again. */
const PARSED = new LRUCache<string, readonly Range[]>({ max: 1_000 });

/**
 * Why an allowlist entry is refused, or `null` for an IPv4 or IPv6 address or CIDR range. IPv4 is
 * taken in its four-part decimal form only (`10.0.0.1`, not `10.1` or `0xa.0.0.1`), so that an
 * entry means what it reads as.
 */
export function allowlistEntryProblem(entry: string): string | null {
  const slash = entry.indexOf('/');
  const address = slash === -1 ? entry : entry.slice(0, slash);
  const isIPv4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  if (!isIPv4 && !(ipaddr.IPv6.isValid(address) && !address.includes('%'))) {
    return `"${entry}" is not an IPv4 or IPv6 address or CIDR range (such as 203.0.113.7, 10.0.0.0/8 or 2001:db8::/32)`;
  }
  if (slash === -1) return null;
  const length = entry.slice(slash + 1);
  const bits = isIPv4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(length) || Number(length) > bits) return `"${entry}" has a bad prefix length; expected 0 to ${bits} after "/"`;
  return null;
}

/**
 * Whether `ip` (the client's address as the request gives it) is in one of the entries. An
 * IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what a dual-stack server reports) is the IPv4
 * address it carries, in the client's address and in the entries alike. An unknown or unreadable
 * address is in none.
 */
export function isAllowedIp(ip: string | null, entries: readonly string[]): boolean {
  if (ip === null || !ipaddr.isValid(ip)) return false;
  const address = ipaddr.process(ip);
  return rangesOf(entries).some(([network, bits]) => address.kind() === network.kind() && address.match(network, bits));
}

function rangesOf(entries: readonly string[]): readonly Range[] {
  const key = entries.join(',');
  let ranges = PARSED.get(key);
  // An entry written to the database by hand without validation matches nothing, rather than failing the request.
  if (!ranges) PARSED.set(key, (ranges = entries.flatMap((entry) => (allowlistEntryProblem(entry) === null ? [rangeOf(entry)] : []))));
  return ranges;
}

function rangeOf(entry: string): Range {
  const [network, bits] = entry.includes('/') ? ipaddr.parseCIDR(entry) : ([ipaddr.parse(entry), -1] as const);
  const fullBits = network.kind() === 'ipv4' ? 32 : 128;
  const length = bits === -1 ? fullBits : bits;
  if (network instanceof ipaddr.IPv6 && network.isIPv4MappedAddress() && length >= 96) return [network.toIPv4Address(), length - 96];
  return [network, length];
}
