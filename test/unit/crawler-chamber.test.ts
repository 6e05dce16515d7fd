// The chamber's synthetic checkouts and the matcher's encoding names, without a browser.
import { describe, expect, it } from 'vitest'
import { findFields, findPayButton } from '../../crawler/fields.ts'
import { matchExfilEncoded, TEST_VALUES } from '../../crawler/exfil-match.ts'
import { INIT_SCRIPT, OBSERVE_INIT_SCRIPT } from '../../crawler/init-script.ts'
import { ORIGIN, originFor, pageHtml, VARIANTS } from '../../crawler/chamber/pages.ts'
import { CHAMBER_VERSION } from '../../crawler/detonate.ts'

const SAMPLE_URL = 'https://shop.example/media/js/sample.min.js'

describe('synthetic checkouts', () => {
  it.each(VARIANTS.map((v) => [v.name, v] as const))(
    '%s has card and personal fields the honeypot fill recognises, and a place- or confirm-order button',
    (_, variant) => {
      const html = pageHtml(variant, SAMPLE_URL)
      const roles = new Set(findFields(html).map((f) => f.role))
      for (const role of ['card', 'cvv', 'email', 'name', 'phone', 'address']) {
        expect(roles, `${variant.name} lacks a ${role} field`).toContain(role)
      }
      expect(roles.has('exp') || (roles.has('expMonth') && roles.has('expYear'))).toBe(true)
      expect(findPayButton(html)?.label).toMatch(/place order|confirm order/i)
      expect(html).toContain(`<script src="${SAMPLE_URL}"></script>`)
    },
  )

  it('load the sample after jQuery, and give only Magento 2 an AMD loader', () => {
    for (const v of VARIANTS) {
      const html = pageHtml(v, SAMPLE_URL)
      expect(html.indexOf('jquery.min.js')).toBeLessThan(html.indexOf(SAMPLE_URL))
      expect(html.includes('requirejs/require.js')).toBe(v.name === 'magento2')
    }
  })

  it.each(['checkout', 'onepage', 'onestepcheckout', 'payment', 'billing'])(
    'satisfy a skimmer gated on "%s" in location.href',
    (word) => {
      expect(VARIANTS.some((v) => new RegExp(word).test(v.url))).toBe(true)
    },
  )

  it('post their forms to their own origin only', () => {
    for (const v of VARIANTS) {
      for (const action of v.formActions)
        expect(new URL(action).origin).toBe('https://shop.example')
    }
  })
})

describe('matchExfilEncoded names the encoding', () => {
  const card = TEST_VALUES.card
  const b64 = (s: string) => Buffer.from(s).toString('base64')
  const cases: Array<[string, string, string | null, string[]]> = [
    ['plain', `https://x.example/c?n=${card}`, null, ['plain']],
    [
      'URL-encoded JSON, digits left plain',
      `https://x.example/c?d=${encodeURIComponent(`{"n":"${card}"}`)}`,
      null,
      ['json'],
    ],
    [
      'every digit percent-encoded',
      `https://x.example/c?d=${[...card].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('')}`,
      null,
      ['url'],
    ],
    ['base64 JSON', 'https://x.example/c', b64(JSON.stringify({ n: card })), ['base64', 'json']],
    ['hex', 'https://x.example/c', Buffer.from(`n=${card}`).toString('hex'), ['hex']],
    ['reversed', 'https://x.example/c', [...card].reverse().join(''), ['reversed']],
    [
      'base64 written backwards, in a URL path',
      `https://x.example/v1/${[...b64(JSON.stringify({ n: card, c: '123' }))].reverse().join('')}`,
      null,
      ['reversed', 'base64'],
    ],
  ]
  it.each(cases)('%s', (_, url, body, encodings) => {
    const m = matchExfilEncoded(url, body)
    expect(m.carriesCard).toBe(true)
    expect(m.encodings).toEqual(expect.arrayContaining(encodings))
  })

  it('has nothing to name on clean traffic', () => {
    expect(matchExfilEncoded('https://x.example/collect?p=/checkout/', null)).toEqual({
      carriesCard: false,
      carriesPersonal: false,
      encodings: [],
    })
  })
})

describe('init scripts', () => {
  it('are valid JavaScript, the observing one a superset of the crawler one', () => {
    expect(() => new Function(INIT_SCRIPT)).not.toThrow()
    expect(() => new Function(OBSERVE_INIT_SCRIPT)).not.toThrow()
    expect(OBSERVE_INIT_SCRIPT.length).toBeGreaterThan(INIT_SCRIPT.length)
    expect(INIT_SCRIPT).not.toContain('__skimwatch_probe__')
  })

  it('keep their regular expressions intact through the template literal', () => {
    expect(OBSERVE_INIT_SCRIPT).toContain(String.raw`.split(/\s+/)`)
    expect(OBSERVE_INIT_SCRIPT).toContain(String.raw`/url\(\s*['"]?([^'")\s]+)/`)
  })

  it('version the chamber by what it serves and hooks', () => {
    expect(CHAMBER_VERSION).toMatch(/^\d+\.[0-9a-f]{12}$/)
  })
})

describe('originFor: where the checkouts are served for a page a script was seen on', () => {
  it("is that page's host, over https", () => {
    expect(originFor('https://www.kites.co.uk/checkout/#payment')).toBe('https://www.kites.co.uk')
    expect(originFor('http://kites.example:8080/checkout')).toBe('https://kites.example')
  })
  it("is the chamber's own for addresses, local names, other schemes and no page", () => {
    for (const page of [
      'https://127.0.0.1/checkout',
      'http://[::1]/checkout',
      'https://localhost/checkout',
      'https://printer.local/',
      'file:///etc/passwd',
      'not a url',
      null,
    ])
      expect(originFor(page)).toBe(ORIGIN)
  })
})
