// The guard's decision for every range it refuses, through names as a resolver would answer them.
import { describe, expect, it } from 'vitest'
import { BlockedTargetError } from '../../core/errors.ts'
import { canonicalHost, pinTarget, type GuardPolicy } from '../../crawler/proxy/check.ts'
import { parseResolveRule } from '../../crawler/resolve.ts'

const ZONE: Record<string, string[]> = {
  'rfc1918-a.example': ['10.1.2.3'],
  'rfc1918-b.example': ['172.20.0.1'],
  'rfc1918-c.example': ['192.168.1.1'],
  'cgnat.example': ['100.64.0.1'],
  'link-local.example': ['169.254.1.1'],
  'metadata.example': ['169.254.169.254'],
  'multicast.example': ['224.0.0.251'],
  'unspecified.example': ['0.0.0.0'],
  'ula.example': ['fd00::1'],
  'v6-link-local.example': ['fe80::1'],
  'mapped.example': ['::ffff:10.0.0.1'],
  'compatible.example': ['::127.0.0.1'],
  'mixed.example': ['93.184.216.34', '127.0.0.1'],
  'public.example': ['93.184.216.34'],
}

const policy: GuardPolicy = {
  resolve: [parseResolveRule('shop.test:8080:127.0.0.1')],
  lookup: (host) => Promise.resolve(ZONE[host] ?? []),
}

describe('pinTarget', () => {
  it.each(Object.keys(ZONE).filter((h) => h !== 'public.example'))('refuses %s', async (host) => {
    await expect(pinTarget(host, 80, policy)).rejects.toThrow(BlockedTargetError)
  })
  it.each([
    '127.1',
    '0x7f.1',
    '2130706433',
    '0177.0.0.1',
    '[::1]',
    '[::ffff:7f00:1]',
    'LOCALHOST.',
    'a.localhost',
  ])('refuses the literal %s', async (host) => {
    await expect(pinTarget(host, 80, policy)).rejects.toThrow(/loopback/)
  })
  it('pins the one public answer it checked', async () => {
    await expect(pinTarget('Public.Example.', 443, policy)).resolves.toMatchObject({
      address: '93.184.216.34',
      dial: '93.184.216.34',
      port: 443,
    })
  })
  it('dials a test alias only after the public address passed the check', async () => {
    const aliased = { ...policy, reachVia: { '93.184.216.34': '127.0.0.1' } }
    await expect(pinTarget('public.example', 80, aliased)).resolves.toMatchObject({
      address: '93.184.216.34',
      dial: '127.0.0.1',
    })
  })
  it('trusts a --resolve pin for its port only', async () => {
    await expect(pinTarget('shop.test', 8080, policy)).resolves.toMatchObject({ dial: '127.0.0.1' })
    await expect(pinTarget('shop.test', 8081, policy)).rejects.toThrow(/does not resolve/)
  })
  it('refuses names that do not resolve and bad ports', async () => {
    await expect(pinTarget('nowhere.example', 80, policy)).rejects.toThrow(/does not resolve/)
    await expect(pinTarget('public.example', 0, policy)).rejects.toThrow(/port/)
  })
})

describe('canonicalHost', () => {
  it('folds numeric IPv4 forms, brackets, case and trailing dots', () => {
    expect(canonicalHost('0x7f.1')).toBe('127.0.0.1')
    expect(canonicalHost('[::FFFF:127.0.0.1]')).toBe('::ffff:7f00:1')
    expect(canonicalHost('::1')).toBe('::1')
    expect(canonicalHost('Shop.Example..')).toBe('shop.example')
  })
})
