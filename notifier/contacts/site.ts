// Addresses a shop publishes: mailto links, schema.org `email`, contact and imprint pages.
import * as cheerio from 'cheerio'

export interface SitePage {
  emails: string[]
  /** same-site links that look like contact or imprint pages */
  contactLinks: string[]
  /** the page's `<html lang>`, when given */
  lang: string | null
}

const CONTACT_WORDS =
  /contact|kontakt|impressum|imprint|legal|mentions|about|contatti|contacto|contato|colofon/i
const EMAIL = /[a-z0-9._%+-]+@[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}/gi

/** Every `email` value anywhere in a JSON-LD document (schema.org Organization, Store …). */
function jsonLdEmails(value: unknown, out: string[]): void {
  if (Array.isArray(value)) value.forEach((v) => jsonLdEmails(v, out))
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'email' && typeof v === 'string') out.push(v.replace(/^mailto:/i, ''))
      else jsonLdEmails(v, out)
    }
  }
}

export function readSitePage(html: string, pageUrl: string, withText: boolean): SitePage {
  const $ = cheerio.load(html)
  const emails: string[] = []
  $('a[href^="mailto:" i]').each((_, a) => {
    const href = $(a).attr('href') ?? ''
    const address = decodeURIComponent(href.slice('mailto:'.length).split('?')[0] ?? '')
    emails.push(...address.split(','))
  })
  $('script[type="application/ld+json"]').each((_, s) => {
    try {
      jsonLdEmails(JSON.parse($(s).text()), emails)
    } catch {
      // a broken JSON-LD block says nothing
    }
  })
  $('[itemprop="email"]').each((_, el) => {
    emails.push(($(el).attr('content') ?? $(el).text()).replace(/^mailto:/i, ''))
  })
  // on contact and imprint pages an address is often plain text
  if (withText) emails.push(...($('body').text().match(EMAIL) ?? []))
  const origin = new URL(pageUrl).origin
  const contactLinks: string[] = []
  $('a[href]').each((_, a) => {
    const href = $(a).attr('href') ?? ''
    if (!CONTACT_WORDS.test(href) && !CONTACT_WORDS.test($(a).text())) return
    try {
      const url = new URL(href, pageUrl)
      if (url.origin === origin && !contactLinks.includes(url.href)) contactLinks.push(url.href)
    } catch {
      // not a URL
    }
  })
  const lang = $('html').attr('lang')?.trim() || null
  return { emails: emails.map((e) => e.trim()).filter(Boolean), contactLinks, lang }
}
