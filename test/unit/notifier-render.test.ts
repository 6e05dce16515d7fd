import { describe, expect, it } from 'vitest'
import { recipientsFor, remediationFor, renderNotice, type Notice } from '../../notifier/index.ts'

const SKIMMER = 'a'.repeat(64)
const LOADER = 'b'.repeat(64)
const JQUERY = 'c'.repeat(64)

function notice(over: Partial<Notice> = {}): Notice {
  return {
    domain: 'shop.example',
    siteUrl: 'https://www.shop.example/',
    pageUrl: 'https://www.shop.example/checkout',
    verdict: 'malicious',
    foundAt: '2026-11-23T10:00:00.000Z',
    platform: null,
    scripts: [
      {
        url: 'https://evil.example/a.js',
        sha256: SKIMMER,
        verdict: 'malicious',
        findings: [
          {
            rule: 'btoa-payload',
            severity: 'medium',
            message: 'base64 payload',
            line: 9,
            column: 1,
          },
          {
            rule: 'card-read-and-send',
            severity: 'critical',
            message: 'reads the card and sends it',
            line: 3,
            column: 14,
          },
        ],
      },
      { url: null, sha256: LOADER, verdict: 'suspicious', findings: [] },
      { url: 'https://code.jquery.com/jquery.js', sha256: JQUERY, verdict: 'clean', findings: [] },
    ],
    exfil: [{ url: 'https://evil.example/c?d=NDExMQ', host: 'evil.example', carriesCard: true }],
    ...over,
  }
}

const from = 'skimwatch@notify.example'

describe('renderNotice', () => {
  it('escapes everything from the site in the HTML part', () => {
    const hostile = notice({
      pageUrl: 'https://shop.example/"><img src=x onerror=alert(1)>',
      scripts: [
        {
          url: 'https://evil.example/<script>alert(1)</script>.js',
          sha256: SKIMMER,
          verdict: 'malicious',
          findings: [
            { rule: '<b>r</b>', severity: 'high', message: "it's <iframe>", line: 1, column: 2 },
          ],
        },
      ],
    })
    const { html, text } = renderNotice(hostile, { from })
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<iframe>')
    expect(html).not.toContain('<b>r</b>')
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;')
    expect(text).toContain('https://evil.example/<script>alert(1)</script>.js')
  })

  it('says what, where, when, why, how to fix and how to opt out', () => {
    const unsubscribeUrl = 'https://skimwatch.example/unsubscribe/tok3n'
    const { subject, text, html } = renderNotice(notice(), { from, unsubscribeUrl })
    expect(subject).toBe('[skimwatch] Card-skimming code found on shop.example — action needed')
    for (const part of [text, html]) {
      expect(part).toContain('https://evil.example/a.js')
      expect(part).toContain('inline script')
      expect(part).toContain(SKIMMER)
      expect(part).not.toContain(JQUERY)
      expect(part).toContain('https://www.shop.example/checkout')
      expect(part).toContain('2026-11-23T10:00:00.000Z')
      expect(part).toContain('PCI DSS')
      expect(part).toContain('Content-Security-Policy')
      expect(part).toContain(unsubscribeUrl)
      expect(part).toContain('STOP')
    }
    expect(text).toMatch(/line 3, column 14: reads the card and sends it/)
    // most severe finding first
    expect(text.indexOf('card-read-and-send')).toBeLessThan(text.indexOf('btoa-payload'))
  })

  it('asks to check, not to act, when only suspicious', () => {
    const { subject } = renderNotice(notice({ verdict: 'suspicious' }), { from })
    expect(subject).toBe('[skimwatch] Possible card-skimming code on shop.example — please check')
  })

  it('strips line breaks that could inject headers', () => {
    const { subject } = renderNotice(notice({ domain: 'shop.example\r\nBcc: x@y' }), { from })
    expect(subject).not.toMatch(/[\r\n]/)
  })

  it('gives the same key whatever the order, and a new key for a new finding set', () => {
    const a = notice()
    const b = notice({ scripts: [...a.scripts].reverse(), domain: 'SHOP.example' })
    expect(renderNotice(b, { from }).key).toBe(renderNotice(a, { from }).key)
    const other = notice({
      scripts: [{ url: null, sha256: 'd'.repeat(64), verdict: 'malicious', findings: [] }],
    })
    expect(renderNotice(other, { from }).key).not.toBe(renderNotice(a, { from }).key)
    const newHost = notice({
      exfil: [{ url: 'https://x.example/', host: 'x.example', carriesCard: true }],
    })
    expect(renderNotice(newHost, { from }).key).not.toBe(renderNotice(a, { from }).key)
    expect(renderNotice(a, { from }).key).toMatch(/^[0-9a-f]{64}$/)
  })

  it('uses platform-specific steps when the platform is known', () => {
    const { text } = renderNotice(notice({ platform: 'Magento' }), { from })
    expect(text).toContain('WHAT TO DO (Magento / Adobe Commerce)')
    expect(text).toContain('core_config_data')
    expect(remediationFor('woocommerce').steps.join(' ')).toContain('wp-config.php')
    expect(remediationFor('unknown-cms').platform).toBe('generic')
  })
})

describe('recipientsFor', () => {
  it('uses the RFC 2142 role mailboxes of the domain without www.', () => {
    expect(recipientsFor('www.Shop.Example')).toEqual([
      'security@shop.example',
      'webmaster@shop.example',
    ])
    expect(recipientsFor('shop.example.')).toEqual([
      'security@shop.example',
      'webmaster@shop.example',
    ])
    expect(renderNotice(notice(), { from }).to).toEqual([
      'security@shop.example',
      'webmaster@shop.example',
    ])
  })

  it('returns nobody for addresses and names that cannot take mail', () => {
    expect(recipientsFor('127.0.0.1')).toEqual([])
    expect(recipientsFor('localhost')).toEqual([])
    expect(recipientsFor('bad domain>.com')).toEqual([])
  })
})
