import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;

/** A set of addresses and CIDR ranges, v4 and v6 (IPAllowlist, TrustedProxies). */
export interface IpList {
  readonly entries: readonly string[];
  contains(address: string): boolean;
}

/**
 * An address as one canonical string: `::ffff:1.2.3.4` (a v4 client on a dual-stack socket) is
 * `1.2.3.4`, v6 is compressed and lower-case, a zone id is dropped. Null when it is not an address.
 */
export function normaliseIp(text: string): string | null {
  const a = parseAddress(text);
  return a ? a.toString() : null;
}

function parseAddress(text: string): Address | null {
  let s = text.trim();
  // X-Forwarded-For written by some proxies: "[v6]:port", "v4:port"
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s);
  if (bracketed) s = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':'));
  s = s.replace(/%.*$/, '');
  // Only the four-part dotted v4 form: ipaddr.js also accepts "1", "0x7f.1" and other legacy forms.
  if (s.includes('.') && !s.includes(':') && !/^\d{1,3}(\.\d{1,3}){3}$/.test(s)) return null;
  if (!ipaddr.isValid(s)) return null;
  try {
    return ipaddr.process(s);
  } catch {
    return null;
  }
}

type Range = [Address, number];

function parseEntry(entry: string): Range | null {
  const slash = entry.indexOf('/');
  if (slash < 0) {
    const a = parseAddress(entry);
    return a ? [a, a.kind() === 'ipv4' ? 32 : 128] : null;
  }
  try {
    const [addr, bits] = ipaddr.parseCIDR(entry);
    if (addr.kind() === 'ipv4' && !/^\d{1,3}(\.\d{1,3}){3}$/.test(entry.slice(0, slash))) return null;
    // A range of v4-mapped v6 addresses (::ffff:10.0.0.0/104) is that v4 range: addresses are normalised to v4.
    if (addr.kind() === 'ipv6' && (addr as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
      return [(addr as ipaddr.IPv6).toIPv4Address(), bits - 96];
    }
    return [addr, bits];
  } catch {
    return null;
  }
}

/** Parses "1.2.3.4, 10.0.0.0/8, 2001:db8::/32"; throws naming the first entry that is not an address or range. */
export function parseIpList(text: string): IpList {
  const entries = text.split(',').map((e) => e.trim()).filter((e) => e !== '');
  const ranges: Range[] = [];
  for (const entry of entries) {
    const range = parseEntry(entry);
    if (!range) throw new Error(`"${entry}" is not an IP address or CIDR range`);
    ranges.push(range);
  }
  return {
    entries,
    contains(address: string): boolean {
      const a = parseAddress(address);
      if (!a) return false;
      return ranges.some(([r, bits]) => r.kind() === a.kind() && a.match(r as never, bits));
    },
  };
}

/** For the parameters schema: the reason the list is invalid, or null. */
export function ipListError(text: string): string | null {
  try {
    parseIpList(text);
    return null;
  } catch (e) {
    return (e as Error).message;
  }
}
