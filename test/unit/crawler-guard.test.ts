import { describe, expect, it } from 'vitest'
import { BadInputError, BlockedTargetError } from '../../core/errors.ts'
import { assertTargetAllowed, classifyAddress, parseResolveRule } from '../../crawler/index.ts'
import { ipv6Groups } from '../../crawler/guard.ts'
import { hostResolverRulesArg } from '../../crawler/resolve.ts'

const blocked: Array<[string, RegExp]> = [
  ['127.0.0.1', /loopback/],
  ['127.255.255.254', /loopback/],
  ['10.0.0.1', /private/],
  ['10.255.255.255', /private/],
  ['172.16.0.1', /private/],
  ['172.31.255.255', /private/],
  ['192.168.1.1', /private/],
  ['169.254.10.1', /link-local/],
  ['169.254.169.254', /metadata/],
  ['100.64.0.1', /carrier-grade NAT/],
  ['100.127.255.255', /carrier-grade NAT/],
  ['0.0.0.0', /unspecified/],
  ['0.1.2.3', /unspecified/],
  ['224.0.0.1', /multicast/],
  ['239.255.255.250', /multicast/],
  ['255.255.255.255', /broadcast/],
  ['::1', /loopback/],
  ['::', /unspecified/],
  ['fc00::1', /unique local/],
  ['fd12:3456:789a::1', /unique local/],
  ['fe80::1', /link-local/],
  ['fe80::1%eth0', /link-local/],
  ['ff02::1', /multicast/],
  ['::ffff:127.0.0.1', /loopback/],
  ['::ffff:7f00:1', /loopback/],
  ['::ffff:10.1.2.3', /private/],
  ['::ffff:169.254.169.254', /metadata/],
  ['64:ff9b::a9fe:a9fe', /metadata/],
  ['2001:db8::1', /documentation/],
]

const allowed = [
  '8.8.8.8',
  '1.1.1.1',
  '93.184.216.34',
  '172.15.255.255',
  '172.32.0.1',
  '100.63.255.255',
  '100.128.0.1',
  '169.253.255.255',
  '11.0.0.1',
  '2606:4700:4700::1111',
  '2a00:1450:4001:80b::200e',
  '::ffff:8.8.8.8',
]

describe('classifyAddress', () => {
  it.each(blocked)('refuses %s', (ip, reason) => {
    expect(classifyAddress(ip)).toMatch(reason)
  })
  it.each(allowed)('allows public %s', (ip) => {
    expect(classifyAddress(ip)).toBeNull()
  })
  it('rejects text that is not an address', () => {
    expect(classifyAddress('shop.test')).toMatch(/not an IP/)
  })
  it('expands IPv6 shorthand', () => {
    expect(ipv6Groups('2001:db8::1')).toEqual([0x2001, 0xdb8, 0, 0, 0, 0, 0, 1])
    expect(ipv6Groups('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x102, 0x304])
  })
})

describe('assertTargetAllowed', () => {
  const strict = { allowPrivate: false, resolve: [], timeoutMs: 1000 }

  it('refuses loopback with an actionable message', async () => {
    await expect(assertTargetAllowed('http://127.0.0.1:8080/', strict)).rejects.toThrow(
      'refusing to visit http://127.0.0.1:8080/: 127.0.0.1 is a loopback address (use --allow-private for tests or intranet shops)',
    )
  })
  it('refuses numeric tricks the URL parser turns into loopback', async () => {
    await expect(assertTargetAllowed('http://2130706433/', strict)).rejects.toThrow(/loopback/)
    await expect(assertTargetAllowed('http://0x7f.1/', strict)).rejects.toThrow(/loopback/)
    await expect(assertTargetAllowed('http://[::1]/', strict)).rejects.toThrow(/loopback/)
  })
  it('refuses the metadata address', async () => {
    const err = await assertTargetAllowed('http://169.254.169.254/latest/', strict).catch(
      (e: unknown) => e,
    )
    expect(err).toBeInstanceOf(BlockedTargetError)
    expect(String(err)).toMatch(/metadata/)
  })
  it('trusts a --resolve pin for its host and port only', async () => {
    const opts = { ...strict, resolve: [parseResolveRule('shop.test:8080:10.0.0.5')] }
    await expect(assertTargetAllowed('http://shop.test:8080/', opts)).resolves.toBeUndefined()
    await expect(assertTargetAllowed('http://localhost.:8080/', opts)).rejects.toThrow(/loopback/)
  })
  it('allows public addresses and anything with allowPrivate', async () => {
    await expect(assertTargetAllowed('https://93.184.216.34/', strict)).resolves.toBeUndefined()
    await expect(
      assertTargetAllowed('http://127.0.0.1:1/', { ...strict, allowPrivate: true }),
    ).resolves.toBeUndefined()
  })
  it('refuses schemes other than http and https even with allowPrivate', async () => {
    const lax = { ...strict, allowPrivate: true }
    await expect(assertTargetAllowed('file:///etc/passwd', lax)).rejects.toThrow(BlockedTargetError)
    await expect(assertTargetAllowed('ftp://example.com/', lax)).rejects.toThrow(
      /only http and https/,
    )
  })
  it('reports unparseable URLs as bad input', async () => {
    await expect(assertTargetAllowed('not a url', strict)).rejects.toThrow(BadInputError)
  })
})

describe('parseResolveRule', () => {
  it('parses curl-style rules', () => {
    expect(parseResolveRule('shop.test:8080:127.0.0.1')).toEqual({
      host: 'shop.test',
      port: 8080,
      address: '127.0.0.1',
    })
    expect(parseResolveRule('Shop.Test:443:[::1]')).toEqual({
      host: 'shop.test',
      port: 443,
      address: '::1',
    })
  })
  it.each([
    'shop.test',
    'shop.test:80',
    'shop.test:0:127.0.0.1',
    'shop.test:99999:127.0.0.1',
    'sh op:80:127.0.0.1',
    'shop.test:80:localhost',
  ])('rejects %s with a clear message', (spec) => {
    expect(() => parseResolveRule(spec)).toThrow(BadInputError)
    expect(() => parseResolveRule(spec)).toThrow(/host:port:address/)
  })
  it('builds Chromium MAP rules that keep the port', () => {
    const rules = ['a.test:8080:127.0.0.1', 'b.test:8080:::1'].map(parseResolveRule)
    expect(hostResolverRulesArg(rules)).toBe(
      '--host-resolver-rules=MAP a.test:8080 127.0.0.1, MAP b.test:8080 [::1]',
    )
    expect(hostResolverRulesArg([])).toBeUndefined()
  })
})
