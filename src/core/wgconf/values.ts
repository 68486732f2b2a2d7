/** Validators for single config values. Each returns a message a user can act on, or undefined. */
import ipaddr from 'ipaddr.js';

export const MTU_MIN = 576;
export const MTU_MAX = 65535;

const DOMAIN_LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const DOMAIN = new RegExp(`^(?=.{1,253}\\.?$)${DOMAIN_LABEL}(?:\\.${DOMAIN_LABEL})*\\.?$`, 'i');

export function isDomainName(text: string): boolean {
  return DOMAIN.test(text);
}

const V4_PART = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
const IPV4 = new RegExp(`^${V4_PART}(?:\\.${V4_PART}){3}$`);
const HEX_GROUP = /^[0-9a-f]{1,4}$/i;

/** glibc's inet_pton6: eight groups of 1 to 4 hex digits, one `::` standing for at least one zero group,
 * the last two groups optionally a dotted IPv4 address (inet_pton4's rules), no zone. */
function isIpv6(text: string): boolean {
  const last = text.lastIndexOf(':');
  if (last < 0) return false;
  let t = text;
  if (t.includes('.')) {
    if (!IPV4.test(t.slice(last + 1))) return false;
    t = `${t.slice(0, last + 1)}0:0`;
  }
  const halves = t.split('::');
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  if (halves.length > 2) return false;
  const all = halves.length === 1 ? groups(t) : [...groups(halves[0]!), ...groups(halves[1]!)];
  return (halves.length === 1 ? all.length === 8 : all.length <= 7) && all.every((g) => HEX_GROUP.test(g));
}

/** Strict textual IP check, as glibc's inet_pton (what wg uses) answers: four-part dotted decimal without
 * leading zeros (in an IPv6 address's IPv4 part too), IPv6 without a zone; ipaddr.js alone is more lenient
 * (octal, short forms, zones, `::01.2.3.4`). test/core/wgconf/ip-family.test.ts holds inet_pton's table. */
export function ipFamily(text: string): 4 | 6 | undefined {
  if (IPV4.test(text)) return 4;
  if (isIpv6(text)) return 6;
  return undefined;
}

export interface ParsedCidr {
  family: 4 | 6;
  address: string;
  prefix: number;
  /** The prefix had bits set below the mask, e.g. 10.0.0.1/24. */
  hostBits: boolean;
}

/** An address with an optional /prefix, as `ip address add` and wg's AllowedIPs take it. */
export function parseCidr(text: string): ParsedCidr | string {
  const slash = text.indexOf('/');
  const addr = slash < 0 ? text : text.slice(0, slash);
  const family = ipFamily(addr);
  if (!family) return `\`${addr}\` is not an IP address`;
  const max = family === 4 ? 32 : 128;
  let prefix = max;
  if (slash >= 0) {
    const p = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p) || Number(p) > max) {
      return `\`${text}\` has an invalid prefix length (IPv${family} takes /0 to /${max})`;
    }
    prefix = Number(p);
  }
  const bytes = ipaddr.parse(addr).toByteArray();
  const hostBits = bytes.some((b, i) => (b & ~maskByte(prefix, i) & 0xff) !== 0);
  return { family, address: addr, prefix, hostBits };
}

/** The i-th byte of a netmask of `prefix` bits. */
function maskByte(prefix: number, i: number): number {
  const keep = Math.max(0, Math.min(8, prefix - i * 8));
  return (0xff << (8 - keep)) & 0xff;
}

/** Splits a comma list. Empty items are an error: they are what "two commas in a row" looks like. */
export function splitList(key: string, value: string): string[] | string {
  const items = value.split(',').map((s) => s.trim());
  if (items.some((s) => s === '')) {
    return `${key} has an empty item (two commas in a row, or a comma at the start or end)`;
  }
  return items;
}

export function checkPort(key: string, value: string): number | string {
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535)
    return `${key} must be a number from 0 to 65535, not \`${value}\``;
  return Number(value);
}

export function checkMtu(value: string): number | string {
  if (!/^\d{1,5}$/.test(value) || Number(value) < MTU_MIN || Number(value) > MTU_MAX) {
    return `MTU must be a number from ${MTU_MIN} to ${MTU_MAX} (1420 suits WireGuard), not \`${value}\``;
  }
  return Number(value);
}

