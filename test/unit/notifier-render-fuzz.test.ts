// Site data is the attacker's: whatever it holds, the notice keeps one subject line, its own
// headers and its own markup, and the message nodemailer builds parses back to what was rendered.
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import path from 'node:path'
import fc from 'fast-check'
import { simpleParser } from 'mailparser'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { deliver, renderNotice, type Notice } from '../../notifier/index.ts'
import { fuzzRuns } from '../helpers/fuzz.ts'

const FROM = 'skimwatch@notify.example'

/** Strings built from what breaks mail and markup, mixed with anything at all. */
const hostile = fc
  .array(
    fc.oneof(
      fc.constantFrom(
        '\r\nBcc: victim@evil.example',
        '\nX-Injected: 1',
        '\r\n\r\n<html>',
        '<script>alert(1)</script>',
        '<img src=x onerror=alert(1)>',
        '"><svg onload=alert(1)>',
        "'; javascript:alert(1)//",
        '</title><a href="javascript:x">',
        '=?utf-8?b?PHNjcmlwdD4=?=',
        '\u2028\u0000\u001b[2J',
        '&lt;b&gt;',
      ),
      fc.string({ unit: 'binary', maxLength: 20 }),
    ),
    { maxLength: 6 },
  )
  .map((parts) => parts.join(''))

const notice: fc.Arbitrary<Notice> = fc.record({
  domain: hostile,
  siteUrl: hostile,
  pageUrl: hostile,
  verdict: fc.constantFrom('malicious' as const, 'suspicious' as const),
  foundAt: hostile,
  platform: fc.option(hostile, { nil: null }),
  scripts: fc.array(
    fc.record({
      url: fc.option(hostile, { nil: null }),
      sha256: hostile,
      verdict: fc.constantFrom('malicious' as const, 'suspicious' as const),
      findings: fc.array(
        fc.record({
          rule: hostile,
          severity: hostile,
          message: hostile,
          line: fc.integer(),
          column: fc.integer(),
        }),
        { maxLength: 3 },
      ),
    }),
    { minLength: 1, maxLength: 3 },
  ),
  exfil: fc.array(fc.record({ url: hostile, host: hostile, carriesCard: fc.boolean() }), {
    maxLength: 3,
  }),
})

const tagsOf = (html: string) =>
  new Set([...html.matchAll(/<\/?([a-z][a-z0-9]*)/gi)].map((m) => m[1]?.toLowerCase()))

const benign: Notice = {
  domain: 'shop.example',
  siteUrl: 'https://shop.example/',
  pageUrl: 'https://shop.example/checkout',
  verdict: 'malicious',
  foundAt: '2026-11-23T10:00:00.000Z',
  platform: null,
  scripts: [
    {
      url: 'https://evil.example/a.js',
      sha256: 'a'.repeat(64),
      verdict: 'malicious',
      findings: [{ rule: 'r', severity: 'high', message: 'm', line: 1, column: 1 }],
    },
  ],
  exfil: [{ url: 'https://evil.example/c', host: 'evil.example', carriesCard: true }],
}
const OWN_TAGS = tagsOf(renderNotice(benign, { from: FROM, to: ['security@shop.example'] }).html)

describe('rendering hostile site data', () => {
  it('keeps one subject line and only the template’s own markup', () => {
    fc.assert(
      fc.property(notice, (n) => {
        const email = renderNotice(n, { from: FROM, to: ['security@shop.example'] })
        expect(email.subject).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/)
        for (const tag of tagsOf(email.html)) expect(OWN_TAGS).toContain(tag)
        for (const [tag] of email.html.matchAll(/<[a-z][^>]*>/gi)) {
          expect(tag).not.toMatch(/\son[a-z]+\s*=|javascript:/i)
        }
        expect(email.text).not.toMatch(/[\r\u0000\u000b\u000c\u001b\u2028\u2029]/)
      }),
      fuzzRuns(500),
    )
  })

  describe('through nodemailer', () => {
    let dir: string
    beforeAll(async () => {
      dir = await mkdtemp(path.join(tmpdir(), 'skimwatch-render-fuzz-'))
    })
    afterAll(async () => {
      await rm(dir, { recursive: true, force: true })
    })

    it('parses back with no header the data smuggled in', async () => {
      await fc.assert(
        fc.asyncProperty(notice, async (n) => {
          const email = renderNotice(n, { from: FROM, to: ['security@shop.example'] })
          const sent = await deliver(email, { outboxDir: dir, from: FROM })
          const parsed = await simpleParser(await readFile(sent.path ?? ''))
          expect(parsed.subject).toBe(email.subject)
          expect(parsed.headers.has('bcc')).toBe(false)
          expect(parsed.headers.has('x-injected')).toBe(false)
          expect(parsed.to).toMatchObject({ text: 'security@shop.example' })
          expect(parsed.html).toBe(email.html)
        }),
        fuzzRuns(60),
      )
    })
  })
})
