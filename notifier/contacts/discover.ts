// Who to tell about a site, best first: security.txt, addresses on the site, RFC 2142 mailboxes,
// the registrar's and the network's abuse desks (RDAP), and a national CERT as the last resort.
import { mailDomain } from '../recipients.ts'
import { httpGet, type HttpOptions } from './http.ts'
import { hasMx, mailCheck, resolverFor } from './mail-domain.ts'
import { rdapContacts } from './rdap.ts'
import { expiredReason, parseSecurityTxt } from './security-txt.ts'
import { readSitePage } from './site.ts'
import type { Contact } from './types.ts'

export interface DiscoveryOptions {
  rdapUrl: string
  /** DNS servers for MX and A look-ups; unset: the system's */
  dnsServers?: string[] | undefined
  certEmail?: string | undefined
  /** refuses a URL the crawler may not fetch (network guard) */
  checkUrl?: ((url: string) => Promise<void>) | undefined
  timeoutMs?: number
  now?: Date
}

const ADDRESS = /^[a-z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)+$/i
const MAX_CONTACT_PAGES = 3

const contact = (
  address: string,
  source: Contact['source'],
  detail: string | null,
  languages: string[] = [],
  skipped: string | null = null,
): Contact => ({ address, source, detail, languages, skipped })

async function securityTxt(origin: string, http: HttpOptions, now: Date): Promise<Contact[]> {
  const out: Contact[] = []
  for (const path of ['/.well-known/security.txt', '/security.txt']) {
    const url = `${origin}${path}`
    const page = await httpGet(url, http)
    // a shop that answers every path with its home page has no security.txt
    if (!page || page.status !== 200 || !/^text\/plain/i.test(page.contentType)) continue
    const st = parseSecurityTxt(page.body)
    if (st.contacts.length === 0) continue
    const expired = expiredReason(st, now)
    if (expired) {
      out.push(contact(url, 'security.txt', url, [], `security.txt ignored: ${expired}`))
      continue
    }
    for (const c of st.contacts) {
      if (/^mailto:/i.test(c)) {
        out.push(contact(decodeURIComponent(c.slice(7)), 'security.txt', url, st.languages))
      } else {
        out.push(
          contact(
            c,
            'security.txt',
            url,
            st.languages,
            'not an email address (a web form or phone): reach it by hand',
          ),
        )
      }
    }
    return out
  }
  return out
}

async function siteAddresses(
  siteUrl: string,
  http: HttpOptions,
): Promise<{ found: Contact[]; lang: string | null }> {
  const home = await httpGet(siteUrl, { ...http, accept: 'text/html' })
  if (!home || home.status !== 200) return { found: [], lang: null }
  const first = readSitePage(home.body, home.url, false)
  const langs = first.lang ? [first.lang] : []
  const found = first.emails.map((e) => contact(e, 'site', home.url, langs))
  for (const link of first.contactLinks.slice(0, MAX_CONTACT_PAGES)) {
    const page = await httpGet(link, { ...http, accept: 'text/html' })
    if (!page || page.status !== 200) continue
    for (const e of readSitePage(page.body, page.url, true).emails) {
      found.push(contact(e, 'site', page.url, langs))
    }
  }
  return { found, lang: first.lang }
}

/** Every contact found, in order of preference, duplicates removed, unusable ones marked. */
export async function discoverContacts(
  domain: string,
  siteUrl: string,
  opts: DiscoveryOptions,
): Promise<Contact[]> {
  const now = opts.now ?? new Date()
  const timeoutMs = opts.timeoutMs ?? 10_000
  const http: HttpOptions = { checkUrl: opts.checkUrl, timeoutMs }
  const resolver = resolverFor(opts.dnsServers)
  const takesMail = mailCheck(resolver)
  const origin = new URL(siteUrl).origin
  const host = mailDomain(domain)

  const all: Contact[] = await securityTxt(origin, http, now)
  const site = await siteAddresses(siteUrl, http)
  all.push(...site.found)
  if (host && (await hasMx(resolver, host))) {
    const langs = site.lang ? [site.lang] : []
    for (const box of ['security', 'webmaster']) {
      all.push(contact(`${box}@${host}`, 'rfc2142', `MX of ${host}`, langs))
    }
  }
  const ip = host
    ? await resolver.resolve4(host).then(
        (a) => a[0] ?? null,
        () => null,
      )
    : null
  all.push(...(await rdapContacts(opts.rdapUrl, host ?? domain, ip, { timeoutMs })))
  if (opts.certEmail) all.push(contact(opts.certEmail, 'cert', 'configured', []))

  const seen = new Set<string>()
  const out: Contact[] = []
  for (const c of all) {
    if (c.skipped !== null) {
      out.push(c)
      continue
    }
    const address = c.address.trim().toLowerCase()
    if (seen.has(address)) continue
    seen.add(address)
    if (!ADDRESS.test(address)) {
      out.push({ ...c, skipped: 'not a valid email address' })
      continue
    }
    // the configured CERT is trusted as given; found addresses must reach a mail server
    const why = c.source === 'cert' ? null : await takesMail(address.split('@')[1] ?? '')
    out.push({ ...c, address, skipped: why })
  }
  if (host && !out.some((c) => c.skipped === null)) {
    // nothing better: the role mailboxes every domain should have, marked as a guess
    for (const box of ['security', 'webmaster']) {
      const detail = 'guessed: no other contact found and no MX confirmed'
      out.push(contact(`${box}@${host}`, 'rfc2142', detail, site.lang ? [site.lang] : []))
    }
  }
  return out
}
