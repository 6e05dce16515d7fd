// Every template (notice, reminder, resolved) for every platform and language: both parts, the
// platform's own steps, hostile data escaped, and no way for CR/LF to reach a header.
import { simpleParser } from 'mailparser'
import nodemailer from 'nodemailer'
import { describe, expect, it } from 'vitest'
import {
  LANGS,
  PLATFORMS,
  remediationFor,
  renderNotice,
  sampleEmails,
  sampleNotice,
} from '../../notifier/index.ts'

const from = 'skimwatch@notify.example'
const unsubscribeUrl = 'https://skimwatch.example/unsubscribe/tok3n'
const HOSTILE = '</script><img src=x onerror=alert(document.cookie)>\r\nBcc: victim@evil.example'

async function parsed(email: { to: string[]; subject: string; text: string; html: string }) {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true })
  const info = await transport.sendMail({ from, ...email })
  return simpleParser(info.message as Buffer)
}

describe('templates', () => {
  const all = sampleEmails({ from, unsubscribeUrl })

  it('exist for every platform and language: notice, reminder, and one resolved mail each', () => {
    expect(all).toHaveLength(LANGS.length * (PLATFORMS.length * 2 + 1))
    expect(LANGS).toEqual(['en', 'de'])
  })

  it.each(all.map((s) => [`${s.lang} ${s.name}`, s] as const))('%s has both parts', (_, s) => {
    expect(s.email.text.length).toBeGreaterThan(200)
    expect(s.email.html).toMatch(new RegExp(`^<!doctype html>\\n<html lang="${s.lang}">`))
    expect(s.email.text).toContain(unsubscribeUrl)
    expect(s.email.html).toContain(unsubscribeUrl)
    const platform = /^(?:notice|reminder)-(.+)$/.exec(s.name)?.[1]
    if (platform) {
      const template = remediationFor(platform, s.lang)
      for (const step of template.steps) expect(s.email.text).toContain(step)
      expect(s.email.text).toContain(template.label)
    }
  })

  it('speaks German in the German mails, down to the platform steps', () => {
    const de = all.find((s) => s.lang === 'de' && s.name === 'notice-magento')!.email
    expect(de.subject).toBe(
      '[skimwatch] Kartendaten-Skimmer auf shop.example gefunden — bitte handeln Sie',
    )
    expect(de.text).toContain('Leeren Sie nach der Bereinigung die Caches')
    expect(de.text).not.toContain('Flush the caches')
  })

  it.each(PLATFORMS.flatMap((p) => LANGS.map((l) => [p, l] as const)))(
    'escapes a hostile excerpt, URL and domain for %s (%s)',
    async (platform, lang) => {
      const n = sampleNotice(platform, { domain: `shop.example\r\nBcc: victim@evil.example` })
      n.scripts[0]!.excerpt = HOSTILE
      n.scripts[0]!.url = `https://evil.example/${HOSTILE}`
      const email = renderNotice(n, { from, to: ['security@shop.example'], lang, unsubscribeUrl })
      expect(email.html).not.toMatch(/<\/script>|<img/i)
      expect(email.html).toContain(
        '&#60;/script&#62;&#60;img src=x onerror=alert(document.cookie)&#62;',
      )
      expect(email.subject).not.toMatch(/[\r\n]/)
      // the text part keeps the excerpt on its own line: no line of it starts a header
      expect(email.text).not.toMatch(/^Bcc:/m)
      const mail = await parsed(email)
      expect(mail.headers.has('bcc')).toBe(false)
      expect(mail.subject).toBe(email.subject)
      expect(mail.html).toBe(email.html)
    },
  )
})
