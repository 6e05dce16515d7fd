// Contact discovery against fixture shops, a local DNS server and a local RDAP server.
import path from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { chooseLanguage, discoverContacts, type Contact } from '../../notifier/index.ts'
import { ROOT } from '../helpers/cli.ts'
import { serveDir, serveDns, serveRdap } from '../helpers/contact-peers.ts'

const SITES = path.join(ROOT, 'fixtures/notifier/contact-sites')
const closers: (() => Promise<void>)[] = []
let dnsServer: string
let rdapUrl: string
const sites: Record<string, string> = {}

beforeAll(async () => {
  const dns = await serveDns({
    mx: {
      'full.test': 'mx.full.test',
      'expired.test': 'mx.expired.test',
      'bare.test': 'mx.bare.test',
      'registrar.test': 'mx.registrar.test',
      'hosting.test': 'mx.hosting.test',
    },
    a: { 'bare.test': '192.0.2.7', 'cert.test': '192.0.2.99' },
  })
  const rdap = await serveRdap()
  dnsServer = dns.server
  rdapUrl = rdap.url
  closers.push(dns.close, rdap.close)
  for (const name of ['full', 'expired', 'bare']) {
    const site = await serveDir(path.join(SITES, name))
    sites[name] = `${site.url}/`
    closers.push(site.close)
  }
})
afterAll(async () => {
  for (const close of closers) await close()
})

const discover = (domain: string, siteUrl: string) =>
  discoverContacts(domain, siteUrl, {
    rdapUrl,
    dnsServers: [dnsServer],
    certEmail: 'incident@cert.test',
    timeoutMs: 5_000,
    now: new Date('2026-12-01T00:00:00Z'),
  })

const usable = (cs: Contact[]) => cs.filter((c) => c.skipped === null)
const brief = (cs: Contact[]) => cs.map((c) => `${c.source} ${c.address}`)

describe('contact discovery', () => {
  it('puts a valid security.txt first, then the site, then RFC 2142 mailboxes, and records sources', async () => {
    const found = await discover('www.full.test', sites.full!)
    expect(brief(usable(found))).toEqual([
      'security.txt security@full.test',
      'site shop@full.test',
      'rfc2142 webmaster@full.test',
      'cert incident@cert.test',
    ])
    const first = found[0]!
    expect(first.detail).toBe(`${sites.full}.well-known/security.txt`)
    // a signed file is read; its Preferred-Languages choose the email's language
    expect(first.languages).toEqual(['de', 'en'])
    expect(chooseLanguage(first.languages)).toBe('de')
    // a web form cannot be emailed: kept with the reason
    const form = found.find((c) => c.address === 'https://full.test/report-a-problem')
    expect(form?.skipped).toMatch(/not an email address/)
    // security@ was found in security.txt already: listed once
    expect(found.filter((c) => c.address === 'security@full.test')).toHaveLength(1)
  })

  it('ignores an expired security.txt and takes the addresses the site publishes', async () => {
    const found = await discover('expired.test', sites.expired!)
    expect(found[0]).toMatchObject({
      source: 'security.txt',
      address: `${sites.expired}.well-known/security.txt`,
    })
    expect(found[0]!.skipped).toMatch(/expired on 2021-01-01/)
    expect(found.some((c) => c.address === 'old-security@expired.test')).toBe(false)
    expect(brief(usable(found))).toEqual([
      'site orders@expired.test',
      'site owner@expired.test',
      'rfc2142 security@expired.test',
      'rfc2142 webmaster@expired.test',
      'cert incident@cert.test',
    ])
    expect(found.find((c) => c.address === 'owner@expired.test')?.detail).toBe(
      `${sites.expired}legal/impressum.html`,
    )
    const dead = found.find((c) => c.address === 'someone@dead.test')
    expect(dead?.skipped).toMatch(/no mail server for dead\.test/)
  })

  it('falls back to RFC 2142 mailboxes with an MX, then the hosting network abuse desk (RDAP)', async () => {
    const found = await discover('bare.test', sites.bare!)
    expect(brief(usable(found))).toEqual([
      'rfc2142 security@bare.test',
      'rfc2142 webmaster@bare.test',
      'rdap-network abuse@hosting.test',
      'cert incident@cert.test',
    ])
    expect(found[0]!.languages).toEqual(['fr'])
    expect(found.find((c) => c.source === 'rdap-network')?.detail).toBe(`${rdapUrl}/ip/192.0.2.7`)
  })

  it('without MX guesses no mailbox: the registrar abuse desk, then the CERT', async () => {
    const found = await discover('nomx.test', sites.bare!)
    expect(brief(usable(found))).toEqual([
      'rdap-registrar abuse@registrar.test',
      'cert incident@cert.test',
    ])
    // the registrant is not an abuse contact
    expect(found.some((c) => c.address === 'owner@private.test')).toBe(false)
  })
})

describe('contact discovery with nothing to find', () => {
  it('falls back to the RFC 2142 mailboxes, marked as a guess', async () => {
    const found = await discoverContacts('nothing.test', sites.bare!, {
      rdapUrl,
      dnsServers: [dnsServer],
      timeoutMs: 5_000,
    })
    expect(found.map((c) => [c.address, c.source, c.detail])).toEqual([
      ['security@nothing.test', 'rfc2142', 'guessed: no other contact found and no MX confirmed'],
      ['webmaster@nothing.test', 'rfc2142', 'guessed: no other contact found and no MX confirmed'],
    ])
  })
})