export function checkKeepalive(value: string): number | string {
  if (value === 'off') return 0;
  if (!/^\d{1,5}$/.test(value) || Number(value) > 65535) {
    return `PersistentKeepalive must be off or a number of seconds from 0 to 65535 (25 is usual), not \`${value}\``;
  }
  return Number(value);
}

export function checkFwMark(value: string): string | undefined {
  if (value === 'off') return undefined;
  const n = /^0x[0-9a-f]{1,8}$/i.test(value)
    ? parseInt(value, 16)
    : /^\d{1,10}$/.test(value)
      ? Number(value)
      : NaN;
  if (!(n >= 0 && n <= 0xffffffff))
    return `FwMark must be off or a 32-bit number (decimal or 0x hex), not \`${value}\``;
  return undefined;
}

export function checkTable(value: string): string | undefined {
  if (['off', 'auto', 'main'].includes(value)) return undefined;
  if (/^\d{1,10}$/.test(value) && Number(value) <= 0xffffffff) return undefined;
  return `Table must be off, auto, main or a routing table number, not \`${value}\``;
}

export function checkDnsItem(item: string): string | undefined {
  if (ipFamily(item)) return undefined;
  if (/^[\d.]+$/.test(item)) return `DNS server \`${item}\` is not a valid IPv4 address`;
  if (item.includes(':')) return `DNS server \`${item}\` is not a valid IPv6 address`;
  if (isDomainName(item)) return undefined; // a search domain, as wg-quick treats non-IP entries
  return `DNS entry \`${item}\` is neither an IP address nor a search domain`;
}

/** Endpoint forms: `1.2.3.4:51820`, `[2001:db8::1]:51820`, `host.example:51820` (port after the last ':'). */
export function checkEndpoint(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value) || value.includes('/')) {
    return `Endpoint \`${value}\` looks like a URL: write host:port, e.g. vpn.example.com:51820`;
  }
  let host: string;
  let port: string;
  if (value.startsWith('[')) {
    const m = /^\[([^\]]*)\]:(.*)$/.exec(value);
    if (!m) return `Endpoint \`${value}\` must be [IPv6]:port, e.g. [2001:db8::1]:51820`;
    if (ipFamily(m[1]!) !== 6) return `Brackets in Endpoint must contain an IPv6 address, not \`${m[1]}\``;
    host = m[1]!;
    port = m[2]!;
  } else {
    const colon = value.lastIndexOf(':');
    if (colon < 0) return `Endpoint \`${value}\` needs a port: host:port, e.g. ${value}:51820`;
    host = value.slice(0, colon);
    port = value.slice(colon + 1);
    if (host.includes(':')) {
      return `An IPv6 Endpoint must be in brackets: [${host}]:${port}`;
    }
    if (host === '') return `Endpoint \`${value}\` has no host before the port`;
    if (/^[\d.]+$/.test(host) && !ipFamily(host))
      return `Endpoint host \`${host}\` is not a valid IPv4 address`;
    if (!ipFamily(host) && !isDomainName(host))
      return `Endpoint host \`${host}\` is neither an IP address nor a host name`;
  }
  if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535) {
    return `Endpoint port must be a number from 1 to 65535, not \`${port}\``;
  }
  return undefined;
}

/** The range of an endpoint's literal address when it cannot be reached from outside its own network
 * (RFC 1918, ULA, link-local, loopback, CGNAT), or undefined (a public address, or a host name). */
export function privateEndpointRange(endpoint: string): string | undefined {
  const host = endpoint.startsWith('[')
    ? endpoint.slice(1, endpoint.indexOf(']'))
    : endpoint.slice(0, endpoint.lastIndexOf(':'));
  if (!ipFamily(host)) return undefined;
  const range = ipaddr.parse(host).range();
  const names: Record<string, string> = {
    private: 'a private (RFC 1918) address',
    uniqueLocal: 'a unique local (fc00::/7) address',
    linkLocal: 'a link-local address',
    loopback: 'a loopback address',
    carrierGradeNat: 'a carrier-grade NAT (100.64.0.0/10) address',
  };
  return names[range];
}
