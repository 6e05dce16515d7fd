// What the review app writes out: HTML, CSV cells and STIX patterns never let data become code.
import { describe, expect, it } from 'vitest'
import { indicatorsCsv } from '../../review/export/csv.ts'
import { patternString } from '../../review/export/stix.ts'
import { uuidV5, type Indicator } from '../../review/export/indicators.ts'
import { html } from '../../review/html.ts'
import { hashPassword, verifyPassword } from '../../review/password.ts'
import { diffScripts } from '../../review/diff.ts'

const indicator = (over: Partial<Indicator>): Indicator => ({
  sha256: 'a'.repeat(64),
  scriptUrls: [],
  exfilUrls: [],
  domains: [],
  rules: [],
  sites: 1,
  firstSeen: '2026-12-01T00:00:00.000Z',
  lastSeen: '2026-12-02T00:00:00.000Z',
  confirmedBy: 'ana',
  confirmedAt: '2026-12-03T00:00:00.000Z',
  reason: 'r',
  ...over,
})

describe('html', () => {
  it('escapes every interpolated value, nested lists included', () => {
    const evil = `</script><script>alert(1)</script><img src=x onerror="a('b')">\``
    const out = html`<p title="${evil}">${evil}${[evil, [evil]]}</p>`.value
    expect(out).not.toMatch(/<script|<img|"a\(/)
    expect(out).toContain('&lt;/script&gt;&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(out).toContain('onerror=&quot;a(&#39;b&#39;)&quot;')
    expect(out).toContain('&#96;')
  })

  it('keeps fragments made by html as markup', () => {
    expect(html`<b>${html`<i>${'<x>'}</i>`}</b>`.value).toBe('<b><i>&lt;x&gt;</i></b>')
  })
})

describe('csv', () => {
  it('quotes separators and defuses spreadsheet formulas', () => {
    const csv = indicatorsCsv([
      indicator({ exfilUrls: ['https://x.example/a,b"c'], rules: ['=HYPERLINK("x")'] }),
    ])
    const [, first, second] = csv.split('\r\n')
    expect(first).toContain(`'=HYPERLINK(""x"")`)
    expect(second).toContain('"https://x.example/a,b""c"')
  })
})

describe('stix', () => {
  it('escapes quotes and backslashes in pattern strings', () => {
    expect(patternString(`https://x.example/a'b\\c`)).toBe(`'https://x.example/a\\'b\\\\c'`)
  })

  it('gives the same name the same RFC 4122 version 5 id', () => {
    // the DNS namespace example from RFC 9562 appendix A.4
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    )
  })
})

describe('password', () => {
  it('verifies the right password only, with a fresh salt each time', async () => {
    const a = await hashPassword('correct horse battery staple')
    const b = await hashPassword('correct horse battery staple')
    expect(a).not.toBe(b)
    expect(a).toMatch(/^scrypt\$32768\$8\$1\$/)
    expect(await verifyPassword('correct horse battery staple', a)).toBe(true)
    expect(await verifyPassword('correct horse battery stapl', a)).toBe(false)
    expect(await verifyPassword('x', 'md5$abc')).toBe(false)
  })
})

describe('diff', () => {
  it('marks changed lines and folds long unchanged runs', () => {
    const same = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n')
    const { parts } = diffScripts(`${same}\nold\n`, `${same}\nnew\n`)
    expect(parts.find((p) => p.op === 'removed')?.text).toBe('old\n')
    expect(parts.find((p) => p.op === 'added')?.text).toBe('new\n')
    expect(parts[0]?.text).toMatch(/unchanged lines/)
  })
})
