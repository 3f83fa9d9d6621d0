import type { IpAddressKey } from './types';

// Event Ruler only tries to read a string as an address when it looks like one (its IPv4_REGEX and
// IPv6_REGEX): four dot-separated decimal numbers, or hex digits and colons with at least one colon.
const IPV4_SHAPE = /^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$/;
const IPV6_SHAPE = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;
const HEX_GROUP = /^[0-9a-fA-F]{1,4}$/;

function hexByte(byte: number): string {
  return (byte < 16 ? '0' : '') + byte.toString(16).toUpperCase();
}

function parseIpv4(text: string): IpAddressKey | undefined {
  let hex = '';
  for (const part of text.split('.')) {
    // Leading zeros are read as decimal, as Java's InetAddress (and so EventBridge) reads them.
    const value = Number(part);
    if (value > 255) return undefined;
    hex += hexByte(value);
  }
  return { version: 4, hex };
}

function parseGroups(text: string): number[] | undefined {
  if (text === '') return [];
  const groups: number[] = [];
  for (const group of text.split(':')) {
    if (!HEX_GROUP.test(group)) return undefined;
    groups.push(parseInt(group, 16));
  }
  return groups;
}

function parseIpv6(text: string): IpAddressKey | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const head = parseGroups(halves[0]);
  const tail = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (head === undefined || tail === undefined) return undefined;
  let groups: number[];
  if (halves.length === 2) {
    // `::` stands for at least one zero group (Java refuses it when eight groups are already given).
    const missing = 8 - head.length - tail.length;
    if (missing < 1) return undefined;
    groups = [...head, ...new Array<number>(missing).fill(0), ...tail];
  } else {
    if (head.length !== 8) return undefined;
    groups = head;
  }
  // Java's InetAddress turns an IPv4-mapped address (::ffff:a.b.c.d) into the IPv4 address itself.
  if (groups.slice(0, 5).every((group) => group === 0) && groups[5] === 0xffff) {
    return {
      version: 4,
      hex: hexByte(groups[6] >> 8) + hexByte(groups[6] & 0xff) + hexByte(groups[7] >> 8) + hexByte(groups[7] & 0xff),
    };
  }
  return { version: 6, hex: groups.map((group) => group.toString(16).toUpperCase().padStart(4, '0')).join('') };
}

/** Reads an IPv4 or IPv6 address literal the way Event Ruler does; `undefined` when it is not one. */
export function parseIpAddress(text: string): IpAddressKey | undefined {
  if (IPV4_SHAPE.test(text)) return parseIpv4(text);
  if (IPV6_SHAPE.test(text)) return parseIpv6(text);
  return undefined;
}

/** A CIDR block as an inclusive range of address keys of one IP version. */
export interface CidrRange {
  version: 4 | 6;
  low: string;
  high: string;
}

/**
 * Reads `address/bits` like Event Ruler's `CIDR.cidr`: the range covers every address sharing the
 * first `bits` bits; the mask must be below 32 (IPv4) or 128 (IPv6).
 *
 * @returns the range, or the reason it was refused
 */
export function parseCidr(text: string): CidrRange | string {
  // Java's String.split drops trailing empty strings, so "10.0.0.0/8/" still has two parts.
  const parts = text.split('/');
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop();
  if (parts.length !== 2) return "malformed CIDR, one '/' required";
  if (!/^[+-]?[0-9]+$/.test(parts[1]) || Math.abs(Number(parts[1])) > 2_147_483_647) {
    return 'malformed CIDR, mask bits must be an integer';
  }
  const bits = Number(parts[1]);
  if (bits < 0) return 'malformed CIDR, mask bits must not be negative';
  const address = parseIpAddress(parts[0]);
  if (address === undefined) return `invalid IP address "${parts[0]}"`;
  const width = address.version === 4 ? 32 : 128;
  if (bits > width - 1) {
    return `IPv${address.version} mask bits must be < ${width} (to match one address, give it as a plain value)`;
  }
  const hostBits = BigInt(width - bits);
  const base = BigInt(`0x${address.hex}`);
  const low = (base >> hostBits) << hostBits;
  const high = low | ((1n << hostBits) - 1n);
  const digits = width / 4;
  return {
    version: address.version,
    low: low.toString(16).toUpperCase().padStart(digits, '0'),
    high: high.toString(16).toUpperCase().padStart(digits, '0'),
  };
}
