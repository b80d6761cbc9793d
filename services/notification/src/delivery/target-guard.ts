import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** A webhook URL this service refuses to call; the message is fit for a 400. */
export class UnsafeTargetError extends Error {}

// Everything that is not the public internet: SSRF into the VPC, the metadata service
// (169.254.169.254), the host itself, or addresses that are not unicast at all.
const nonPublic = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this" network
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [
  ['::', 96], // unspecified, loopback, IPv4-compatible
  ['64:ff9b:1::', 48], // local-use NAT64
  ['100::', 64], // discard
  ['2001:db8::', 32], // documentation
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['fec0::', 10], // site-local (deprecated)
  ['ff00::', 8], // multicast
] as const) {
  nonPublic.addSubnet(network, prefix, 'ipv6');
}

// IPv6 forms that embed an IPv4 address: the embedded one must be public too.
// BlockList already maps ::ffff:a.b.c.d onto the IPv4 rules; NAT64 and 6to4 it does not.
function embeddedIpv4(address: string): string | undefined {
  const groups = expandIpv6(address);
  if (!groups) return undefined;
  const [a = 0, b = 0, c = 0, d = 0, e = 0, f = 0, g = 0, h = 0] = groups;
  const quad = (high: number, low: number) => `${high >> 8}.${high & 255}.${low >> 8}.${low & 255}`;
  if (a === 0x64 && b === 0xff9b && c === 0 && d === 0 && e === 0 && f === 0) return quad(g, h); // NAT64
  if (a === 0x2002) return quad(b, c); // 6to4
  return undefined;
}

function expandIpv6(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  if (dotted) {
    const [p = 0, q = 0, r = 0, s = 0] = dotted.split('.').map(Number);
    text = text.replace(dotted, `${((p << 8) | q).toString(16)}:${((r << 8) | s).toString(16)}`);
  }
  const [head = '', tail] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : new Array(8 - left.length - right.length).fill('0');
  const groups = [...left, ...zeros, ...right].map((group) => Number.parseInt(group, 16));
  return groups.length === 8 && groups.every((group) => group >= 0 && group <= 0xffff) ? groups : undefined;
}

/** True for a globally routable unicast address. */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return false;
  if (nonPublic.check(address, family === 4 ? 'ipv4' : 'ipv6')) return false;
  const embedded = family === 6 ? embeddedIpv4(address) : undefined;
  return embedded === undefined || isPublicAddress(embedded);
}

export interface TargetPolicy {
  /** Local development: let webhooks reach this machine and private networks (over http too). */
  allowPrivate: boolean;
  /** Accept plain http URLs on public addresses; otherwise only https (event data crosses the internet). */
  allowHttp?: boolean | undefined;
}

/** Scheme and shape only: http(s), a host, a port other than 0, no credentials in the URL. */
export function parseTargetUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UnsafeTargetError('url must be an absolute http or https URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UnsafeTargetError('url must use http or https');
  }
  if (url.username || url.password) throw new UnsafeTargetError('url must not contain credentials');
  if (!url.hostname) throw new UnsafeTargetError('url must name a host');
  // The URL parser accepts port 0, which nothing listens on: every delivery would fail.
  if (url.port === '0') throw new UnsafeTargetError('url must not use port 0');
  return url;
}

/** The URL's host without the brackets of an IPv6 literal. */
export const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

function resolveAll(hostname: string): Promise<LookupAddress[]> {
  return new Promise((resolve, reject) =>
    dnsLookup(hostname, { all: true, verbatim: true }, (error, addresses) =>
      error ? reject(error) : resolve(addresses),
    ),
  );
}

function refuse(host: string, addresses: readonly LookupAddress[]): void {
  const blocked = addresses.find((entry) => !isPublicAddress(entry.address));
  if (blocked) {
    throw new UnsafeTargetError(`url host ${host} resolves to a non-public address (${blocked.address})`);
  }
}

/**
 * Refuses URLs whose host is or resolves to a non-public address. Checked when a webhook
 * is registered and again, through `guardedLookup`, on every connection: a DNS answer can
 * change between the two (DNS rebinding).
 */
export async function assertSafeTarget(text: string, policy: TargetPolicy): Promise<URL> {
  const url = await assertPublicTarget(parseTargetUrl(text), policy);
  if (url.protocol === 'http:' && !policy.allowHttp && !policy.allowPrivate) {
    throw new UnsafeTargetError('url must use https (set NOTIFICATION_ALLOW_HTTP_TARGETS=true to allow http)');
  }
  return url;
}

async function assertPublicTarget(url: URL, policy: TargetPolicy): Promise<URL> {
  if (policy.allowPrivate) return url;
  const host = bareHost(url);
  if (isIP(host)) {
    refuse(host, [{ address: host, family: isIP(host) }]);
    return url;
  }
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(host);
  } catch {
    throw new UnsafeTargetError(`url host ${host} does not resolve`);
  }
  if (addresses.length === 0) throw new UnsafeTargetError(`url host ${host} does not resolve`);
  refuse(host, addresses);
  return url;
}

/**
 * A `lookup` for node:http that resolves once and connects only to addresses it has
 * checked, so the address validated is the address connected to.
 */
export function guardedLookup(policy: TargetPolicy): LookupFunction {
  return (hostname, options, callback) => {
    resolveAll(hostname).then(
      (addresses) => {
        try {
          if (addresses.length === 0) throw new UnsafeTargetError(`${hostname} does not resolve`);
          if (!policy.allowPrivate) refuse(hostname, addresses);
        } catch (error) {
          callback(error as NodeJS.ErrnoException, '', 4);
          return;
        }
        const wanted = options.family === 4 || options.family === 6 ? options.family : undefined;
        const usable = wanted ? addresses.filter((entry) => entry.family === wanted) : addresses;
        const first = usable[0];
        if (!first) callback(new UnsafeTargetError(`${hostname} has no IPv${wanted} address`), '', 4);
        else if (options.all) callback(null, usable);
        else callback(null, first.address, first.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, '', 4),
    );
  };
}
