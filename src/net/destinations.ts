import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

// Where a server-side request (a webhook delivery) may go: never to this
// host, its private networks, or the cloud metadata address, unless the
// operator allows private networks (WEBHOOKS_ALLOW_PRIVATE_NETWORKS=true,
// development and tests). A host name is resolved and EVERY address it
// gives must be public; the caller then connects to the address checked
// (pinned), so a second resolution (DNS rebinding) cannot switch it.

/** Each refused range, named for the error a registration sees. */
const REFUSED: readonly { readonly name: string; readonly family: 'ipv4' | 'ipv6'; readonly net: string; readonly prefix: number }[] = [
  { name: 'unspecified', family: 'ipv4', net: '0.0.0.0', prefix: 8 },
  { name: 'private', family: 'ipv4', net: '10.0.0.0', prefix: 8 },
  { name: 'carrier-grade NAT', family: 'ipv4', net: '100.64.0.0', prefix: 10 },
  { name: 'loopback', family: 'ipv4', net: '127.0.0.0', prefix: 8 },
  { name: 'link-local', family: 'ipv4', net: '169.254.0.0', prefix: 16 },
  { name: 'private', family: 'ipv4', net: '172.16.0.0', prefix: 12 },
  { name: 'reserved', family: 'ipv4', net: '192.0.0.0', prefix: 24 },
  { name: 'private', family: 'ipv4', net: '192.168.0.0', prefix: 16 },
  { name: 'reserved', family: 'ipv4', net: '198.18.0.0', prefix: 15 },
  { name: 'multicast', family: 'ipv4', net: '224.0.0.0', prefix: 4 },
  { name: 'reserved', family: 'ipv4', net: '240.0.0.0', prefix: 4 },
  { name: 'unspecified', family: 'ipv6', net: '::', prefix: 128 },
  { name: 'loopback', family: 'ipv6', net: '::1', prefix: 128 },
  { name: 'private', family: 'ipv6', net: 'fc00::', prefix: 7 },
  { name: 'link-local', family: 'ipv6', net: 'fe80::', prefix: 10 },
  { name: 'multicast', family: 'ipv6', net: 'ff00::', prefix: 8 },
  // NAT64 and 6to4 embed an IPv4 address the gateway would reach for us.
  { name: 'translated', family: 'ipv6', net: '64:ff9b::', prefix: 96 },
  { name: 'translated', family: 'ipv6', net: '2002::', prefix: 16 },
];

const lists = REFUSED.map((range) => {
  const list = new BlockList();
  list.addSubnet(range.net, range.prefix, range.family);
  return { name: range.name, list, family: range.family };
});

/** The eight 16-bit groups of an IPv6 address (one node:net accepts), a dotted IPv4 tail included. */
function groupsOf(address: string): number[] {
  let text = address.toLowerCase().replace(/%.*$/, '');
  const dotted = /(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(text);
  if (dotted) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', tail] = text.split('::');
  const parse = (part: string) => (part === '' ? [] : part.split(':').map((group) => parseInt(group, 16)));
  const left = parse(head);
  const right = tail === undefined ? [] : parse(tail);
  return [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/** An IPv4 address carried in IPv6 (mapped ::ffff:a.b.c.d, translated ::ffff:0:a.b.c.d, or the old compatible ::a.b.c.d): the IPv4 address. */
function embeddedIpv4(address: string): string | undefined {
  const groups = groupsOf(address);
  if (groups.slice(0, 4).some((group) => group !== 0)) return undefined;
  const mapped = groups[4] === 0 && groups[5] === 0xffff;
  const translated = groups[4] === 0xffff && groups[5] === 0;
  const compatible = groups[4] === 0 && groups[5] === 0 && groups[6] !== 0;
  if (!mapped && !translated && !compatible) return undefined;
  const high = groups[6]!;
  const low = groups[7]!;
  return `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
}

/** Why `address` may not be connected to ('loopback', 'private'...), or undefined when it is public. */
export function refusedRange(address: string): string | undefined {
  const family = isIP(address);
  if (family === 0) return 'not an address';
  if (family === 6) {
    const v4 = embeddedIpv4(address);
    if (v4 !== undefined) return refusedRange(v4);
  }
  const type = family === 4 ? 'ipv4' : 'ipv6';
  return lists.find((entry) => entry.family === type && entry.list.check(address, type))?.name;
}

export interface Destination {
  readonly address: string;
  readonly family: 4 | 6;
}

export class DestinationRefused extends Error {
  override readonly name = 'DestinationRefused';
}

const LOOKUP_TIMEOUT_MS = 5000;

/** A URL's host as an address, brackets of an IPv6 literal removed. */
export const hostOf = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * The address to connect to for `host`: a literal is checked as it is; a
 * name is resolved and refused when ANY of its addresses is refused (a name
 * that also points inside is not a public endpoint). Throws
 * DestinationRefused with a short reason that names no secret.
 */
export async function resolveDestination(host: string, allowPrivateNetworks: boolean): Promise<Destination> {
  const literal = isIP(host);
  let addresses: { address: string; family: number }[];
  if (literal !== 0) addresses = [{ address: host, family: literal }];
  else {
    let timer: NodeJS.Timeout | undefined;
    try {
      addresses = await Promise.race([
        lookup(host, { all: true, verbatim: true }),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), LOOKUP_TIMEOUT_MS);
        }),
      ]);
    } catch {
      throw new DestinationRefused('The host name does not resolve.');
    } finally {
      clearTimeout(timer);
    }
    if (addresses.length === 0) throw new DestinationRefused('The host name does not resolve.');
  }
  if (!allowPrivateNetworks) {
    for (const { address } of addresses) {
      const refused = refusedRange(address);
      if (refused) throw new DestinationRefused(`The host resolves to a ${refused} address, which webhooks may not reach.`);
    }
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}
