// Network guard (SSRF): a shop URL may only lead the browser to public addresses.
import net from 'node:net'
import { BadInputError, BlockedTargetError } from '../core/errors.ts'
import type { CrawlOptions } from './options.ts'
import { makeLookup } from './proxy/lookup.ts'
import { lookupRule, type ResolveRule } from './resolve.ts'

interface V4Range {
  base: number
  bits: number
  reason: string
}

const v4 = (cidr: string, reason: string): V4Range => {
  const [ip = '', bits = '32'] = cidr.split('/')
  return { base: ipv4ToInt(ip), bits: Number(bits), reason }
}

// Most specific first: the metadata address is also link-local.
const V4_BLOCKED: V4Range[] = [
  v4('169.254.169.254/32', 'the cloud metadata address'),
  v4('0.0.0.0/8', 'an unspecified ("this network") address'),
  v4('10.0.0.0/8', 'a private address'),
  v4('100.64.0.0/10', 'a carrier-grade NAT (shared) address'),
  v4('127.0.0.0/8', 'a loopback address'),
  v4('169.254.0.0/16', 'a link-local address'),
  v4('172.16.0.0/12', 'a private address'),
  v4('192.0.0.0/24', 'an IETF protocol address'),
  v4('192.0.2.0/24', 'a documentation address'),
  v4('192.168.0.0/16', 'a private address'),
  v4('198.18.0.0/15', 'a benchmarking address'),
  v4('198.51.100.0/24', 'a documentation address'),
  v4('203.0.113.0/24', 'a documentation address'),
  v4('224.0.0.0/4', 'a multicast address'),
  v4('240.0.0.0/4', 'a reserved or broadcast address'),
]

function ipv4ToInt(ip: string): number {
  return ip.split('.').reduce((acc, part) => acc * 256 + Number(part), 0)
}

function classifyV4(ip: string): string | null {
  const n = ipv4ToInt(ip)
  for (const r of V4_BLOCKED) {
    const size = 2 ** (32 - r.bits)
    if (Math.floor(n / size) === Math.floor(r.base / size)) return r.reason
  }
  return null
}

/** Expands an IPv6 address to eight 16-bit groups (dotted IPv4 tails folded in). */
export function ipv6Groups(ip: string): number[] {
  let text = ip.replace(/%.*$/, '').toLowerCase()
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)
  if (dotted?.[1]) {
    const n = ipv4ToInt(dotted[1])
    text =
      text.slice(0, -dotted[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`
  }
  const [head = '', tail] = text.split('::')
  const parse = (s: string) => (s === '' ? [] : s.split(':').map((g) => parseInt(g, 16)))
  const left = parse(head)
  const right = tail === undefined ? [] : parse(tail)
  const fill = tail === undefined ? [] : new Array<number>(8 - left.length - right.length).fill(0)
  return [...left, ...fill, ...right]
}

function embeddedV4(g: number[]): string {
  const hi = g[6] ?? 0
  const lo = g[7] ?? 0
  return [hi >> 8, hi & 0xff, lo >> 8, lo & 0xff].join('.')
}

function classifyV6(ip: string): string | null {
  const g = ipv6Groups(ip)
  const first = g[0] ?? 0
  const zerosUpTo = (n: number) => g.slice(0, n).every((x) => x === 0)
  if (zerosUpTo(7) && g[7] === 1) return 'a loopback address'
  if (zerosUpTo(8)) return 'an unspecified address'
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and NAT64 (64:ff9b::a.b.c.d) reach the IPv4 inside.
  const mapped = zerosUpTo(5) && g[5] === 0xffff
  const compatible = zerosUpTo(6)
  const nat64 = first === 0x64 && g[1] === 0xff9b && g.slice(2, 6).every((x) => x === 0)
  if (mapped || compatible || nat64) return classifyV4(embeddedV4(g))
  if ((first & 0xfe00) === 0xfc00) return 'a private (unique local) address'
  if ((first & 0xffc0) === 0xfe80) return 'a link-local address'
  if ((first & 0xffc0) === 0xfec0) return 'a site-local address'
  if ((first & 0xff00) === 0xff00) return 'a multicast address'
  if (first === 0x2001 && g[1] === 0x0db8) return 'a documentation address'
  if (first === 0x0100 && g.slice(1, 4).every((x) => x === 0)) return 'a discard-only address'
  return null
}

/** Why an address must not be visited ('a loopback address'), or null when it is public. */
export function classifyAddress(ip: string): string | null {
  const family = net.isIP(ip.replace(/%.*$/, ''))
  if (family === 4) return classifyV4(ip)
  if (family === 6) return classifyV6(ip)
  return 'not an IP address'
}

function defaultPort(u: URL): number {
  if (u.port !== '') return Number(u.port)
  return u.protocol === 'https:' ? 443 : 80
}

/** Every address the host of `u` may resolve to, or null when a --resolve pin vouches for it. */
export async function resolveAddresses(
  u: URL,
  rules: ResolveRule[],
  dnsServers?: string[],
): Promise<string[] | null> {
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '')
  if (lookupRule(rules, host, defaultPort(u)) !== undefined) return null
  // RFC 6761: loopback whatever a resolver says.
  if (host === 'localhost' || host.endsWith('.localhost')) return ['127.0.0.1']
  if (net.isIP(host) !== 0) return [host]
  // Nothing found: the browser fails with ERR_NAME_NOT_RESOLVED and that is recorded.
  return makeLookup(dnsServers)(host)
}

const ADVICE = '(use --allow-private for tests or intranet shops)'

/** Refuses non-http(s) URLs and, unless allowPrivate, hosts resolving to non-public addresses. */
export async function assertTargetAllowed(url: string, opts: CrawlOptions): Promise<void> {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    throw new BadInputError(`'${url}' is not a URL; give a full address like https://shop.example/`)
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new BlockedTargetError(`refusing to visit ${url}: only http and https URLs are scanned`)
  }
  if (opts.allowPrivate) return
  const host = u.hostname.replace(/^\[(.*)\]$/, '$1')
  for (const address of (await resolveAddresses(u, opts.resolve, opts.dnsServers)) ?? []) {
    const reason = classifyAddress(address)
    if (reason === null) continue
    const what = address === host ? `${address} is` : `${host} resolves to ${address},`
    throw new BlockedTargetError(`refusing to visit ${u.href}: ${what} ${reason} ${ADVICE}`)
  }
}
